"""Benchmark ``gladier server``: what HTTP adds to a run, and runs started per second.

    python3 dev.py bench benchmarks/server.py          # or: .venv/bin/python benchmarks/server.py

Prints, in one run:

(a) p50/p95 latency from ``run_flow`` to the SUCCEEDED run document of a 5-state Pass flow,
    through globus-sdk's ``SpecificFlowClient``/``FlowsClient`` over HTTP against a
    ``gladier server`` subprocess (polling ``get_run`` until the run ends), beside the same
    flow in-process (``Runtime.run_flow`` then ``Runtime.wait``); the difference is what
    HTTP adds (target: at most 3 ms at p50);
    For scale it also prints the p50 of a single ``get_run`` request through globus-sdk.
(b) runs started per second by 8 concurrent globus-sdk clients (threads, each with its own
    client and connection; target: at least 300 /s on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import globus_sdk

from gladier.runtime import Runtime
from gladier.server.tokens import TokenService
from gladier.services.scopes import MANAGE_FLOWS_SCOPE

FIVE_PASS: dict[str, Any] = {
    "StartAt": "P1",
    "States": {
        "P1": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "P2"},
        "P2": {"Type": "Pass", "Result": {"step": 2}, "ResultPath": "$.two", "Next": "P3"},
        "P3": {"Type": "Pass", "Result": {"step": 3}, "ResultPath": "$.three", "Next": "P4"},
        "P4": {"Type": "Pass", "Result": {"step": 4}, "ResultPath": "$.four", "Next": "P5"},
        "P5": {"Type": "Pass", "End": True},
    },
}
GLADIER = [sys.executable, "-c", "from gladier.cli import main; raise SystemExit(main())"]


def start_server(home: Path) -> tuple[subprocess.Popen[str], str]:
    """``gladier server`` on a free port; returns the process and its flows URL."""
    process = subprocess.Popen(
        [*GLADIER, "server", "--port", "0", "--home", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    flows_url = ""
    for line in process.stdout:
        if "GLOBUS_SDK_SERVICE_URL_FLOWS=" in line:
            flows_url = line.strip().split("=", 1)[1]
        if "Ctrl-C" in line:
            return process, flows_url
    raise SystemExit(f"gladier server ended early (exit code {process.wait()})")


class Clients:
    """Tokens and globus-sdk clients for a server whose home is ``home``."""

    def __init__(self, home: Path, flows_url: str) -> None:
        self.flows_url = flows_url
        self.tokens = TokenService(home / "server").load()

    def authorizer(self, scope: str) -> globus_sdk.AccessTokenAuthorizer:
        grant = self.tokens.grant(self.tokens.credentials.client_id, [scope])
        return globus_sdk.AccessTokenAuthorizer(grant["access_token"])

    def flows(self) -> globus_sdk.FlowsClient:
        return globus_sdk.FlowsClient(
            base_url=self.flows_url, authorizer=self.authorizer(MANAGE_FLOWS_SCOPE)
        )

    def runner(self, flow: Any) -> globus_sdk.SpecificFlowClient:
        client = globus_sdk.SpecificFlowClient(
            flow["id"], authorizer=self.authorizer(flow["globus_auth_scope"])
        )
        client.base_url = self.flows_url
        return client


def http_latency(clients: Clients, flow: Any, runs: int) -> list[float]:
    flows, runner = clients.flows(), clients.runner(flow)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        run_id = runner.run_flow({"n": i})["run_id"]
        while (status := flows.get_run(run_id)["status"]) == "ACTIVE":
            pass
        samples.append(time.perf_counter() - start)
        assert status == "SUCCEEDED", status
    return samples


def round_trip(clients: Clients, run_id: str, count: int) -> list[float]:
    """One ``get_run`` through globus-sdk: the cost of a single request."""
    flows = clients.flows()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        flows.get_run(run_id)
        samples.append(time.perf_counter() - start)
    return samples


def local_latency(rt: Runtime, flow: Any, runs: int) -> list[float]:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        done = rt.wait(rt.run_flow(flow["id"], {"n": i})["run_id"])
        samples.append(time.perf_counter() - start)
        assert done["status"] == "SUCCEEDED"
    return samples


def throughput(clients: Clients, flow: Any, workers: int, per_worker: int) -> float:
    runners = [clients.runner(flow) for _ in range(workers)]
    for runner in runners:  # open each client's connection before timing
        runner.run_flow({"n": -1})
    barrier = threading.Barrier(workers + 1)

    def work(runner: globus_sdk.SpecificFlowClient) -> None:
        barrier.wait()
        for i in range(per_worker):
            runner.run_flow({"n": i})

    threads = [threading.Thread(target=work, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return workers * per_worker / (time.perf_counter() - start)


def quantile(samples: list[float], q: float) -> float:
    return (
        statistics.quantiles(samples, n=100)[int(q * 100) - 1] if len(samples) > 1 else samples[0]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="latency samples per side")
    parser.add_argument("--workers", type=int, default=8, help="concurrent clients")
    parser.add_argument("--per-worker", type=int, default=250, help="runs started per client")
    parser.add_argument("--quick", action="store_true", help="a few samples (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.per_worker = 20, 10
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, flows_url = start_server(folder / "served")
        try:
            clients = Clients(folder / "served", flows_url)
            flow = clients.flows().create_flow("five pass", FIVE_PASS, {})
            with Runtime(folder / "local") as rt:
                local_flow = rt.create_flow("five pass", FIVE_PASS)
                local_latency(rt, local_flow, 10)  # warm up both sides
                http_latency(clients, flow, 10)
                local, http, single = [], [], []
                probe = clients.runner(flow).run_flow({"n": 0})["run_id"]
                for _ in range(5):  # interleaved, so load changes hit both sides alike
                    local += local_latency(rt, local_flow, args.runs // 5)
                    http += http_latency(clients, flow, args.runs // 5)
                    single += round_trip(clients, probe, args.runs // 5)
            rate = throughput(clients, flow, args.workers, args.per_worker)
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=60)
    lp50, lp95 = statistics.median(local) * 1e3, quantile(local, 0.95) * 1e3
    hp50, hp95 = statistics.median(http) * 1e3, quantile(http, 0.95) * 1e3
    added = hp50 - lp50
    print(f"(a) run -> SUCCEEDED, 5-state Pass flow, {len(local)} runs each side")
    print(f"    in-process      p50 {lp50:7.2f} ms   p95 {lp95:7.2f} ms")
    print(f"    HTTP/globus-sdk p50 {hp50:7.2f} ms   p95 {hp95:7.2f} ms")
    print(
        f"    HTTP adds {added:.2f} ms at p50 (target at most 3 ms: "
        f"{'met' if added <= 3 else 'MISSED'}); ratio HTTP/in-process {hp50 / lp50:.1f}x"
    )
    print(
        f"    for scale: one get_run request through globus-sdk, p50 "
        f"{statistics.median(single) * 1e3:.2f} ms"
    )
    print(f"(b) runs started per second, {args.workers} concurrent clients: {rate:,.0f} /s")
    print(
        f"    ratio to the target of 300 /s: {rate / 300:.2f}x "
        f"({'met' if rate >= 300 else 'MISSED'}); cores: {os.cpu_count()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
