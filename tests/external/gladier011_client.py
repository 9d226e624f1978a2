"""A two-tool Gladier 0.11 client, run by the *published* Gladier 0.11 in its own venv.

Run by ``tests/external/gladier011_server.py`` against a ``gladier server``; never imported by
this project. Gladier 0.11 logs in with client credentials (``GLADIER_CLIENT_ID``/``_SECRET``,
its ``ConfidentialClientLoginManager``), registers its functions through
``globus_compute_sdk.Client`` and deploys and runs its flow through globus-sdk, all pointed at
the server by ``GLOBUS_SDK_SERVICE_URL_*`` and ``GLOBUS_SDK_ENVIRONMENT=local`` (Compute on
port 5000). With ``GLADIER_SERVER_COMPUTE_URL`` set, the Compute SDK's URL lookup is replaced
instead (when port 5000 is taken). Prints one JSON line: the final run document's essentials.
"""

import json
import os
import sys

if os.environ.get("GLADIER_SERVER_COMPUTE_URL"):
    import globus_compute_sdk.sdk.client as compute_client

    url = os.environ["GLADIER_SERVER_COMPUTE_URL"]
    compute_client.get_web_service_url = lambda *args, **kwargs: url

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def double_it(**data):
    """Double x."""
    return data["x"] * 2


def describe_it(**data):
    """Describe x."""
    return f"x is {data['x']}"


@generate_flow_definition
class Double(GladierBaseTool):
    compute_functions = [double_it]
    required_input = ["x", "compute_endpoint"]


@generate_flow_definition
class Describe(GladierBaseTool):
    compute_functions = [describe_it]
    required_input = ["x", "compute_endpoint"]


@generate_flow_definition
class TwoTools(GladierBaseClient):
    gladier_tools = [Double, Describe]


def main():
    client = TwoTools()
    run = client.run_flow(
        flow_input={"input": {"x": 21, "compute_endpoint": "4b116d3c-1703-4f8f-9f6f-39921e5864df"}},
        label="gladier 0.11 against gladier server",
    )
    client.progress(run["run_id"], delay=0.2)
    final = client.get_status(run["run_id"])
    output = final["details"]["output"]
    print(
        json.dumps(
            {
                "status": final["status"],
                "run_id": run["run_id"],
                "flow_id": client.get_flow_id(),
                "double": output["DoubleIt"]["details"]["result"],
                "describe": output["DescribeIt"]["details"]["result"],
            }
        )
    )
    return 0 if final["status"] == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main())
