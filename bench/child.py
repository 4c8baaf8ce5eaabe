"""``python -m bench.child NAME VILLAGES``: one benchmark at one size, in its own process (Django
binds its database, the fresh copy ``bench/__main__.py`` made, at start-up)."""

import importlib
import sys

from bench.common import setup_django


def main(name: str, villages: int) -> None:
    setup_django()
    importlib.import_module(f"bench.{name}").run(villages)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
