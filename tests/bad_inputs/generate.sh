#!/usr/bin/env bash
# Writes the big bad-input files that are not committed into tests/bad_inputs/generated/
# (ignored by git), for manual runs of the CLI and for uploading in the browser:
#   wide_10000_columns.csv  13 features + genre + 9,986 unknown columns, 20 rows  (~1 MB)
#   one_mb_line.csv         a 1 MB file without line breaks (130,000+ "columns")
#   long_name.csv           a valid file whose first song name is 1 MB long
#   valid_100mb.csv         100 MB of valid rows, 5 genres (~1.2 M rows)
# The Rust tests (crates/genre-core/tests/bad_inputs.rs) generate their own copies.
#   tests/bad_inputs/generate.sh [--no-100mb]
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/generated"
mkdir -p "$out"
features="danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,time_signature"

awk -v f="$features" 'BEGIN {
    printf "%s,genre", f; for (i = 0; i < 10000 - 14; i++) printf ",extra_%d", i; printf "\n"
    for (r = 0; r < 20; r++) {
        for (j = 0; j < 13; j++) printf "%s%d.%d", (j ? "," : ""), r, j
        printf ",%s", (r % 2 ? "techno" : "Rap")
        for (i = 0; i < 10000 - 14; i++) printf ",%d", i % 10
        printf "\n"
    }
}' > "$out/wide_10000_columns.csv"

awk 'BEGIN { n = 0; i = 0; while (n < 1048576) { c = sprintf("c%d,", i++); printf "%s", c; n += length(c) } }' \
    > "$out/one_mb_line.csv"

{ echo "energy,genre,song_name"; printf '0.5,Rap,'; head -c 1048576 /dev/zero | tr '\0' 'z'; printf '\n0.6,Emo,short\n'; } \
    > "$out/long_name.csv"

if [[ "${1:-}" != "--no-100mb" ]]; then
    awk -v f="$features" 'BEGIN {
        srand(42); print f ",genre,song_name"
        split("Rap techno Emo Pop trance", g, " ")
        size = 0; n = 0
        while (size < 100 * 1048576) {
            line = sprintf("%.3f,%.3f,%d,%.3f,%d,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,4,%s,track %d",
                rand(), rand(), int(rand() * 12), -30 * rand(), int(rand() * 2), rand() / 10,
                rand(), rand(), rand(), rand(), 60 + 140 * rand(), 120000 + int(rand() * 200000),
                g[1 + int(rand() * 5)], n++)
            print line; size += length(line) + 1
        }
    }' > "$out/valid_100mb.csv"
fi
ls -l "$out"
