#!/usr/bin/env python3
"""scikit-learn / LightGBM baselines on exactly the rows Genre Lens uses.

Usage: python3 bench/sklearn_baseline.py target/split/train.csv target/split/test.csv
(make the split with `genre-lens split`). Median imputation fitted on the training part, no
other preprocessing, library defaults, one thread. Prints a table and, with --json, JSON.
Not a runtime dependency of the project: it is only here to measure against.

--tune[=SECONDS] (default 120): LightGBM tuned by the search `genre-lens tune` runs, on the 13
features: the same settings space (`candidate()` in crates/genre-core/src/tune.rs, mapped to
LightGBM's names), drawn by the same generator, so LightGBM's trial k+1 has the settings of the
booster's k-th turn of `genre-lens tune --models gbt,rf` (trials 1, 3, 5, ...; trial 0 is
LightGBM's own defaults); early stopping (40 rounds) on a stratified 10% slice of each
training part, as our booster does; each trial scored by stratified k-fold cross-validation
(--folds=K; as the CLI, 3, or 5 below 10,000 training rows) on the training rows only; no new
trial after the budget (--clock=cpu counts this process's CPU seconds, --clock=wall elapsed
ones); then the CLI's choice (LightGBM's defaults unless the best trial beats them by more than
one standard error of the per-fold differences) is refitted on the whole training part and
scored once on the holdout, beside LightGBM's defaults. --seed=42.
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import BaggingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

NINE = ["energy", "loudness", "speechiness", "acousticness", "instrumentalness", "liveness",
        "valence", "tempo", "duration_ms"]
ALL = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
       "instrumentalness", "liveness", "valence", "tempo", "duration_ms", "time_signature"]


def models(which):
    out = {
        "rf": lambda: RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=42),
        "lightgbm": None,
        "hgb": lambda: HistGradientBoostingClassifier(random_state=42),
        "bagging": lambda: BaggingClassifier(random_state=42, n_jobs=1),
        "tree": lambda: DecisionTreeClassifier(random_state=42),
        "knn": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)),
        "svc": lambda: make_pipeline(StandardScaler(), SVC()),
    }
    try:
        import lightgbm as lgb
        out["lightgbm"] = lambda: lgb.LGBMClassifier(n_jobs=1, random_state=42, verbose=-1)
    except ImportError:
        del out["lightgbm"]
    return {k: v for k, v in out.items() if k in which and v is not None}


# --- Tuned LightGBM: the search of crates/genre-core/src/tune.rs -----------------------------

MASK = (1 << 64) - 1


class Rng:
    """crates/genre-core/src/rng.rs (SplitMix64), so the draws are the same as the CLI's."""

    def __init__(self, seed):
        self.state = (seed ^ 0x9E3779B97F4A7C15) & MASK

    @classmethod
    def derive(cls, seed, i):
        r = cls((seed + i * 0xD1B54A32D192ED03) & MASK)
        r.next_u64()
        return r

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return ((self.next_u64() >> 32) * n) >> 32


# Our booster's defaults (BoostParams::default) and, per setting, the values candidate() draws
# from, in its order of draws. Keep in step with crates/genre-core/src/tune.rs.
BOOST_DEFAULTS = dict(learning_rate=0.05, max_leaves=31, max_rounds=600, min_data_in_leaf=20,
                      lambda_=1.0, feature_fraction=0.8, row_fraction=0.8)
BOOST_SPACE = [
    ("learning_rate", [0.02, 0.03, 0.05, 0.08, 0.12]),
    ("max_leaves", [7, 15, 31, 63, 127]),
    ("min_data_in_leaf", [5, 10, 20, 40, 80]),
    ("lambda_", [0.0, 0.5, 1.0, 3.0, 10.0]),
    ("feature_fraction", [0.5, 0.7, 0.8, 1.0]),
    ("row_fraction", [0.6, 0.8, 1.0]),
]
SEARCH_MODELS = 2  # `genre-lens tune`'s default --models gbt,rf take turns: the booster's are even


def booster_candidate(seed, turn):
    """The booster's settings of candidate(options, index) for its `turn`-th trial."""
    if turn == 0:
        return dict(BOOST_DEFAULTS)
    index = turn * SEARCH_MODELS
    rng = Rng.derive(seed ^ 0x74756E65, index)
    out = dict(BOOST_DEFAULTS, max_rounds=2000)
    for name, values in BOOST_SPACE:
        out[name] = values[rng.below(len(values))]
    return out


def lgbm_params(c, seed):
    """Our booster's settings in LightGBM's words (one thread, its 255 bins like ours)."""
    return dict(
        learning_rate=c["learning_rate"], num_leaves=c["max_leaves"],
        n_estimators=c["max_rounds"], min_child_samples=c["min_data_in_leaf"],
        reg_lambda=c["lambda_"], colsample_bytree=c["feature_fraction"],
        subsample=c["row_fraction"], subsample_freq=1 if c["row_fraction"] < 1.0 else 0,
        min_child_weight=1e-3, n_jobs=1, random_state=seed, verbose=-1,
    )


def fit_lgbm(params, x, y, seed, early_stopping):
    """Fits LightGBM; with early stopping, on 90% of the rows with the other 10% (stratified)
    as the stopping slice, as our booster does."""
    import lightgbm as lgb
    from sklearn.model_selection import train_test_split
    m = lgb.LGBMClassifier(**params)
    # LightGBM 4.7 renames eval_set (eval_X, eval_y); the old name still works everywhere.
    warnings.filterwarnings("ignore", message=".*eval_set.*deprecated")
    if not early_stopping:
        return m.fit(x, y)
    xf, xv, yf, yv = train_test_split(x, y, test_size=0.1, stratify=y, random_state=seed)
    return m.fit(xf, yf, eval_set=[(xv, yv)],
                 callbacks=[lgb.early_stopping(40, first_metric_only=True, verbose=False)])


def tune_lightgbm(train, test, budget, clock, folds, seed):
    from sklearn.model_selection import StratifiedKFold
    now = time.process_time if clock == "cpu" else time.perf_counter
    med = train[ALL].median()
    x = train[ALL].fillna(med).to_numpy()
    xte = test[ALL].fillna(med).to_numpy()
    y = train["genre"].to_numpy()
    library_defaults = dict(n_jobs=1, random_state=seed, verbose=-1)
    # Trial 0: LightGBM's defaults (100 rounds, no early stopping); then the booster's turns.
    trials = []
    start, wall0, cpu0 = now(), time.perf_counter(), time.process_time()
    k = 0
    while True:
        if k == 0:
            params, es, desc = library_defaults, False, "LightGBM defaults (100 rounds, lr 0.1, 31 leaves)"
        else:
            c = booster_candidate(seed, k - 1)
            params, es = lgbm_params(c, seed), True
            desc = (f"lr {c['learning_rate']}, {c['max_leaves']} leaves, up to {c['max_rounds']} rounds, "
                    f"min {c['min_data_in_leaf']} rows per leaf, L2 {c['lambda_']}, "
                    f"features {c['feature_fraction']}, rows {c['row_fraction']}")
        scores, rounds = [], []
        for tr, va in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
            m = fit_lgbm(params, x[tr], y[tr], seed, es)
            scores.append(accuracy_score(y[va], m.predict(x[va])))
            rounds.append(m.best_iteration_ or m.n_estimators_)
        trials.append(dict(trial=k, cv=float(np.mean(scores)), folds=scores, params=params,
                           early_stopping=es, settings=desc, rounds=rounds))
        print(f"trial {k:>3}  cv {np.mean(scores):.4f}  {time.perf_counter() - wall0:7.1f} s "
              f"({time.process_time() - cpu0:.1f} s CPU)  rounds {rounds}  {desc}",
              file=sys.stderr, flush=True)
        k += 1
        if now() - start >= budget:
            break
    search_wall, search_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    # Best CV first; the earlier trial on a tie (as the CLI's leaderboard). Then the CLI's
    # choice (Leaderboard::choice): trial 0 (LightGBM's defaults: what training without a
    # search gives) unless the best trial beats it by more than one standard error of their
    # paired per-fold differences.
    best = max(trials, key=lambda t: (t["cv"], -t["trial"]))
    reference = trials[0]
    diffs = np.array(best["folds"]) - np.array(reference["folds"])
    se = diffs.std(ddof=1) / np.sqrt(len(diffs)) if len(diffs) > 1 else float("inf")
    chosen = best if diffs.mean() > se else reference

    def holdout(t):
        m = fit_lgbm(t["params"], x, y, seed, t["early_stopping"])
        pred = m.predict(xte)
        return accuracy_score(test["genre"], pred), f1_score(test["genre"], pred, average="macro")

    tuned_acc, tuned_f1 = holdout(chosen)
    dflt_acc, dflt_f1 = holdout(trials[0])
    return dict(trials=trials, best=best, chosen=chosen, search_wall_seconds=search_wall,
                search_cpu_seconds=search_cpu, budget=budget, clock=clock, folds=folds,
                tuned=dict(accuracy=tuned_acc, macro_f1=tuned_f1),
                defaults=dict(accuracy=dflt_acc, macro_f1=dflt_f1))


def print_tuned(r):
    print(f"LightGBM tuned: {len(r['trials'])} trials in {r['search_wall_seconds']:.1f} s "
          f"({r['search_cpu_seconds']:.1f} s CPU; budget {r['budget']:g} s {r['clock']}), "
          f"{r['folds']}-fold CV on the training rows, 13 features")
    print(f"{'trial':>5}  {'CV accuracy':>11}  settings")
    for t in sorted(r["trials"], key=lambda t: (-t["cv"], t["trial"])):
        print(f"{t['trial']:>5}  {t['cv']:11.4f}  {t['settings']}")
    if r["chosen"] is not r["best"]:
        print(f"trial {r['best']['trial']} is ahead of trial {r['chosen']['trial']} (defaults) by "
              f"{100 * (r['best']['cv'] - r['chosen']['cv']):.2f} points on CV, within the noise "
              "of its folds: the defaults are kept")
    print()
    tuned = f"tuned ({r['chosen']['trial']})"
    print(f"{'':12}  {'holdout accuracy':>16}  {'macro F1':>8}  settings")
    print(f"{tuned:12}  {r['tuned']['accuracy']:16.4f}  {r['tuned']['macro_f1']:8.4f}  {r['chosen']['settings']}")
    print(f"{'defaults':12}  {r['defaults']['accuracy']:16.4f}  {r['defaults']['macro_f1']:8.4f}  {r['trials'][0]['settings']}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    train = pd.read_csv(args[0])
    test = pd.read_csv(args[1])
    which = ["rf", "lightgbm", "hgb"]
    # Folds as `genre-lens tune`: 3, or 5 below 10,000 training rows, unless --folds=K.
    opts = {"clock": "wall", "folds": "3" if len(train) >= 10_000 else "5", "seed": "42"}
    tune_budget = None
    for f in flags:
        if f.startswith("--models="):
            which = f.split("=", 1)[1].split(",")
        elif f == "--tune" or f.startswith("--tune="):
            tune_budget = float(f.split("=", 1)[1]) if "=" in f else 120.0
        elif f.split("=", 1)[0][2:] in opts and "=" in f:
            opts[f.split("=", 1)[0][2:]] = f.split("=", 1)[1]
    if tune_budget is not None:
        r = tune_lightgbm(train, test, tune_budget, opts["clock"], int(opts["folds"]), int(opts["seed"]))
        if "--json" in flags:
            print(json.dumps(r, default=str))
        else:
            print_tuned(r)
        return
    rows = []
    for name, feats in [("F9", NINE), ("F13", ALL)]:
        med = train[feats].median()
        xtr = train[feats].fillna(med).to_numpy()
        xte = test[feats].fillna(med).to_numpy()
        for mname, make in models(which).items():
            m = make()
            t0 = time.process_time()
            m.fit(xtr, train["genre"])
            fit = time.process_time() - t0
            pred = m.predict(xte)
            rows.append({
                "features": name, "model": mname,
                "accuracy": accuracy_score(test["genre"], pred),
                "macro_f1": f1_score(test["genre"], pred, average="macro"),
                "fit_cpu_seconds": fit,
            })
    if "--json" in flags:
        print(json.dumps(rows))
    else:
        print(f"{'features':8}  {'model':10}  {'accuracy':>8}  {'macro F1':>8}  {'fit CPU s':>9}")
        for r in rows:
            print(f"{r['features']:8}  {r['model']:10}  {r['accuracy']:8.4f}  {r['macro_f1']:8.4f}  {r['fit_cpu_seconds']:9.2f}")


if __name__ == "__main__":
    main()
