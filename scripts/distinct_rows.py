"""A CSV of ROWS tracks in the genres_v2.csv layout whose rows are all distinct: data/genres_v2.csv
repeated, every audio feature of each copy moved by up to 2% and each duration by up to 2 s
(seeded, so the same file every time). The e2e tests' generator only shifts durations, so its
copies split where the originals did; here unpruned trees grow as deep as the rows allow, which
is what a model's memory has to survive.

Usage: python3 scripts/distinct_rows.py ROWS OUT.csv   (standard library only)
"""
import random
import sys
from pathlib import Path

MOVED = ["danceability", "energy", "speechiness", "acousticness", "liveness", "valence", "tempo",
         "loudness", "instrumentalness"]


def main():
    rows, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(7)
    source = Path(__file__).resolve().parent.parent / "data" / "genres_v2.csv"
    lines = [l for l in source.read_text().split("\n") if l]
    header, body = lines[0], [l.split(",") for l in lines[1:]]
    columns = header.split(",")
    moved = [columns.index(c) for c in MOVED]
    duration = columns.index("duration_ms")
    with open(out, "w") as f:
        f.write(header + "\n")
        for i in range(rows):
            cells = list(body[i % len(body)])
            for j in moved:
                if cells[j]:
                    cells[j] = repr(round(float(cells[j]) * (1 + rng.uniform(-0.02, 0.02)), 6))
            if cells[duration].isdigit():
                cells[duration] = str(int(cells[duration]) + rng.randint(-2000, 2000))
            f.write(",".join(cells) + "\n")


if __name__ == "__main__":
    main()
