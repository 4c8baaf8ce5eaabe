import importlib
import sys

from bench.common import setup_django

BENCHMARKS = ["village_list_api", "dashboard", "score_import", "tiering", "rating_submit",
              "bulletin_api", "roster"]


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    setup_django()
    for name in names:
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
