"""Mutation testing of ``analytics/monitoring.py``: how many small faults do the tests catch?

A small mutation tool of our own (run by hand, not by ``make test``): every comparison
(``<`` for ``<=``, ``==`` for ``!=``, ``in`` for ``not in`` ...), boolean operator (``and``/``or``),
arithmetic operator (``+``/``-``, ``*``/``/``), number (``n`` -> ``n + 1``) and ``not`` of the module
is a mutation site; a seeded sample of them is applied one at a time to the module, and the
monitoring tests are run against each mutant. A mutant is killed when a test fails (or runs for
longer than the time limit), and survives when every test passes::

    python tests/strategy/mutate_monitoring.py --sample 60 --seed 16
    python tests/strategy/mutate_monitoring.py --src /tmp/old/src --tests /tmp/old/tests/...

Each mutant is loaded in place of the module in this process (the file is never changed), and
a test running past the time limit (an endless loop) fails.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import random
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
REPO = HERE.parents[2]

SWAP_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
SWAP_BINOP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
}


@dataclass(frozen=True)
class Site:
    index: int  # the n-th node of its kind in a walk of the tree
    kind: str
    line: int
    description: str


def _sites(tree: ast.AST) -> list[Site]:
    out: list[Site] = []
    for n, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAP_COMPARE:
                    new = SWAP_COMPARE[type(op)].__name__
                    out.append(Site(n * 10 + k, "compare", line, f"{type(op).__name__} -> {new}"))
        elif isinstance(node, ast.BoolOp):
            new = "Or" if isinstance(node.op, ast.And) else "And"
            out.append(Site(n * 10, "boolop", line, f"{type(node.op).__name__} -> {new}"))
        elif isinstance(node, ast.BinOp) and type(node.op) in SWAP_BINOP:
            new = SWAP_BINOP[type(node.op)].__name__
            out.append(Site(n * 10, "binop", line, f"{type(node.op).__name__} -> {new}"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            out.append(Site(n * 10, "number", line, f"{node.value!r} -> {node.value + 1!r}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append(Site(n * 10, "not", line, "not x -> x"))
    return out


def mutate(source: str, site: Site) -> str:
    tree = ast.parse(source)
    for n, node in enumerate(ast.walk(tree)):
        if n != site.index // 10:
            continue
        k = site.index % 10
        if site.kind == "compare":
            assert isinstance(node, ast.Compare)
            node.ops[k] = SWAP_COMPARE[type(node.ops[k])]()
        elif site.kind == "boolop":
            assert isinstance(node, ast.BoolOp)
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif site.kind == "binop":
            assert isinstance(node, ast.BinOp)
            node.op = SWAP_BINOP[type(node.op)]()
        elif site.kind == "number":
            assert isinstance(node, ast.Constant)
            node.value = node.value + 1
        elif site.kind == "not":
            assert isinstance(node, ast.UnaryOp)
            return _replace_not(tree, node)
        break
    return ast.unparse(tree)


def _replace_not(tree: ast.AST, target: ast.UnaryOp) -> str:
    class Drop(ast.NodeTransformer):
        def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
            if node is target:
                return node.operand
            self.generic_visit(node)
            return node

    return ast.unparse(Drop().visit(tree))


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout("the mutant ran too long (an endless loop)")


def run(module: Any, source: str, tests: list[str], timeout: int) -> tuple[bool, float]:
    """Run the tests against ``source`` loaded in place of the module, in this process (the
    tests' ``monitoring`` is the same module object, so they see the mutant). True when the
    tests pass (the mutant survives); a test running past ``timeout`` seconds fails."""
    import pytest

    module.__dict__.clear()
    module.__dict__.update(__name__=MODULE, __file__=str(Path(module_file)))
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    try:
        exec(compile(source, module_file, "exec"), module.__dict__)
        if timeout:
            signal.alarm(timeout)
        with Path(os.devnull).open("w") as quiet, contextlib.redirect_stdout(quiet):
            code = pytest.main(
                [*tests, "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"],
            )
    except _Timeout:
        code = 1
    except Exception:  # a mutant that does not even load is killed
        code = 1
    finally:
        signal.alarm(0)
    return code == 0, time.perf_counter() - started


MODULE = "safercity.analytics.monitoring"
module_file = ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the src/ folder")
    parser.add_argument(
        "--tests",
        nargs="+",
        default=[str(REPO / "tests" / "analytics" / "test_monitoring.py")],
        help="test files",
    )
    parser.add_argument("--sample", type=int, default=60, help="mutants to run (0: all)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--timeout", type=int, default=60, help="seconds per mutant")
    args = parser.parse_args()
    global module_file
    sys.path.insert(0, str(args.src))
    os.chdir(args.src.parent)
    import importlib

    loaded = importlib.import_module(MODULE)
    module_file = str(Path(loaded.__file__ or ""))
    if not module_file.startswith(str(args.src)):
        print(f"{MODULE} was imported from {module_file}, not --src", file=sys.stderr)
        return 2
    original = Path(module_file).read_text(encoding="utf-8")
    sites = _sites(ast.parse(original))
    chosen = (
        sites
        if not args.sample
        else random.Random(args.seed).sample(sites, min(args.sample, len(sites)))
    )
    ok, took = run(loaded, original, args.tests, 0)  # no limit: the first run imports everything
    if not ok:
        print("the tests fail on the unmutated module: nothing to measure", file=sys.stderr)
        return 2
    survived = []
    lines = []
    for i, site in enumerate(sorted(chosen, key=lambda s: (s.line, s.index)), 1):
        passed, took = run(loaded, mutate(original, site), args.tests, args.timeout)
        verdict = "SURVIVED" if passed else "killed"
        lines.append(
            f"{i:3d}/{len(chosen)} line {site.line:4d} {site.description:<22} {verdict} "
            f"({took:.1f} s)"
        )
        if passed:
            survived.append(site)
    print("\n".join(lines))
    killed = len(chosen) - len(survived)
    print(
        f"\n{len(sites)} mutation sites, {len(chosen)} run (seed {args.seed}): "
        f"{killed} killed, {len(survived)} survived, kill rate {killed / len(chosen):.0%}"
    )
    for site in survived:
        print(f"  survived: line {site.line} {site.kind} {site.description}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
