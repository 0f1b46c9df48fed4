#!/usr/bin/env bash
# Runs each fuzz target for a bounded time on the checked-in seeds and the bad-input corpus.
#   fuzz/run.sh [seconds-per-target]      (default 60)
# Works on stable Rust: cargo-fuzz needs nightly flags, which RUSTC_BOOTSTRAP=1 unlocks.
# Exits non-zero when a target finds a crash (the reproducer lands in fuzz/artifacts/<target>/).
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz..." >&2
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

export RUSTC_BOOTSTRAP=1
# No unbounded allocation from a size field: a single malloc over 256 MB or an RSS over
# 512 MB is reported as a crash.
limits=(-rss_limit_mb=512 -malloc_limit_mb=256 -timeout=10)

run() {
    local target="$1"; shift
    mkdir -p "corpus/$target"
    echo "== $target: ${seconds}s" >&2
    cargo fuzz run "$target" "corpus/$target" "$@" -- -max_total_time="$seconds" "${limits[@]}"
}

run csv_ingest seeds/csv_ingest ../tests/bad_inputs/csv
run model_file seeds/model_file ../tests/bad_inputs/model
run import seeds/import_lightgbm seeds/import_xgboost
