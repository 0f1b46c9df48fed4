#!/usr/bin/env python3
"""Writes the interop fixtures the core's tests read (no Python at test time):
small LightGBM text models and XGBoost JSON models trained by the real libraries on a slice of
data/genres_v2.csv, the rows they are checked on, and each library's own predict_proba on them.

    $(scripts/interop/venv.sh) scripts/interop/make_fixtures.py

Output: crates/genre-core/tests/fixtures/interop/ (a few KB a model). Each case exercises one
piece of the formats' semantics: NaN as missing, zero as missing, default-left both ways, a
categorical feature, multiclassova, random-forest mode, a per-class base_score, multi:softmax.
"""
import json
import os
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd
import xgboost as xgb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "crates", "genre-core", "tests", "fixtures", "interop")
GENRES = ["Dark Trap", "Underground Rap", "dnb", "hardstyle"]
FEATURES = ["danceability", "energy", "key", "loudness", "speechiness", "acousticness",
            "instrumentalness", "valence", "tempo", "duration_ms"]


def load():
    df = pd.read_csv(os.path.join(ROOT, "data", "genres_v2.csv"), low_memory=False)
    df = df[df["genre"].isin(GENRES)].copy()
    rng = np.random.default_rng(21)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    X = df[FEATURES].astype("float64")
    y = df["genre"].map({g: i for i, g in enumerate(GENRES)}).to_numpy()
    # genres_v2 already has missing loudness; make more of it, and missing tempo, so that
    # trees learn a default direction both ways.
    X.loc[rng.random(len(X)) < 0.15, "loudness"] = np.nan
    X.loc[(y == 2) & (rng.random(len(X)) < 0.5), "tempo"] = np.nan
    # Tie `key` to the genre in half the rows, so that categorical splits on it are worth making.
    tied = rng.random(len(X)) < 0.5
    X.loc[tied, "key"] = np.array([1, 4, 6, 9, 11])[y[tied] + rng.integers(0, 2, tied.sum())]
    return X, y


def write_rows(X):
    # %.17g: the values the libraries saw, read back bit for bit.
    X.to_csv(os.path.join(OUT, "rows.csv"), index=False, float_format="%.17g")


def write_proba(name, p):
    pd.DataFrame(p, columns=[f"p_{g}" for g in GENRES]).to_csv(
        os.path.join(OUT, f"{name}.proba.csv"), index=False, float_format="%.17g")


def main():
    os.makedirs(OUT, exist_ok=True)
    X, y = load()
    n_test = 240
    Xt, yt = X.iloc[n_test:n_test + 2500], y[n_test:n_test + 2500]
    Xe = X.iloc[:n_test].copy()
    # Rows the tests must get right: zeros where zero is missing, an unseen category, all missing.
    Xe.iloc[0, :] = np.nan
    Xe.iloc[1, FEATURES.index("instrumentalness")] = 0.0
    Xe.iloc[2, FEATURES.index("key")] = 40.0
    Xe.iloc[3, FEATURES.index("key")] = -1.0
    write_rows(Xe)
    with open(os.path.join(OUT, "classes.txt"), "w") as f:
        f.write("\n".join(GENRES) + "\n")

    common = dict(n_estimators=5, num_leaves=6, learning_rate=0.3, min_child_samples=10,
                  verbose=-1, random_state=1)
    cases = {
        # Softmax, NaN as missing (LightGBM's default), names from the data frame.
        "lgb_multiclass": (dict(objective="multiclass"), {}),
        # Zero as missing: instrumentalness is mostly 0.
        "lgb_zero_missing": (dict(objective="multiclass", zero_as_missing=True), {}),
        # One-vs-rest sigmoids with `key` categorical (bitset splits).
        "lgb_ova_categorical": (dict(objective="multiclassova", cat_smooth=1, min_data_per_group=5,
                                     max_cat_to_onehot=2),
                                dict(categorical_feature=["key"])),
        # Random-forest mode: average_output.
        "lgb_rf": (dict(objective="multiclass", boosting_type="rf", bagging_fraction=0.7,
                        bagging_freq=1, feature_fraction=0.8), {}),
    }
    for name, (params, fit) in cases.items():
        m = lgb.LGBMClassifier(**{**common, **params})
        m.fit(Xt, yt, **fit)
        m.booster_.save_model(os.path.join(OUT, f"{name}.txt"))
        write_proba(name, m.predict_proba(Xe))

    # A numpy-trained model: LightGBM names the features Column_0.. (the import needs --features).
    m = lgb.LGBMClassifier(**{**common, "objective": "multiclass", "n_estimators": 3})
    m.fit(Xt.to_numpy(), yt)
    m.booster_.save_model(os.path.join(OUT, "lgb_unnamed.txt"))
    write_proba("lgb_unnamed", m.predict_proba(Xe.to_numpy()))

    xcommon = dict(n_estimators=5, max_depth=3, learning_rate=0.3, random_state=1,
                   tree_method="hist")
    # multi:softprob; XGBoost >= 3 estimates a per-class intercept: a base_score vector.
    m = xgb.XGBClassifier(objective="multi:softprob", **xcommon)
    m.fit(Xt, yt)
    m.save_model(os.path.join(OUT, "xgb_softprob.json"))
    write_proba("xgb_softprob", m.predict_proba(Xe))

    # multi:softmax with `key` categorical (partition splits) and a scalar base_score.
    Xc, Xec = Xt.copy(), Xe.copy()
    feature_types = ["c" if f == "key" else "q" for f in FEATURES]
    m = xgb.XGBClassifier(objective="multi:softmax", base_score=0.25, enable_categorical=True,
                          feature_types=feature_types, max_cat_to_onehot=1, **xcommon)
    m.fit(Xc.to_numpy(), yt)
    m.get_booster().feature_names = FEATURES
    m.save_model(os.path.join(OUT, "xgb_softmax_categorical.json"))
    write_proba("xgb_softmax_categorical", m.predict_proba(Xec.to_numpy()))

    print(f"lightgbm {lgb.__version__}, xgboost {xgb.__version__}: fixtures in {OUT}",
          file=sys.stderr)
    with open(os.path.join(OUT, "VERSIONS"), "w") as f:
        f.write(f"lightgbm {lgb.__version__}\nxgboost {xgb.__version__}\n")


if __name__ == "__main__":
    main()
