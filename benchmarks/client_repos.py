#!/usr/bin/env python3
"""Public Gladier client repositories, unchanged: the same definitions as Gladier 0.11, and runs.

    python benchmarks/client_repos.py SNAPSHOT [SNAPSHOT ...] [--markdown]
    GLADIER_CLIENT_REPOS=/path/a:/path/b python benchmarks/client_repos.py

A snapshot is a bare git directory (as ``git clone --bare`` makes; its ``HEAD`` is read) or a
plain directory of a client repository. Nothing of it is copied into this project: each is
extracted into a temporary directory for the duration of the run.

For every Python file that defines a client class (``class X(...Client)``), in a fresh process
each (``client_repos_worker.py``):

1. the published ``gladier==0.11.*`` (with ``gladier-tools==0.5.4``), installed on first use in
   ``benchmarks/.gladier011-venv`` (or ``--reference-python``), imports the file and generates
   each client's definition;
2. this project's SDK (``src`` first on ``PYTHONPATH``, this interpreter) does the same;
3. the two are compared: ``identical`` (same keys, values and key order), ``same values`` (key
   order differs), or a unified diff is printed; this SDK's definition is also checked with the
   embedded runtime's validator (any client it would refuse is a problem);
4. a client whose states need only services the embedded runtime has itself (compute
   functions, Hello World, expression evaluation, Transfer between local collections, a local
   Search index) and for which ``RUN_PLANS`` has a plan is run on the embedded runtime with
   ``gladier.testing.run_client``; its final status and the plan's checks are reported.

With no snapshot it prints why and exits 0. Exit status 1 when a client's definition differs
from 0.11's in a way not listed in ``KNOWN_DIFFERENCES`` (docs/compat.md explains each), or
a run of ``RUN_PLANS`` does not end as expected or fails one of its checks. What is known about
each repository (plans, reasons not to run, differences on purpose) is in
``client_repos_plans.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client_repos_plans import (
    KNOWN_DIFFERENCES,
    LOCAL_URL_PREFIXES,
    NOT_RUN,
    OURS_ONLY,
    RUN_PLANS,
)

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
WORKER = BENCHMARKS / "client_repos_worker.py"
REFERENCE_VENV = BENCHMARKS / ".gladier011-venv"
REFERENCE_REQUIREMENTS = ("gladier==0.11.*", "gladier-tools==0.5.4")
ENV_VAR = "GLADIER_CLIENT_REPOS"
MARKER = "@@RESULT@@"
CLIENT_CLASS = re.compile(r"^class\s+\w+\s*\([^)]*Client[^)]*\)\s*:", re.MULTILINE)

#: The Gladier each side used, as the workers reported it.
VERSIONS: dict[str, str] = {}


@dataclass
class ClientReport:
    repo: str
    file: str
    client: str
    comparison: str
    diff: str = ""
    run: str = ""
    problems: list[str] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/client_repos.py",
        description="Compare public client repositories' definitions with Gladier 0.11's.",
    )
    parser.add_argument("snapshots", nargs="*", type=Path, help="bare git dirs or directories")
    parser.add_argument(
        "--reference-python",
        type=Path,
        help="an interpreter with gladier 0.11 installed (default: a venv made on first use)",
    )
    parser.add_argument("--no-run", action="store_true", help="compare definitions only")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--timeout", type=float, default=300.0, help="per worker process, s")
    args = parser.parse_args(argv)
    if not args.snapshots and os.environ.get(ENV_VAR):
        args.snapshots = [Path(p) for p in os.environ[ENV_VAR].split(os.pathsep) if p]
    return args


def repo_name(snapshot: Path) -> str:
    """``gladier-xpcs`` for ``.../globus-gladier+gladier-xpcs/repo`` or ``.../gladier-xpcs``."""
    path = snapshot.resolve()
    name = path.parent.name if path.name in ("repo", ".git") else path.name
    return name.split("+", 1)[-1].removesuffix(".git")


def extract(snapshot: Path, into: Path) -> Path:
    """The snapshot's files: a bare git directory's HEAD extracted into ``into``."""
    if not ((snapshot / "HEAD").is_file() and (snapshot / "objects").is_dir()):
        if not snapshot.is_dir():
            raise SystemExit(f"{snapshot}: neither a bare git directory nor a directory")
        return snapshot.resolve()
    archive = into / "snapshot.tar"
    subprocess.run(
        ["git", "--git-dir", str(snapshot), "archive", "--format=tar", "-o", str(archive), "HEAD"],
        check=True,
    )
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    archive.unlink()
    return tree


def client_files(tree: Path) -> list[Path]:
    """Python files that define a class deriving from some ``...Client``."""
    found = []
    for path in sorted(tree.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if CLIENT_CLASS.search(text) and ("gladier" in text):
            found.append(path)
    return found


def reference_python(given: Path | None) -> Path:
    """An interpreter with the published Gladier 0.11: ``given``, or the venv, made if needed."""
    if given is not None:
        return given
    python = REFERENCE_VENV / "bin" / "python"
    if not python.exists():
        print(f"Creating {REFERENCE_VENV} with {' '.join(REFERENCE_REQUIREMENTS)} ...")
        subprocess.run([sys.executable, "-m", "venv", str(REFERENCE_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *REFERENCE_REQUIREMENTS], check=True
        )
    return python


def worker(
    python: Path, args: list[str], scratch: Path, *, ours: bool, timeout: float
) -> dict[str, Any]:
    """Run the worker in a fresh process with its own scratch HOME; its JSON answer."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=scratch))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLADIER_", "GLOBUS_"))}
    env.update(HOME=str(home), GLADIER_HOME=str(home / ".gladier"))
    env["GLADIER_LEGACY_CONFIG"] = str(home / "no-legacy.cfg")
    if ours:
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    else:
        env.pop("PYTHONPATH", None)
    try:
        done = subprocess.run(
            [str(python), str(WORKER), *args],
            capture_output=True,
            text=True,
            cwd=home,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"crash": f"no answer within {timeout:.0f} s"}
    if MARKER not in done.stdout:
        return {"crash": (done.stderr or done.stdout).strip()[-2000:]}
    return json.loads(done.stdout.rsplit(MARKER, 1)[1])


def definition_text(definition: Any) -> str:
    return json.dumps(definition, indent=2, default=repr) + "\n"


def compare(ref: dict[str, Any], ours: dict[str, Any]) -> tuple[str, str]:
    """``(verdict, diff)`` for one client's entries from the two workers."""
    if "error" in ref or "error" in ours:
        left, right = ref.get("error", "a definition"), ours.get("error", "a definition")
        if "error" in ref and "error" in ours:
            same = left.split(":")[0] == right.split(":")[0]
            verdict = f"both fail: {right}" if same else "both fail, differently"
            return verdict, f"0.11: {left}\nours: {right}"
        return "one fails", f"0.11: {left}\nours: {right}"
    a, b = ref["definition"], ours["definition"]
    text_a, text_b = definition_text(a), definition_text(b)
    if text_a == text_b:
        return "identical", ""
    diff = "".join(
        difflib.unified_diff(
            text_a.splitlines(True), text_b.splitlines(True), "gladier 0.11", "this SDK"
        )
    )
    if json.loads(text_a) == json.loads(text_b):
        return "same values, other key order", diff
    return "differs", diff


def runs_locally(definition: Any) -> tuple[bool, str]:
    """Whether every Action state uses a service the embedded runtime has locally."""
    states = definition.get("States", {}) if isinstance(definition, dict) else {}
    outside = sorted(
        {
            str(state.get("ActionUrl"))
            for state in states.values()
            if isinstance(state, dict) and state.get("Type") == "Action"
            if not str(state.get("ActionUrl", "")).startswith(LOCAL_URL_PREFIXES)
        }
    )
    return (not outside), ", ".join(outside)


def with_scratch(value: Any, scratch: Path) -> Any:
    text = json.dumps(value).replace("{scratch}", str(scratch))
    return json.loads(text)


def report_file(
    repo: str, tree: Path, path: Path, ref_python: Path, scratch: Path, args: argparse.Namespace
) -> list[ClientReport]:
    rel = path.relative_to(tree).as_posix()
    cmd = ["definitions", str(tree), str(path)]
    ref = worker(ref_python, cmd, scratch, ours=False, timeout=args.timeout)
    ours = worker(Path(sys.executable), cmd, scratch, ours=True, timeout=args.timeout)
    for side, answer in (("reference", ref), ("this SDK", ours)):
        if answer.get("gladier"):
            VERSIONS[side] = answer["gladier"]
    for side, answer in (("0.11", ref), ("ours", ours)):
        if "crash" in answer:
            return [ClientReport(repo, rel, "-", f"worker crashed ({side})", answer["crash"])]
    if "import_error" in ours:
        right = ours["import_error"]
        if "import_error" in ref:
            return [ClientReport(repo, rel, "-", f"not importable (either): {right}", "")]
        report = ClientReport(repo, rel, "-", "only 0.11 imports it", f"ours: {right}")
        report.problems.append("only 0.11 imports the file")
        return [report]
    if "import_error" in ref:
        # Only this SDK imports the file: each client is compared with 0.11's import error.
        ref = {
            "clients": [{"name": c["name"], "error": ref["import_error"]} for c in ours["clients"]]
        }
        ours_only = OURS_ONLY.get(repo)
        if ours_only is None and not ours["clients"]:
            report = ClientReport(repo, rel, "-", "only this SDK imports it", "")
            report.problems.append("only this SDK imports the file")
            return [report]
    reports = []
    ref_clients = {c["name"]: c for c in ref["clients"]}
    for entry in ours["clients"]:
        name = entry["name"]
        verdict, diff = compare(ref_clients.get(name, {"error": "not found"}), entry)
        report = ClientReport(repo, rel, name, verdict, diff)
        key = (repo, rel, name)
        if (
            "import_error" not in ours
            and OURS_ONLY.get(repo)
            and verdict
            in (
                "one fails",
                "both fail, differently",
            )
        ):
            report.comparison = f"0.11 cannot import it ({OURS_ONLY[repo]}); this SDK: " + (
                entry.get("error") or "generates a definition"
            )
        elif verdict in ("differs", "one fails", "both fail, differently"):
            if key in KNOWN_DIFFERENCES:
                report.comparison += f" (on purpose: {KNOWN_DIFFERENCES[key]})"
            else:
                report.problems.append(f"definition {verdict}")
        report.run = run_report(repo, rel, name, entry, tree, path, scratch, args, report)
        reports.append(report)
    return reports


def run_report(
    repo: str,
    rel: str,
    name: str,
    entry: dict[str, Any],
    tree: Path,
    path: Path,
    scratch: Path,
    args: argparse.Namespace,
    report: ClientReport,
) -> str:
    if "definition" not in entry:
        return "-"
    if entry.get("valid", True) is not True:
        report.problems.append(f"the embedded runtime refuses the definition: {entry['valid']}")
        return f"refused by the embedded runtime: {entry['valid']}"
    local, outside = runs_locally(entry["definition"])
    if not local:
        return f"not run: needs {outside}"
    reason = NOT_RUN.get((repo, rel, name))
    if reason is not None:
        return f"not run: {reason}"
    planned = RUN_PLANS.get((repo, rel, name))
    if planned is None:
        return "not run: no input known"
    if args.no_run:
        return "not run (--no-run)"
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
    plan = with_scratch(dataclasses.asdict(planned), run_dir)
    plan["scratch"] = str(run_dir)
    answer = worker(
        Path(sys.executable),
        ["run", str(tree), str(path), name, json.dumps(plan)],
        scratch,
        ours=True,
        timeout=args.timeout,
    )
    if "crash" in answer:
        report.problems.append("run crashed")
        return f"crashed: {answer['crash'][-300:]}"
    status = str(answer["status"])
    if status != planned.expect:
        report.problems.append(f"run ended {status}, expected {planned.expect}")
        return f"{status} in {answer.get('failed_state')}: {answer.get('error')}"
    report.problems.extend(answer["problems"])
    checks = "; ".join(answer["problems"]) or "checks passed"
    return f"{status} ({len(answer['states'])} states; {checks})"


def short(text: str, limit: int = 140) -> str:
    """The first sentence of ``text``, at most ``limit`` characters (the diffs print it all)."""
    first = text.split(". ", 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def print_table(reports: list[ClientReport], markdown: bool) -> None:
    if markdown:
        print("| repository | file | client | definition vs 0.11 | embedded run |")
        print("| --- | --- | --- | --- | --- |")
        for r in reports:
            cells = [r.repo, f"`{r.file}`", f"`{r.client}`", short(r.comparison), r.run or "-"]
            print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return
    for r in reports:
        print(f"{r.repo:<24} {r.file:<48} {r.client:<24} {short(r.comparison):<30} {r.run or '-'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.snapshots:
        print(
            "No client repository snapshots given: pass their paths (bare git directories or "
            f"directories) as arguments or in ${ENV_VAR}; nothing to compare."
        )
        return 0
    ref_python = reference_python(args.reference_python)
    reports: list[ClientReport] = []
    with tempfile.TemporaryDirectory(prefix="gladier-client-repos-") as tmp:
        for index, snapshot in enumerate(args.snapshots):
            repo = repo_name(snapshot)
            work = Path(tmp) / f"{index}-{repo}"
            work.mkdir()
            tree = extract(snapshot, work)
            scratch = work / "scratch"
            scratch.mkdir()
            for path in client_files(tree):
                reports.extend(report_file(repo, tree, path, ref_python, scratch, args))
    for r in reports:
        if r.diff:
            print(f"--- {r.repo} {r.file} {r.client}: {r.comparison}")
            print(r.diff.rstrip())
    print()
    for side, version in VERSIONS.items():
        print(f"{side}: {version}")
    print_table(reports, args.markdown)
    problems = [(r, p) for r in reports for p in r.problems]
    for r, problem in problems:
        print(f"PROBLEM {r.repo} {r.file} {r.client}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
