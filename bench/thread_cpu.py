#!/usr/bin/env python3
"""CPU time of Chromium's threads while a command runs, summed by thread name (Linux only).

Wall-clock figures on a shared 2-core machine move by a third from run to run; the CPU time a
browser thread used over the same work moves much less. Used to see what the page's own
threads (`chromium`: the browser's and the renderer's main threads; `Compositor`,
`VizCompositorThread`) take from the training workers (`DedicatedWorker`) during a run.

Usage: python3 bench/thread_cpu.py -- COMMAND [ARGS...]
e.g.   python3 bench/thread_cpu.py -- cargo test --release -p genre-lens-e2e --test train \
           measure_forest_workers_and_big_csv -- --ignored --nocapture

Threads are sampled every 0.3 s (a thread's last sample counts, so a thread that ends within
0.3 s of its last sample loses at most that much).
"""

import collections
import os
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def chromium_threads():
    """(pid, tid) -> (thread name, CPU ticks) of every thread of every Chromium process."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            exe = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0]
            if b"chrom" not in os.path.basename(exe) or b"chromedriver" in exe:
                continue
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                stat = open(f"/proc/{pid}/task/{tid}/stat").read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            found[(pid, tid)] = (name, int(fields[11]) + int(fields[12]))
    return found


def main():
    if "--" not in sys.argv or sys.argv.index("--") == len(sys.argv) - 1:
        sys.exit(__doc__)
    command = sys.argv[sys.argv.index("--") + 1 :]
    seen = {}
    child = subprocess.Popen(command)
    while child.poll() is None:
        seen.update(chromium_threads())
        time.sleep(0.3)
    by_name = collections.Counter()
    for name, ticks in seen.values():
        by_name[name] += ticks
    total = sum(by_name.values())
    print(f"Chromium threads' CPU while the command ran: {total / TICKS:.1f} s")
    for name, ticks in by_name.most_common(8):
        print(f"  {ticks / TICKS:7.2f} s  {name}")
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
