"""``python -m bench [NAME …] [--villages 20000 [100000 …]]`` (``make bench``).

For each data size: make sure its loaded database exists (``bench/common.py``), then run each
benchmark in a child process on a fresh copy of it. With more than one size, each measure is
also compared with itself at the next smaller size (goal: no worse than linear in villages).
A module may ask for further sizes (``EXTRA_SIZES``: the dashboard compares with 2,000) and
set its own goal for that comparison (``GROWTH_GOAL``).
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile

from bench.common import (
    base_url,
    copy_database,
    database_url,
    drop_database,
    ensure_loaded,
    report,
    size_label,
)

BENCHMARKS = ["village_list_api", "dashboard", "score_import", "tiering", "rating_submit",
              "bulletin_api", "roster"]
DEFAULT_SIZES = [20_000]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--villages", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("names", nargs="*", metavar="NAME")
    options = parser.parse_args(argv)
    names = options.names or BENCHMARKS
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    base_url()  # refuses anything but PostgreSQL before creating anything
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        sizes = sorted(set(options.villages) | set(getattr(module, "EXTRA_SIZES", ())))
        results, failed = {}, False
        for villages in sizes:
            try:
                results[villages] = run_child(name, villages)
            except subprocess.CalledProcessError:
                # Reported (the child printed its traceback); the other benchmarks still run.
                print(f"{name} at {villages:,} villages: FAILED", flush=True)
                failed = True
        compare_sizes(results, getattr(module, "GROWTH_GOAL", None))
    return 1 if failed else 0


def run_child(name: str, villages: int) -> dict[str, dict]:
    """Run one benchmark at one size on a fresh copy of the loaded data; its recorded figures."""
    loaded = ensure_loaded(villages)
    work = database_url(size_label(villages))
    copy_database(loaded, work)
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as results:
        env = {**os.environ, "DATABASE_URL": work, "BENCH_RESULTS": results.name}
        subprocess.run([sys.executable, "-m", "bench.child", name, str(villages)], env=env,
                       check=True)
        figures = {}
        for line in results:
            record = json.loads(line)
            figures[record["key"]] = record
    drop_database(work)
    return figures


def compare_sizes(results: dict[int, dict[str, dict]], growth_goal: str | None) -> None:
    sizes = sorted(results)
    for small, large in zip(sizes, sizes[1:], strict=False):
        factor = large / small
        for key, figure in results[large].items():
            before = results[small].get(key)
            if before is None:
                continue
            time_like = not figure["unit"].endswith("/s")
            if growth_goal:
                goal = growth_goal
            elif time_like:
                goal = f"≤ {factor:.1f}, linear"
            else:
                goal = "≥ 1.0, linear" if figure["scaled"] else f"≥ {1 / factor:.2f}, linear"
            report(f"{key} at {large:,} vs {small:,} villages", figure["project"],
                   before["project"], figure["unit"], goal, key=f"growth {key}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
