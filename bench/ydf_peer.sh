#!/usr/bin/env bash
# Builds our trainer for Node (bench/node-trainer: the core compiled to wasm32 as the site's
# training worker is, wasm-release profile and wasm-opt -O3) and runs bench/ydf_peer.mjs on the
# split's files: YDF's JavaScript trainer beside ours, in the same Node.
#   bench/ydf_peer.sh [TRAIN.csv TEST.csv] [--models=gbt,rf] [--repeat=N]
# Without files it writes the bundled split (`genre-lens split`) into $CARGO_TARGET_DIR/split.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS_DIR="${GENRE_LENS_TOOLS:-$HOME/.cache/genre-lens-tools}"
export PATH="$TOOLS_DIR/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

files=()
while (($#)) && [[ "$1" != --* ]]; do files+=("$1"); shift; done
if ((${#files[@]} == 0)); then
  cargo build --release --offline -q -p genre-cli
  "$TARGET/release/genre-lens" split --out-dir "$TARGET/split"
  files=("$TARGET/split/train.csv" "$TARGET/split/test.csv")
elif ((${#files[@]} != 2)); then
  echo "usage: bench/ydf_peer.sh [TRAIN.csv TEST.csv] [--models=gbt,rf] [--repeat=N]" >&2
  exit 2
fi

cargo build --offline -q --profile wasm-release --target wasm32-unknown-unknown -p genre-lens-node-trainer
out="$TARGET/node-trainer"
wasm-bindgen --target nodejs --out-dir "$out" \
  "$TARGET/wasm32-unknown-unknown/wasm-release/genre_lens_node_trainer.wasm"
wasm-opt -O3 "$out/genre_lens_node_trainer_bg.wasm" -o "$out/genre_lens_node_trainer_bg.wasm"
exec node bench/ydf_peer.mjs "${files[@]}" "$out" "$@"
