#!/usr/bin/env python3
"""`./x interop`: models from anywhere, end to end, with figures.

1. LightGBM trained on Dask (scripts/interop/train_dask_lightgbm.py) from data/genres_v2.csv,
   imported with `genre-lens import`, predicted with `genre-lens predict --probabilities` on
   the held-back rows (missing loudness among them) and compared with LightGBM's predict_proba.
2. The same for XGBoost (multi:softprob, trained here on the same kind of split).
3. The export round trip: public/model.bin and public/forest.bin written by
   `genre-lens export --to lightgbm`, loaded by lightgbm.Booster, predicted on raw rows and
   compared with `genre-lens predict --probabilities`.
4. With --measure N[,M]: N generated rows (genres_v2 repeated, each copy's durations shifted, as
   the e2e tests generate them): the Dask run's time and peak memory against
   `genre-lens eval --model gbt` on one core (taskset -c 0, /usr/bin/time -v).

Fails (exit 1) when a parity check does: the top genre must agree wherever the library's top
two differ by more than 1e-6, and no probability may differ by more than 1e-5.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore", message=".*float_precision.*")

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
            "instrumentalness", "liveness", "valence", "tempo", "duration_ms", "time_signature"]
failures = []


def run(cmd, **kw):
    print("$ " + " ".join(str(c) for c in cmd), file=sys.stderr)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def read(path):
    return pd.read_csv(path, float_precision="round_trip", low_memory=False)


def compare(what, ours_csv, theirs, rows):
    """`ours_csv`: genre-lens predict --probabilities output; `theirs`: the library's
    probabilities, one row per input row (row r of the input is spreadsheet row r + 2)."""
    ours = read(ours_csv)
    cols = [c for c in ours.columns if c.startswith("p_")]
    theirs = theirs[cols].to_numpy() if isinstance(theirs, pd.DataFrame) else theirs
    want = theirs[ours["row"].to_numpy() - 2]
    got = ours[cols].to_numpy()
    diff = float(np.abs(got - want).max())
    top2 = np.sort(want, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 1e-6
    disagree = int((got.argmax(axis=1) != want.argmax(axis=1))[clear].sum())
    input_rows = rows.iloc[ours["row"].to_numpy() - 2]
    missing = int(input_rows["loudness"].isna().sum()) if "loudness" in input_rows else 0
    ok = diff <= 1e-5 and disagree == 0 and len(ours) == len(theirs)
    print(f"{what}: {len(ours)} rows ({missing} with missing loudness), max probability "
          f"difference {diff:.2e}, top genre differs on {disagree} of {int(clear.sum())} rows "
          f"with a margin > 1e-6 -> {'ok' if ok else 'FAILED'}")
    if not ok:
        failures.append(what)
    return diff


def parity(bin_, out, scheduler):
    py = sys.executable
    lgb_dir = os.path.join(out, "lightgbm")
    cmd = [py, os.path.join(HERE, "train_dask_lightgbm.py"), "--data",
           os.path.join(ROOT, "data/genres_v2.csv"), "--out", lgb_dir]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    run(cmd, stderr=subprocess.DEVNULL)
    run([bin_, "import", os.path.join(lgb_dir, "model.txt"), "--out", os.path.join(lgb_dir, "model.bin"),
         "--classes", os.path.join(lgb_dir, "classes.txt")])
    holdout = os.path.join(lgb_dir, "holdout.csv")
    run([bin_, "predict", "--probabilities", "--model", os.path.join(lgb_dir, "model.bin"),
         "--input", holdout, "--output", os.path.join(lgb_dir, "ours.csv")], stderr=subprocess.DEVNULL)
    rows = read(holdout)
    compare("LightGBM (Dask) imported", os.path.join(lgb_dir, "ours.csv"),
            read(os.path.join(lgb_dir, "lightgbm_proba.csv")), rows)

    # XGBoost, multi:softprob, on a held-back fifth of the bundled data.
    import xgboost as xgb
    xgb_dir = os.path.join(out, "xgboost")
    os.makedirs(xgb_dir, exist_ok=True)
    data = read(os.path.join(ROOT, "data/genres_v2.csv"))
    classes = sorted(data["genre"].unique())
    y = data["genre"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    rng = np.random.default_rng(21)
    held = rng.random(len(data)) < 0.2
    X = data[FEATURES].astype("float64")
    model = xgb.XGBClassifier(objective="multi:softprob", n_estimators=100, max_depth=6,
                              learning_rate=0.1, tree_method="hist", random_state=21)
    model.fit(X[~held], y[~held])
    model.save_model(os.path.join(xgb_dir, "model.json"))
    with open(os.path.join(xgb_dir, "classes.txt"), "w") as f:
        f.write("\n".join(classes) + "\n")
    hold = data[held][FEATURES + ["genre"]]
    hold.to_csv(os.path.join(xgb_dir, "holdout.csv"), index=False, float_format="%.17g")
    proba = pd.DataFrame(model.predict_proba(X[held]), columns=[f"p_{c}" for c in classes])
    run([bin_, "import", os.path.join(xgb_dir, "model.json"), "--out", os.path.join(xgb_dir, "model.bin"),
         "--classes", os.path.join(xgb_dir, "classes.txt")])
    run([bin_, "predict", "--probabilities", "--model", os.path.join(xgb_dir, "model.bin"),
         "--input", os.path.join(xgb_dir, "holdout.csv"), "--output", os.path.join(xgb_dir, "ours.csv")],
        stderr=subprocess.DEVNULL)
    compare("XGBoost imported", os.path.join(xgb_dir, "ours.csv"), proba, hold.reset_index(drop=True))

    # Our models exported, predicted by LightGBM itself on the raw held-back rows.
    import lightgbm as lgb
    for name in ["model.bin", "forest.bin"]:
        txt = os.path.join(out, f"exported-{name}.txt")
        run([bin_, "export", "--to", "lightgbm", "--model", os.path.join(ROOT, "public", name), "--out", txt])
        run([bin_, "predict", "--probabilities", "--model", os.path.join(ROOT, "public", name),
             "--input", holdout, "--output", os.path.join(out, f"ours-{name}.csv")], stderr=subprocess.DEVNULL)
        booster = lgb.Booster(model_file=txt)
        theirs = booster.predict(rows[booster.feature_name()].to_numpy(dtype=np.float64))
        compare(f"public/{name} exported, predicted by LightGBM", os.path.join(out, f"ours-{name}.csv"),
                theirs, rows)


def generated(rows):
    """target/tmp/genres-<rows>-rows.csv, as tests/e2e/src/lib.rs `genres_csv` writes it."""
    path = os.path.join(ROOT, "target", "tmp", f"genres-{rows}-rows.csv")
    if os.path.isfile(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(os.path.join(ROOT, "data/genres_v2.csv")) as f:
        lines = f.read().split("\n")
    header, body = lines[0], [l for l in lines[1:] if l]
    dur = header.split(",").index("duration_ms")
    partial = path + ".partial"
    with open(partial, "w") as out:
        out.write(header + "\n")
        for i in range(rows):
            copy = i // len(body)
            cells = body[i % len(body)].split(",")
            if cells[dur].isdigit():
                cells[dur] = str(int(cells[dur]) + copy)
            out.write(",".join(cells) + "\n")
    os.replace(partial, path)
    return path


def measure(bin_, out, sizes, scheduler, rounds):
    table = []
    for n in sizes:
        data = generated(n)
        d = os.path.join(out, f"measure-{n}")
        cmd = [sys.executable, os.path.join(HERE, "train_dask_lightgbm.py"), "--data", data, "--out", d,
               "--rounds", str(rounds), "--holdout-rows", "5000"]
        if scheduler:
            cmd += ["--scheduler", scheduler]
        run(cmd, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        dask = json.load(open(os.path.join(d, "run.json")))
        start = time.time()
        res = run(["taskset", "-c", "0", "/usr/bin/time", "-v", bin_, "eval", "--data", data, "--model", "gbt",
                   "--features", "all", "--rounds", str(rounds), "--json"], capture_output=True, text=True)
        seconds = time.time() - start
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", res.stderr).group(1))
        cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", res.stderr).group(1))
                  for k in ["User", "System"])
        ours = json.loads(res.stdout)["models"][0]
        table.append((n, dask, seconds, rss_kb * 1024, ours))
        print(f"{n} rows: LightGBM on Dask ({dask['workers']}, {rounds} rounds) {dask['seconds']} s "
              f"({dask.get('cpu_seconds', float('nan'))} CPU s), peak {dask['peak_memory_bytes'] / 1e9:.2f} GB, "
              f"holdout accuracy {dask['holdout_accuracy']:.3f}; genre-lens eval --model gbt --rounds {rounds} "
              f"(one core) {seconds:.1f} s ({cpu:.1f} CPU s), peak {rss_kb * 1024 / 1e9:.2f} GB, "
              f"holdout accuracy {ours.get('accuracy', float('nan')):.3f}")
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the genre-lens binary")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "interop"))
    ap.add_argument("--scheduler", help="a Dask scheduler's address (default: a LocalCluster)")
    ap.add_argument("--measure", default="", help="generated row counts to time, e.g. 1000000,10000000")
    ap.add_argument("--rounds", type=int, default=100, help="boosting rounds of the measured runs")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    parity(a.bin, a.out, a.scheduler)
    if a.measure:
        measure(a.bin, a.out, [int(n) for n in a.measure.split(",")], a.scheduler, a.rounds)
    if failures:
        print("FAILED: " + ", ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
