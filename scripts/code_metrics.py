"""Function length (median / p90 per app) and module sizes over fangpin/, tests and migrations
left out: the figures issue 13 asks for, measured the same way before and after a change.

    python scripts/code_metrics.py [ROOT]
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path


def _functions(tree: ast.AST) -> list[int]:
    return [
        (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _p90(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def main(root: Path) -> None:
    per_app: dict[str, list[int]] = {}
    big: list[tuple[int, str]] = []
    for path in sorted((root / "fangpin").rglob("*.py")):
        rel = path.relative_to(root)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > 400:
            big.append((lines, str(rel)))
        per_app.setdefault(rel.parts[1], []).extend(_functions(ast.parse(text)))
    every = [n for lengths in per_app.values() for n in lengths]
    sys.stdout.write(f"all: {len(every)} functions, median {statistics.median(every):g}, p90 {_p90(every)}\n")
    for app, lengths in sorted(per_app.items()):
        if lengths:
            median = statistics.median(lengths)
            sys.stdout.write(f"  {app}: {len(lengths)} functions, median {median:g}, p90 {_p90(lengths)}\n")
    sys.stdout.write(f"modules over 400 lines: {len(big)}\n")
    for lines, rel in sorted(big, reverse=True):
        sys.stdout.write(f"  {lines:5d} {rel}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
