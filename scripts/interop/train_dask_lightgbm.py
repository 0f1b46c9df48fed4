#!/usr/bin/env python3
"""Trains LightGBM on a Dask cluster from a CSV of any size (genres_v2 layout: the audio
features and a `genre` column), read as a Dask dataframe, and writes the model for
`genre-lens import`.

    python scripts/interop/train_dask_lightgbm.py --data big.csv --out target/interop/lgb
    python scripts/interop/train_dask_lightgbm.py --data big.csv --out DIR --scheduler tcp://10.0.0.5:8786

Without --scheduler it starts a LocalCluster (2 worker processes by default). Writes into --out:
  model.txt           the LightGBM text model (Booster.save_model)
  classes.txt         the class names in LightGBM's label order (for `genre-lens import --classes`)
  holdout.csv         the held-back rows (the features and genre; missing cells empty)
  lightgbm_proba.csv  LightGBM's own predict_proba on them (p_<genre> columns)
  run.json            rows, seconds, the peak memory of this process and its local workers
Then: genre-lens import DIR/model.txt --out model.bin --classes DIR/classes.txt
"""
import argparse
import json
import os
import threading
import time
import warnings

warnings.filterwarnings("ignore", message=".*float_precision.*")

FEATURES = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
            "instrumentalness", "liveness", "valence", "tempo", "duration_ms", "time_signature"]


class PeakMemory:
    """Samples the resident memory of this process and all its descendants (the LocalCluster's
    nanny and worker processes) every 100 ms; `peak` is the largest sum seen. Also keeps each
    process's last CPU time (user + system), so `cpu_seconds` is what the run used on all cores
    (a fairer figure than the wall clock on a shared machine)."""

    def __init__(self):
        import psutil
        self.psutil = psutil
        self.peak = 0
        self.cpu = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def sample(self):
        me = self.psutil.Process()
        total = 0
        for p in [me] + me.children(recursive=True):
            try:
                total += p.memory_info().rss
                t = p.cpu_times()
                self.cpu[p.pid] = t.user + t.system
            except self.psutil.Error:
                pass
        return total

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, self.sample())
            time.sleep(0.1)

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.peak

    def cpu_seconds(self):
        return sum(self.cpu.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (default: a LocalCluster)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads-per-worker", type=int, default=1)
    ap.add_argument("--label", default="genre")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--learning-rate", type=float, default=0.05)
    ap.add_argument("--holdout", type=float, default=0.2, help="share of rows held back")
    ap.add_argument("--holdout-rows", type=int, default=20000,
                    help="at most this many held-back rows are written and predicted")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--blocksize", default="64MB")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    memory = PeakMemory()
    start = time.time()
    import dask.dataframe as dd
    import lightgbm as lgb
    import numpy as np
    import pandas as pd
    from distributed import Client, LocalCluster

    cluster = None
    if a.scheduler:
        client = Client(a.scheduler)
    else:
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=a.threads_per_worker,
                               processes=True, dashboard_address=None)
        client = Client(cluster)

    header = pd.read_csv(a.data, nrows=0).columns
    features = [f for f in FEATURES if f in header]
    df = dd.read_csv(a.data, usecols=features + [a.label], blocksize=a.blocksize,
                     dtype={**{f: "float64" for f in features}, a.label: "object"},
                     float_precision="round_trip")
    df = df.dropna(subset=[a.label])
    classes = sorted(df[a.label].unique().compute().tolist())
    codes = {c: i for i, c in enumerate(classes)}
    df["y"] = df[a.label].map(codes, meta=("y", "int64"))
    train, hold = df.random_split([1 - a.holdout, a.holdout], random_state=a.seed)
    train = train.persist()
    rows = int(train.shape[0].compute())

    model = lgb.DaskLGBMClassifier(client=client, objective="multiclass", n_estimators=a.rounds,
                                   num_leaves=a.leaves, learning_rate=a.learning_rate,
                                   random_state=a.seed, verbose=-1)
    model.fit(train[features], train["y"])
    train_seconds = time.time() - start
    local = model.to_local()
    local.booster_.save_model(os.path.join(a.out, "model.txt"))
    with open(os.path.join(a.out, "classes.txt"), "w") as f:
        f.write("\n".join(classes) + "\n")

    held = hold.head(a.holdout_rows, npartitions=-1)
    held[features + [a.label]].to_csv(os.path.join(a.out, "holdout.csv"), index=False,
                                      float_format="%.17g")
    proba = local.predict_proba(held[features].astype(np.float64))
    pd.DataFrame(proba, columns=[f"p_{c}" for c in classes]).to_csv(
        os.path.join(a.out, "lightgbm_proba.csv"), index=False, float_format="%.17g")
    accuracy = float((proba.argmax(axis=1) == held["y"].to_numpy()).mean())
    client.close()
    if cluster is not None:
        cluster.close()
    peak = memory.finish()
    cpu = memory.cpu_seconds()
    run = {"train_rows": rows, "holdout_rows": len(held), "seconds": round(train_seconds, 1),
           "peak_memory_bytes": peak, "cpu_seconds": round(cpu, 1), "holdout_accuracy": accuracy,
           "workers": "scheduler " + a.scheduler if a.scheduler else f"LocalCluster {a.workers}x{a.threads_per_worker}",
           "rounds": a.rounds, "leaves": a.leaves, "learning_rate": a.learning_rate}
    with open(os.path.join(a.out, "run.json"), "w") as f:
        json.dump(run, f, indent=1)
    print(json.dumps(run))


if __name__ == "__main__":
    main()
