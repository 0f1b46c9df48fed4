#!/usr/bin/env bash
# Makes (once) the Python venv the interop tools use: target/interop-venv, with LightGBM,
# XGBoost, pandas, Dask and scikit-learn from PyPI. Prints the venv's python.
#   scripts/interop/venv.sh
# The product never runs Python: these are tools around it (fixtures, `./x interop`).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/interop-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import lightgbm, xgboost, pandas, dask.dataframe, distributed, sklearn' 2>/dev/null; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --upgrade pip >&2
    "$venv/bin/pip" install -q lightgbm xgboost pandas 'dask[dataframe,distributed]' scikit-learn >&2
fi
echo "$venv/bin/python"
