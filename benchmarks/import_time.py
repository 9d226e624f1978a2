"""Benchmark what ``import gladier`` costs over a bare interpreter, measured in the same run.

    python3 dev.py bench benchmarks/import_time.py [--runs 30]

Starts ``python -c "pass"`` and ``python -c "import gladier"`` alternately, ``--runs`` times
each, and prints the median and best wall time of both, their difference and their ratio.
Target: the median difference is at most 150 ms (``import gladier`` loads no cloud SDK, no
executor library, no web framework and no pydantic; the SDK's names resolve on first use).
It also prints the difference for ``from gladier import GladierBaseClient``, which loads the
client, its managers and storage (but not the runtime, which a client opens on first use).
Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

TARGET_MS = 150.0
CASES = {
    "bare interpreter": "pass",
    "import gladier": "import gladier",
    "from gladier import GladierBaseClient": "from gladier import GladierBaseClient",
}


def wall_time(code: str) -> float:
    """Seconds for a fresh interpreter to run ``code`` and exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="starts per case (default 30)")
    args = parser.parse_args(argv)
    for code in CASES.values():  # warm the file cache and the bytecode cache
        wall_time(code)
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, code in CASES.items():
            samples[name].append(wall_time(code))
    bare = statistics.median(samples["bare interpreter"])
    print(f"{'case':<40} {'median':>9} {'best':>9} {'- bare':>9} {'ratio':>7}")
    for name, times in samples.items():
        median = statistics.median(times)
        print(
            f"{name:<40} {median * 1000:8.1f}ms {min(times) * 1000:8.1f}ms "
            f"{(median - bare) * 1000:8.1f}ms {median / bare:6.2f}x"
        )
    difference_ms = (statistics.median(samples["import gladier"]) - bare) * 1000
    verdict = "met" if difference_ms <= TARGET_MS else "MISSED"
    print(
        f"import gladier costs {difference_ms:.1f} ms over a bare interpreter "
        f"(target at most {TARGET_MS:.0f} ms): {verdict}"
    )
    return 0 if difference_ms <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
