#!/usr/bin/env python3
"""scikit-learn / LightGBM baselines on exactly the rows Genre Lens uses.

Usage: python3 bench/sklearn_baseline.py target/split/train.csv target/split/test.csv
(make the split with `genre-lens split`). Median imputation fitted on the training part, no
other preprocessing, library defaults, one thread. Prints a table and, with --json, JSON.
Not a runtime dependency of the project: it is only here to measure against.
"""
import json
import sys
import time

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


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    train = pd.read_csv(args[0])
    test = pd.read_csv(args[1])
    which = ["rf", "lightgbm", "hgb"]
    for f in flags:
        if f.startswith("--models="):
            which = f.split("=", 1)[1].split(",")
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
