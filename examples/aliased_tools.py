"""Two aliased copies of one compute tool in the same flow.

``"...Greet:Morning"`` and ``"...Greet:Evening"`` give two states, ``GreetMorning`` and
``GreetEvening``, each with its own inputs (``morning_name``, ``evening_name``), its own result
(``$.GreetMorning``, ``$.GreetEvening``) and its own function id key. The function itself
still receives ``name``, as without an alias::

    python examples/aliased_tools.py
"""

from __future__ import annotations

import sys

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def greet(**data):
    """Greet someone."""
    return f"{data.get('greeting', 'Hello')}, {data['name']}!"


@generate_flow_definition
class Greet(GladierBaseTool):
    compute_functions = [greet]
    required_input = ["name", "compute_endpoint"]
    flow_input = {"greeting": "Hello"}


@generate_flow_definition
class TwoGreetings(GladierBaseClient):
    """Greet twice, with two aliased copies of the Greet tool."""

    gladier_tools = [f"{__name__}.Greet:Morning", f"{__name__}.Greet:Evening"]


def main() -> int:
    client = TwoGreetings()
    print("states:", list(client.get_flow_definition()["States"]))
    print("function ids:", sorted(client.get_compute_function_ids()))
    flow_input = {
        "input": {
            "morning_name": "Ada",
            "morning_greeting": "Good morning",
            "evening_name": "Grace",
            "evening_greeting": "Good evening",
        }
    }
    run = client.run_flow(flow_input, label="two greetings")
    final = client.progress(run["run_id"])
    output = final["details"]["output"]
    for state in ("GreetMorning", "GreetEvening"):
        print(state, "->", output[state]["details"]["results"][0]["output"])
    return 0 if final["status"] == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main())
