"""Run every benchmark at its default size, one after the other (`make bench`).

Each script prints its own timings next to its baseline from the same run; the figures
in the README's performance section come from these commands.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = (
    ("sample operator", ["sample.py"]),
    ("re-rating and plan advice", ["rerate.py", "--subscriptions", "100000"]),
    ("scan floor", ["scan_floor.py", "--subscriptions", "100000"]),
)


def main() -> int:
    failed = 0
    for title, args in SCRIPTS:
        print(f"\n## {title}: python benchmarks/{' '.join(args)}\n", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / args[0]), *args[1:]], cwd=HERE)
    return failed


if __name__ == "__main__":
    sys.exit(main())
