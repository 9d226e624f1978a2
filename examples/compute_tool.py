"""A generated compute tool: list a directory with a Python function, run as a flow.

Modelled on Gladier's ``flow_generation/fs_list_example.py``. The ``@generate_flow_definition``
decorator turns the tool's function into one Globus Compute Action state (``Ls``); the client
registers the function, deploys the flow and runs it on the embedded runtime::

    python examples/compute_tool.py [directory]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def ls(**data):
    """List the files of a directory."""
    import os

    return sorted(os.listdir(data["dir"]))


@generate_flow_definition(modifiers={ls: {"WaitTime": 60}})
class FileSystemListCommand(GladierBaseTool):
    """List a directory on a compute endpoint."""

    compute_functions = [ls]
    required_input = ["dir", "compute_endpoint"]


@generate_flow_definition
class ListClient(GladierBaseClient):
    """List a directory."""

    gladier_tools = [FileSystemListCommand]


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="gladier-ls-") as scratch:
        folder = Path(argv[0]) if argv else Path(scratch)
        if not argv:
            for name in ("a.txt", "b.txt", "c.txt"):
                (folder / name).write_text(name)
        client = ListClient()
        print(client)
        print(json.dumps(client.get_flow_definition(), indent=2))
        run = client.run_flow({"input": {"dir": str(folder)}}, label="list a directory")
        final = client.progress(run["run_id"])
        listing = client.get_details(run["run_id"], "Ls")["details"]["results"][0]["output"]
        print("files:", listing)
        return 0 if final["status"] == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
