"""Sizes a reader can hold in their head: no module over 500 lines, no function over 60.

Migrations are generated and exempt. A function's length runs from its ``def`` line to its last
line (decorators not counted, its docstring counted).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "villages", "casework", "earlywarning", "rectify", "bench")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60


def modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                  if "migrations" not in path.relative_to(ROOT).parts)


def test_no_module_is_longer_than_500_lines():
    long = {str(path.relative_to(ROOT)): lines for path in modules()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}

    assert long == {}


def test_no_function_is_longer_than_60_lines():
    long = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines

    assert long == {}
