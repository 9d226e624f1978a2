"""One config file, two backends: each keeps its ids in its own section, nothing is lost.

The Globus backend uses the client's own section (Gladier 0.11's layout); the embedded runtime
uses ``[<client section>.embedded]``. Settings in the client's own section apply to both.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from gladier import GladierBaseClient, generate_flow_definition
from gladier.storage.config import GladierConfig
from tests.sdk.client_tools import AddOne, add_one
from tests.sdk.globus_fakes import CLIENT_ID, Logins, RecordedGlobus
from tests.sdk.test_globus_compute import checksum_0_11

ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df"


@generate_flow_definition
class ShareClient(GladierBaseClient):
    gladier_tools = [AddOne]


class ShareOnGlobus(ShareClient):
    backend = "globus"


ShareOnGlobus.__name__ = "ShareClient"  # the same client class, run on Globus


def read(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(path)
    return parser


def config_file(home: Path) -> Path:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home / f"{CLIENT_ID}.cfg"


def test_a_0_11_file_keeps_working_on_globus(
    recorded: RecordedGlobus, _isolated_home: Path
) -> None:
    probe = ShareOnGlobus(login_manager=Logins().manager())
    flow_id = recorded.add_flow(definition=probe.get_flow_definition())
    config_file(_isolated_home).write_text(
        "[general]\nversion = 0.11.0\n\n[share_client]\n"
        f"flow_id = {flow_id}\n"
        f"flow_checksum = {probe.flows_manager.get_flow_checksum()}\n"
        "add_one_function_id = 9f0c0000-0000-4000-8000-000000000001\n"
        f"add_one_function_id_checksum = {checksum_0_11(add_one)}\n"
        f"compute_endpoint = {ENDPOINT}\n"
    )
    logins = Logins()
    client = ShareOnGlobus(login_manager=logins.manager())
    assert client.storage.section == "share_client"
    run = client.run_flow({"input": {"number": 1}})
    assert run["flow_id"] == flow_id
    assert recorded.paths("POST") == [f"/flows/{flow_id}/run"]  # nothing registered or deployed
    body = recorded.sent("POST", "/run")[0]["body"]["input"]
    assert body["add_one_function_id"] == "9f0c0000-0000-4000-8000-000000000001"
    assert body["compute_endpoint"] == ENDPOINT  # the user's setting
    assert len(logins.asked) == 1  # the stored flow's scope was asked for with everything else


def test_embedded_and_globus_ids_never_overwrite_each_other(
    recorded: RecordedGlobus, _isolated_home: Path
) -> None:
    cloud = ShareOnGlobus(login_manager=Logins().manager())
    cloud_run = cloud.run_flow({"input": {"number": 1, "compute_endpoint": ENDPOINT}})
    local = ShareClient()
    local_run = local.run_flow({"input": {"number": 1}})
    local.progress(local_run["run_id"], callback=lambda status: None)
    parser = read(config_file(_isolated_home))
    assert parser["share_client"]["flow_id"] == cloud_run["flow_id"]
    assert parser["share_client.embedded"]["flow_id"] == local_run["flow_id"]
    cloud_fn = parser["share_client"]["add_one_function_id"]
    local_fn = parser["share_client.embedded"]["add_one_function_id"]
    assert cloud_fn in recorded.functions and local_fn not in recorded.functions
    # each backend still finds its own deployment
    assert ShareOnGlobus(login_manager=Logins().manager()).get_flow_id() == cloud_run["flow_id"]
    assert ShareClient().get_flow_id() == local_run["flow_id"]


def test_ids_written_before_the_split_are_adopted_once(_isolated_home: Path) -> None:
    first = ShareClient()
    first_run = first.run_flow({"input": {"number": 1}})
    first.progress(first_run["run_id"], callback=lambda status: None)
    path = config_file(_isolated_home)
    embedded = dict(read(path)["share_client.embedded"])
    # the layout of earlier versions: embedded ids in the client's own section, next to an id
    # from Globus (which the embedded runtime does not know)
    old = "[general]\nversion = 0.12.0.dev0\n\n[share_client]\n"
    old += "".join(f"{key} = {value}\n" for key, value in embedded.items())
    old += "tar_function_id = 7a7a0000-0000-4000-8000-000000000001\n"
    old += f"compute_endpoint = {ENDPOINT}\n"
    path.write_text(old)
    client = ShareClient()
    assert client.get_flow_id() == first_run["flow_id"]  # adopted, not deployed again
    parser = read(path)
    assert dict(parser["share_client.embedded"]) == embedded
    assert dict(parser["share_client"]) == {
        "tar_function_id": "7a7a0000-0000-4000-8000-000000000001",
        "compute_endpoint": ENDPOINT,
    }
    assert client.get_compute_function_ids() == {
        "add_one_function_id": embedded["add_one_function_id"]
    }
    # a setting of the shared section applies; the backend's own section wins
    assert client.get_input()["input"]["compute_endpoint"] == ENDPOINT
    GladierConfig(path, "share_client.embedded").set_value("compute_endpoint", "local-pool")
    assert ShareClient().get_input()["input"]["compute_endpoint"] == "local-pool"


def test_a_0_11_file_is_split_even_when_its_version_is_updated(_isolated_home: Path) -> None:
    first = ShareClient()
    flow_id = first.sync_flow()
    path = config_file(_isolated_home)
    embedded = dict(read(path)["share_client.embedded"])
    old = "[general]\nversion = 0.8.4\n\n[share_client]\n"
    old += "".join(f"{key} = {value}\n" for key, value in embedded.items())
    path.write_text(old)
    assert ShareClient().get_flow_id() == flow_id
    parser = read(path)
    assert parser["general"]["version"] != "0.8.4" and not dict(parser["share_client"])
