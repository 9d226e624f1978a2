"""What benchmarks/client_repos.py knows about each public client repository.

How to run a client on the embedded runtime (:class:`RunPlan`, :data:`RUN_PLANS`), why a
client is not run (:data:`NOT_RUN`), and the differences from Gladier 0.11 that are on purpose
(:data:`KNOWN_DIFFERENCES`, :data:`OURS_ONLY`). Keys are ``(repository, file, client)``: the
repository's name without its owner, the file's path in it, and the client class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Action URLs the embedded runtime serves itself: compute, Hello World and expression
#: evaluation, and Transfer and Search on local collections and a local index.
LOCAL_URL_PREFIXES = (
    "https://compute.actions.globus.org",
    "https://automate.funcx.org",
    "https://actions.globus.org/hello_world",
    "https://actions.globus.org/expression_eval",
    "https://transfer.actions.globus.org/",
    "https://actions.globus.org/transfer/",
    "https://actions.automate.globus.org/transfer/",
    "https://actions.globus.org/search/",
)


@dataclass(frozen=True)
class RunPlan:
    """How to run one client on the embedded runtime, and what it must do.

    Every string may contain ``{scratch}``, the run's scratch directory. ``files`` are written
    there first (relative path -> text); ``collections`` map a collection id the client's input
    names to a directory below it; ``indexes`` are Search indexes to create. The run must end
    ``expect``; ``outputs`` are compute results (state -> value), ``expect_files`` files that
    must exist afterwards, ``expect_subjects`` Search subjects (index -> subject) it ingested.
    """

    input: dict[str, Any]
    expect: str = "SUCCEEDED"
    files: dict[str, str] = field(default_factory=dict)
    collections: dict[str, str] = field(default_factory=dict)
    indexes: tuple[str, ...] = ()
    outputs: dict[str, Any] = field(default_factory=dict)
    expect_files: tuple[str, ...] = ()
    expect_subjects: dict[str, str] = field(default_factory=dict)


EXAMPLE_COLLECTION = "0121789b-df0e-43fb-b9f0-d0cd1b0ced7d"
TEMPLATE_LOCAL = "cde22510-5de7-11ec-9b5c-f9dfb1abb183"
TEMPLATE_REMOTE = "ef4203ca-6510-466c-9bff-a5d2cc316673"
TEMPLATE_INDEX = "563c3d98-6fa8-4ef5-83e2-0f378efe0a5f"

#: The runs, by (repository, file, client). Inputs are those of the client's own ``__main__``
#: block, with local paths (and local collections for its collection ids).
RUN_PLANS: dict[tuple[str, str, str], RunPlan] = {
    ("gladier-client-examples", "custom-funcx-function/client.py", "ComputeSumClient"): RunPlan(
        {"input": {"b": 2}}, outputs={"ComputeSum": 4}
    ),
    ("gladier-client-examples", "custom-tool-flow-definition/client.py", "HelloClient"): RunPlan(
        {"input": {"echo_string": "Hello World!"}}
    ),
    ("gladier-client-examples", "schemas/client.py", "HelloWorldClient"): RunPlan(
        {"input": {"echo_string": "hello_world", "sleep_time": 0}}
    ),
    ("gladier-client-examples", "shell-cmd/client.py", "ShellCmdClient"): RunPlan(
        {"input": {"args": "cat /proc/version", "capture_output": True}}
    ),
    ("gladier-client-examples", "multi-function-pipeline/client.py", "MultiFunctionClient"): (
        RunPlan({"input": {}})
    ),
    ("gladier-client-examples", "tar-and-transfer/client.py", "TarAndTransfer"): RunPlan(
        {
            "input": {
                "from_source_transfer_source_endpoint_id": EXAMPLE_COLLECTION,
                "from_source_transfer_destination_endpoint_id": EXAMPLE_COLLECTION,
                "from_source_transfer_source_path": "/source_files",
                "from_source_transfer_destination_path": "/staging_files",
                "from_source_transfer_recursive": True,
                "tar_input": "{scratch}/collection/staging_files",
                "to_destination_transfer_source_endpoint_id": EXAMPLE_COLLECTION,
                "to_destination_transfer_destination_endpoint_id": EXAMPLE_COLLECTION,
                "to_destination_transfer_source_path": "/staging_files",
                "to_destination_transfer_destination_path": "/destination_files",
                "to_destination_transfer_recursive": True,
            }
        },
        files={"collection/source_files/sample.txt": "a sample file\n"},
        collections={EXAMPLE_COLLECTION: "collection"},
        outputs={"Tar": "{scratch}/collection/staging_files.tgz"},
        expect_files=(
            "collection/staging_files/sample.txt",
            "collection/staging_files.tgz",
            "collection/destination_files/sample.txt",
        ),
    ),
    ("gladier-client-examples", "publish/client.py", "PublicationTestClient"): RunPlan(
        {
            "input": {
                "publishv2": {
                    "dataset": "{scratch}/my_test_dataset",
                    "destination": "my/remote/path",
                    "source_collection": "my-source-collection-uuid",
                    "source_collection_basepath": "",
                    "destination_collection": "my-destination-collection-uuid",
                    "index": "my-globus-search-index",
                    "visible_to": ["public"],
                    "enable_publish": False,
                    "enable_transfer": False,
                    "enable_meta_dc": True,
                    "enable_meta_files": True,
                    "metadata_file": "{scratch}/my_test_dataset/metadata.json",
                    "metadata": {
                        "dc": {
                            "creators": [{"name": "Lead Scientist"}],
                            "publisher": "MyLaboratory",
                            "titles": [{"title": "Hello World Dataset"}],
                        }
                    },
                }
            }
        }
    ),
    # The template's input has no "text", so its function calls writelines(None): a TypeError
    # on Globus too. With a text the file is written.
    ("gladier-client-template", "simple_clients/example_client_process.py", "Example_Client"): (
        RunPlan(
            {"input": {"name": "Bob", "wfile": "{scratch}/test.txt", "text": "Awesome Text!"}},
            outputs={"SimpleFunction": "{scratch}/test.txt"},
            expect_files=("test.txt",),
        )
    ),
    ("gladier-client-template", "simple_clients/example_client_transfer.py", "Example_Client"): (
        RunPlan(
            {
                "input": {
                    "simple_transfer_source_endpoint_id": TEMPLATE_LOCAL,
                    "simple_transfer_source_path": "/demo",
                    "simple_transfer_destination_endpoint_id": TEMPLATE_REMOTE,
                    "simple_transfer_destination_path": "/demo/animals/",
                }
            },
            files={"local/demo/awesome.txt": "Awesome Text!"},
            collections={TEMPLATE_LOCAL: "local", TEMPLATE_REMOTE: "remote"},
            expect_files=("remote/demo/animals/awesome.txt",),
        )
    ),
    ("gladier-client-template", "simple_clients/example_client_publish.py", "Example_Client"): (
        RunPlan(
            {
                "input": {
                    "search_index": TEMPLATE_INDEX,
                    "content": {"title": "Example Publish", "contributors": ["Bob"]},
                    "subject": "gladier_example_publish",
                    "visible_to": ["public"],
                }
            },
            indexes=(TEMPLATE_INDEX,),
            expect_subjects={TEMPLATE_INDEX: "gladier_example_publish"},
        )
    ),
}

#: Why a client that the embedded runtime could serve is not run.
NOT_RUN: dict[tuple[str, str, str], str] = {
    (
        "gladier-client-template",
        "weather_example_client/weather_example_client.py",
        "WeatherClient",
    ): ("its function asks api.weather.gov"),
    ("gladier-client-template", "full_client/full_client.py", "Example_Client"): (
        "gladier_tools.publish.Publish needs globus-pilot and a Pilot project"
    ),
    ("gladier-xpcs", "gladier_xpcs/flows/flow_boost.py", "XPCSBoost"): (
        "its function runs boost_corr (GPU correlation) on beamline data"
    ),
    ("gladier-xpcs", "gladier_xpcs/flows/flow_boost_batch.py", "XPCSBoostBatch"): (
        "its function runs boost_corr (GPU correlation) on beamline data"
    ),
    ("gladier-hedm", "gladier_hedm/flows/ff_flow.py", "FFFlow"): (
        "its functions run the MIDAS HEDM binaries on detector data"
    ),
    ("gladier-hedm", "gladier_hedm/flows/nf_flow.py", "NFFlow"): (
        "its functions run the MIDAS HEDM binaries on detector data"
    ),
}

#: Clients whose definition differs from 0.11's on purpose: (repository, file, client) -> the
#: docs/compat.md section that explains it. None so far: every importable client matches.
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {}

#: Repositories written for Gladier 0.8 that 0.11 cannot import but this SDK can (it keeps
#: 0.8's public names): repository -> why 0.11 cannot.
OURS_ONLY: dict[str, str] = {
    "gladier_kanzus": "it uses 0.8's name_generation.get_funcx_function_name, gone since 0.9",
}
