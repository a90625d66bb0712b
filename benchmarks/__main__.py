"""Every benchmark in turn, then one table of every ratio against its floor.

Each script runs in a process of its own and adds its results to one file;
the table is printed from it at the end. Arguments after the script names are
passed to every script (for example a store: ``python -m benchmarks sqlite``).
Usage: python -m benchmarks [sqlite|postgres ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.support import HEADER, RESULTS_FILE, read_results

SCRIPTS = ("reads", "commands", "rebuild", "audit", "kafka", "dividend")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as directory:
        results = Path(directory) / "results.jsonl"
        env = os.environ | {RESULTS_FILE: str(results)}
        for script in SCRIPTS:
            print(f"\n== benchmarks.{script}", file=sys.stderr)
            subprocess.run([sys.executable, "-m", f"benchmarks.{script}", *sys.argv[1:]], env=env, check=True)
            if script == "commands":
                subprocess.run(
                    [sys.executable, "-m", "benchmarks.commands", "--hot", *sys.argv[1:]], env=env, check=True
                )
        print(f"\nEvery path against its floor (median of three rounds side by side)\n{HEADER}")
        for result in read_results(results) if results.exists() else []:
            print(result.line())


if __name__ == "__main__":
    main()
