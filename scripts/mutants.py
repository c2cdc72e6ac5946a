"""Mutation testing of one module: how many small faults do its tests catch?

Each mutant changes one thing in the chosen functions and classes of the module (a number, a
comparison, an arithmetic operator, an index, a boolean, or drops one statement), and the module's
tests are run against it: a mutant the tests fail on is *killed*, one they pass on *survived*
(the tests would not notice that fault). The working tree is never touched: by default each
mutant is compiled into the imported module's namespace and the tests are run in the same
process (``pytest.main``), which takes a second or two per mutant instead of re-importing
pandas, SciPy and statsmodels; ``--subprocess`` instead copies the source tree to a temporary
folder, writes the mutant there and runs pytest in a fresh process with ``PYTHONPATH`` on it.

Run (from the repository root)::

    .venv/bin/python scripts/mutants.py src/safercity/analytics/trends.py \\
        --tests tests/analytics/test_trends.py \\
        --only _long_run,PoissonComparison,XmR,comparison_dispersion,Trend \\
        --deselect test_westminster_yearly_totals_from_met_series --json mutants.json

It prints each surviving mutant (line and change) and the kill rate.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BIN_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
}


@dataclass
class Mutant:
    id: int
    line: int
    kind: str
    change: str
    outcome: str = ""
    seconds: float = 0.0


def _targets(tree: ast.Module, only: set[str] | None) -> list[ast.AST]:
    out: list[ast.AST] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and (only is None or node.name in only):
            out.append(node)
    return out


def _sites(tree: ast.Module, only: set[str] | None) -> Iterator[tuple[str, ast.AST, str]]:
    """(kind, node, description) of every mutation site in the chosen definitions."""
    for top in _targets(tree, only):
        for node in ast.walk(top):
            if isinstance(node, ast.Constant) and not isinstance(node.value, str):
                if isinstance(node.value, bool):
                    yield "boolean", node, f"{node.value} -> {not node.value}"
                elif isinstance(node.value, int | float):
                    yield "number", node, f"{node.value!r} -> {_number(node.value)!r}"
            elif isinstance(node, ast.Compare):
                for i, op in enumerate(node.ops):
                    if type(op) in CMP_SWAP:
                        new = CMP_SWAP[type(op)].__name__
                        yield "comparison", node, f"{i}:{type(op).__name__} -> {new}"
            elif isinstance(node, ast.BinOp) and type(node.op) in BIN_SWAP:
                yield (
                    "arithmetic",
                    node,
                    f"{type(node.op).__name__} -> {BIN_SWAP[type(node.op)].__name__}",
                )
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, int)
                and not isinstance(node.slice.value, bool)
            ):
                yield (
                    "index",
                    node,
                    f"[{node.slice.value}] -> [{1 - node.slice.value if node.slice.value in (0, 1) else node.slice.value + 1}]",
                )
            if isinstance(node, ast.FunctionDef | ast.For | ast.If | ast.With | ast.While):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign | ast.AugAssign | ast.Expr) and not (
                        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                    ):
                        yield "statement", stmt, "statement removed"


def _number(v: int | float) -> int | float:
    if isinstance(v, int):
        return 1 if v == 0 else (0 if v == 1 else v + 1)
    return 1.0 if v == 0 else v * 1.25


def _mutate(tree: ast.Module, only: set[str] | None, index: int) -> ast.Module:
    new = copy.deepcopy(tree)
    for i, (kind, node, desc) in enumerate(_sites(new, only)):
        if i != index:
            continue
        if kind == "boolean" and isinstance(node, ast.Constant):
            node.value = not node.value
        elif kind == "number" and isinstance(node, ast.Constant):
            node.value = _number(node.value)
        elif kind == "comparison" and isinstance(node, ast.Compare):
            k = int(desc.split(":", 1)[0])
            node.ops[k] = CMP_SWAP[type(node.ops[k])]()
        elif kind == "arithmetic" and isinstance(node, ast.BinOp):
            node.op = BIN_SWAP[type(node.op)]()
        elif kind == "index" and isinstance(node, ast.Subscript):
            assert isinstance(node.slice, ast.Constant)
            v = int(node.slice.value)
            node.slice = ast.Constant(1 - v if v in (0, 1) else v + 1)
        elif kind == "statement":
            for parent in ast.walk(new):
                body = getattr(parent, "body", None)
                if isinstance(body, list) and node in body:
                    body[body.index(node)] = ast.Pass()
                    break
        return ast.fix_missing_locations(new)
    raise IndexError(index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module", help="the module's file, e.g. src/safercity/analytics/trends.py")
    parser.add_argument("--tests", required=True, help="the test file(s), comma-separated")
    parser.add_argument("--only", help="top-level functions/classes to mutate, comma-separated")
    parser.add_argument("--deselect", default="", help="test names to leave out, comma-separated")
    parser.add_argument("--json", help="write every mutant and its outcome here")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--limit", type=int, help="first N mutants only (for a quick look)")
    parser.add_argument(
        "--subprocess", action="store_true", help="a fresh process per mutant (slow, isolated)"
    )
    args = parser.parse_args(argv)
    repo = Path.cwd()
    module = Path(args.module)
    src_root = repo / "src"
    rel = module.resolve().relative_to(src_root.resolve())
    tree = ast.parse(module.read_text(encoding="utf-8"))
    only = set(args.only.split(",")) if args.only else None
    sites = list(_sites(tree, only))
    mutants = [
        Mutant(i, getattr(node, "lineno", 0), kind, desc)
        for i, (kind, node, desc) in enumerate(sites)
    ][: args.limit]
    tests = args.tests.split(",")
    if not args.subprocess:
        _in_process(tree, only, mutants, rel, tests, args.deselect)
        return _report(mutants, rel, only, args.json)
    pytest_args = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        *tests,
    ]
    for name in filter(None, args.deselect.split(",")):
        pytest_args += ["--deselect", f"{tests[0]}::{name}"]
    with tempfile.TemporaryDirectory() as tmp:
        copy_root = Path(tmp) / "src"
        shutil.copytree(
            src_root,
            copy_root,
            ignore=shutil.ignore_patterns("__pycache__", "node_modules", "static"),
        )
        target = copy_root / rel
        env = {**os.environ, "PYTHONPATH": str(copy_root), "PYTHONDONTWRITEBYTECODE": "1"}
        # the unmutated module must pass first
        base = subprocess.run(pytest_args, env=env, capture_output=True, text=True, cwd=repo)
        if base.returncode != 0:
            print(base.stdout[-2000:], file=sys.stderr)
            print("the tests fail on the unmutated module", file=sys.stderr)
            return 2
        for m in mutants:
            target.write_text(ast.unparse(_mutate(tree, only, m.id)) + "\n", encoding="utf-8")
            t0 = time.perf_counter()
            try:
                run = subprocess.run(
                    pytest_args,
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=repo,
                    timeout=args.timeout,
                )
                m.outcome = "survived" if run.returncode == 0 else "killed"
            except subprocess.TimeoutExpired:
                m.outcome = "killed (timeout)"
            m.seconds = round(time.perf_counter() - t0, 1)
            print(f"{m.id:4d} line {m.line:4d} {m.kind:<10} {m.change:<28} {m.outcome}", flush=True)
    return _report(mutants, rel, only, args.json)


def _in_process(
    tree: ast.Module,
    only: set[str] | None,
    mutants: list[Mutant],
    rel: Path,
    tests: list[str],
    deselect: str,
) -> None:
    import contextlib
    import importlib
    import io

    import pytest

    name = ".".join(rel.with_suffix("").parts)
    mod = importlib.import_module(name)
    original = dict(mod.__dict__)
    filename = str(mod.__file__)
    args = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *tests]
    for t in filter(None, deselect.split(",")):
        args += ["--deselect", f"{tests[0]}::{t}"]

    def run() -> int:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return int(pytest.main(args))

    if run() != 0:
        raise SystemExit("the tests fail on the unmutated module")
    # names the test modules imported from the module, to re-bind to each mutant's objects
    test_mods = [
        m
        for m in list(sys.modules.values())
        if getattr(m, "__file__", None) and any(str(m.__file__).endswith(t) for t in tests)
    ]
    bound = {
        (tm, k): k
        for tm in test_mods
        for k, v in vars(tm).items()
        if k in original and original[k] is v and not k.startswith("__")
    }
    for m in mutants:
        code = compile(ast.unparse(_mutate(tree, only, m.id)) + "\n", filename, "exec")
        mod.__dict__.clear()
        mod.__dict__.update(original)
        t0 = time.perf_counter()
        try:
            exec(code, mod.__dict__)
            for (tm, k), _k in bound.items():
                setattr(tm, k, mod.__dict__[k])
            m.outcome = "survived" if run() == 0 else "killed"
        except Exception as exc:  # a mutant that cannot even be defined is killed
            m.outcome = f"killed ({type(exc).__name__})"
        finally:
            mod.__dict__.clear()
            mod.__dict__.update(original)
            for (tm, k), _k in bound.items():
                setattr(tm, k, original[k])
        m.seconds = round(time.perf_counter() - t0, 1)
        print(f"{m.id:4d} line {m.line:4d} {m.kind:<10} {m.change:<28} {m.outcome}", flush=True)


def _report(mutants: list[Mutant], rel: Path, only: set[str] | None, out: str | None) -> int:
    killed = sum(1 for m in mutants if m.outcome.startswith("killed"))
    rate = 100.0 * killed / len(mutants) if mutants else float("nan")
    print(f"\n{killed} of {len(mutants)} mutants killed ({rate:.0f}%)")
    for m in mutants:
        if m.outcome == "survived":
            print(f"  survived: line {m.line} {m.kind}: {m.change}")
    if out:
        Path(out).write_text(
            json.dumps(
                {
                    "module": str(rel),
                    "only": sorted(only or []),
                    "killed": killed,
                    "total": len(mutants),
                    "mutants": [asdict(m) for m in mutants],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
