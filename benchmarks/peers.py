#!/usr/bin/env python3
"""Benchmark the embedded runtime against its peers and this machine's floors, in one run.

    python benchmarks/peers.py                      # everything; rewrites the docs section
    python benchmarks/peers.py --quick              # a short smoke run; docs left alone
    python benchmarks/peers.py --systems gladier,floors,dask

Workloads, each on a five-step linear flow of trivial Python functions run in worker
processes: (A) the latency of one run, start to result, median of ``--runs``; (B) 200 runs
started at once, total time; (C) cold start: a new process imports the library and runs one
flow; (D) the peak memory of the whole process tree during B.

Systems (``--systems``; ``floors`` and ``peers`` name groups): ``gladier`` (this runtime:
five Compute Action states on the default endpoint, durable), ``inline``, ``pool`` and
``pool-sqlite`` (the floors: chained calls in one process; chained round trips to a bare
ProcessPoolExecutor; the same with one durable SQLite commit per step), ``prefect`` and
``prefect-process`` (Prefect 3 with its default and its process-pool task runner),
``dask`` (LocalCluster of processes) and ``parsl`` (HighThroughputExecutor, local).

Each system runs in a fresh process (``peerbench/child.py``) that reports JSON; this script
measures memory and time from outside, kills a process tree that passes its deadline or the
memory limit ("failed: <reason>" in the table), and stops whatever a system leaves running.
The peers are installed on first use into ``benchmarks/.peers-venv`` (pinned in
``benchmarks/peers-requirements.txt``); when any peer runs, every system runs on that
environment's interpreter. A full run (all systems, no ``--quick``) rewrites the Peers
section of docs/benchmarks.md and docs/benchmark-peers.png.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peerbench import environment, report
from peerbench.processes import become_subreaper
from peerbench.runner import BENCHMARKS, MIB, ChildResult, Limits, run_child
from peerbench.systems import BY_NAME, FLOORS, PEERS, SPECS, SystemSpec

DOCS = BENCHMARKS.parent / "docs" / "benchmarks.md"
CHART = BENCHMARKS.parent / "docs" / "benchmark-peers.png"
GROUPS = {"floors": FLOORS, "peers": PEERS, "all": tuple(BY_NAME)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/peers.py",
        description="Benchmark the embedded runtime against Prefect, Parsl, Dask and floors.",
    )
    parser.add_argument(
        "--systems",
        default="all",
        help="comma-separated: " + ", ".join([*BY_NAME, *GROUPS]) + " (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke run")
    parser.add_argument("--runs", type=int, help="timed runs for A, at least (default 30; quick 5)")
    parser.add_argument("--warmup", type=int, help="untimed runs before A (default 3; quick 1)")
    parser.add_argument("--concurrent", type=int, default=200, help="runs started at once in B")
    parser.add_argument("--repeat", type=int, help="rounds of B, at least (default 3; quick 1)")
    parser.add_argument(
        "--min-seconds",
        type=float,
        help="keep sampling A, and B, for at least this long (default 3; quick 0)",
    )
    parser.add_argument("--cold-repeat", type=int, help="cold starts (default 5; quick 1)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="worker processes per system"
    )
    parser.add_argument(
        "--timeout", type=float, help="longest wait for one workload, s (default 120; quick 60)"
    )
    parser.add_argument(
        "--deadline",
        type=float,
        help="longest life of one system process, s (default 900; quick 300)",
    )
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        help="kill a system whose process tree passes this (default: 8, or less when free "
        "memory is short)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument(
        "--docs",
        action="store_true",
        help="rewrite the docs section and chart (the default for a full run)",
    )
    docs.add_argument("--no-docs", action="store_true", help="never touch the docs")
    parser.add_argument(
        "--reinstall", action="store_true", help="recreate the peers' virtual environment"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    for name, normal, short in (
        ("runs", 30, 5),
        ("warmup", 3, 1),
        ("repeat", 3, 1),
        ("cold_repeat", 5, 1),
        ("min_seconds", 3.0, 0.0),
        ("timeout", 120.0, 60.0),
        ("deadline", 900.0, 300.0),
    ):
        if getattr(args, name) is None:
            setattr(args, name, short if quick else normal)
    return args


def selected(text: str) -> list[SystemSpec]:
    names: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if part in GROUPS:
            names += GROUPS[part]
        elif part in BY_NAME:
            names.append(part)
        else:
            raise SystemExit(f"unknown system {part!r}; known: {', '.join([*BY_NAME, *GROUPS])}")
    return [spec for spec in SPECS if spec.name in names]


def memory_limit(args: argparse.Namespace) -> int:
    if args.memory_limit_gb:
        return int(args.memory_limit_gb * 1024 * MIB)
    available = environment.available_memory()
    limit = 8 * 1024 * MIB
    return min(limit, int(available * 0.7)) if available else limit


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def choose_python(specs: list[SystemSpec], reinstall: bool) -> tuple[str, str, dict[str, str]]:
    """(interpreter, how to name it, {system: why it cannot run})."""
    blocked: dict[str, str] = {}
    python = sys.executable
    label = python
    if any(spec.needs_peers for spec in specs):
        try:
            python = str(environment.ensure_peers_venv(reinstall=reinstall))
            label = "benchmarks/.peers-venv/bin/python"
        except environment.EnvironmentProblem as err:
            for spec in specs:
                if spec.needs_peers:
                    blocked[spec.name] = f"the peers' environment is not ready: {err}"
    if any(s.name == report.RUNTIME for s in specs) and not environment.can_import(
        python, "gladier.runtime"
    ):
        blocked[report.RUNTIME] = (
            f"{python} cannot import gladier (run this script with the project's .venv/bin/python)"
        )
    return python, label, blocked


def child_options(args: argparse.Namespace) -> list[str]:
    return [
        "--workers",
        str(args.workers),
        "--runs",
        str(args.runs),
        "--warmup",
        str(args.warmup),
        "--concurrent",
        str(args.concurrent),
        "--repeat",
        str(args.repeat),
        "--timeout",
        str(args.timeout),
        "--min-seconds",
        str(args.min_seconds),
    ]


def describe_child(spec: SystemSpec, child: ChildResult, mode: str) -> str:
    if mode == "cold":
        if child.cold_at is not None:
            return f"{spec.name}: cold start {report.seconds(child.cold_at)}"
        failed = child.event("failed")
        return f"{spec.name}: cold start failed: {failed['reason'] if failed else child.failure}"
    parts = []
    for key in "AB":
        event = child.event(key)
        if event is None:
            parts.append(f"{key} not reported")
        elif "failed" in event:
            parts.append(f"{key} failed: {event['failed']}")
        else:
            parts.append(f"{key} {report.seconds(event['median'])}")
    if "B" in child.peak_by_phase:
        parts.append(f"D {child.peak_by_phase['B'] / MIB:,.0f} MiB")
    if child.failure:
        parts.append(f"failed: {child.failure}")
    return f"{spec.name}: " + ", ".join(parts)


def draw_chart(python: str, results: dict[str, Any], out: Path) -> dict[str, str]:
    """Run the chart in ``python`` (which must have matplotlib); its version, or {}."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(results, handle)
    env = dict(os.environ, PYTHONPATH=str(BENCHMARKS))
    try:
        done = subprocess.run(
            [python, "-m", "peerbench.chart", handle.name, str(out)],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            check=False,
        )
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        progress(f"the chart could not be drawn: {done.stderr.strip().splitlines()[-1:]}")
        return {}
    found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("benchmarks/peers.py measures processes through /proc: it runs on Linux")
    specs = selected(args.systems)
    if not specs:
        raise SystemExit("no systems selected")
    everything = len(specs) == len(SPECS)
    write_docs = args.docs or (everything and not args.quick and not args.no_docs)
    python, python_label, blocked = choose_python(specs, args.reinstall)
    runnable = [spec for spec in specs if spec.name not in blocked]
    limits = Limits(deadline=args.deadline, memory=memory_limit(args))
    machine = environment.machine()
    become_subreaper()
    log_dir = Path(tempfile.mkdtemp(prefix="peerbench-logs-"))
    options = child_options(args)
    progress(
        f"running {', '.join(s.name for s in runnable)} on {python} "
        f"({args.workers} workers; limits: {limits.deadline:g} s and "
        f"{limits.memory / MIB:,.0f} MiB per system)"
    )

    colds: dict[str, list[ChildResult]] = {spec.name: [] for spec in runnable}
    for rep in range(args.cold_repeat):
        for spec in runnable:
            child = run_child(
                python, spec.name, "cold", ["--timeout", str(args.timeout)], limits, log_dir=log_dir
            )
            colds[spec.name].append(child)
            progress(f"[cold {rep + 1}/{args.cold_repeat}] {describe_child(spec, child, 'cold')}")
    warms: dict[str, ChildResult] = {}
    for spec in runnable:
        progress(f"[warm] {spec.name} ...")
        child = run_child(python, spec.name, "warm", options, limits, log_dir=log_dir)
        warms[spec.name] = child
        progress(f"[warm] {describe_child(spec, child, 'warm')}")

    summaries = []
    for spec in specs:
        summary = report.summarize(spec, warms.get(spec.name), colds.get(spec.name, []), python)
        if spec.name in blocked:
            for key in "ABCD":
                summary[key] = {"failed": blocked[spec.name]}
        summaries.append(summary)
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "command": shlex.join(
            ["python", "benchmarks/peers.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "machine": machine,
        "python": python,
        "python_label": python_label,
        "python_version": sys.version.split()[0],
        "settings": {
            key: getattr(args, key)
            for key in (
                "workers",
                "runs",
                "warmup",
                "concurrent",
                "repeat",
                "cold_repeat",
                "min_seconds",
            )
        }
        | {"timeout": args.timeout, "deadline": args.deadline, "memory_limit": limits.memory},
        "systems": summaries,
    }
    results["targets"] = report.targets(summaries)
    body, notes = report.table(summaries)
    print()
    print(body)
    print()
    print(
        "x runtime: the system's time (or memory) over this runtime's; above 1, the runtime "
        "is faster (or smaller)."
    )
    for note in notes:
        print(f"- {note}")
    print()
    print("Targets:")
    print(report.targets_text(results["targets"]))

    if write_docs:
        chart = None
        peers_python = environment.venv_python()
        if peers_python.exists():
            versions = draw_chart(str(peers_python), results, CHART)
            if versions:
                results["chart_versions"] = versions
                chart = CHART.name
        report.update_docs(DOCS, report.markdown(results, chart))
        progress(
            f"wrote {DOCS.relative_to(BENCHMARKS.parent)}" + (f" and {CHART.name}" if chart else "")
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")

    failed = [
        (s["kind"], f"{s['name']} {key}")
        for s in summaries
        for key in "ABC"
        if "failed" in s[key] and s["name"] not in blocked
    ]
    if failed:
        progress(f"failed: {', '.join(name for _, name in failed)}; the logs are in {log_dir}")
    else:
        shutil.rmtree(log_dir, ignore_errors=True)
    # Peers failing is a result; the runtime or a floor failing means the benchmark is broken.
    return 1 if any(kind != "peer" for kind, _ in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
