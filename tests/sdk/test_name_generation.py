from __future__ import annotations

from typing import Any

import pytest

from gladier.utils.name_generation import (
    get_compute_flow_state_name,
    get_compute_function_checksum_name,
    get_compute_function_name,
    get_snake_case,
    get_upper_camel_case,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tar", "Tar"),
        ("tar_files", "TarFiles"),
        ("parallel_workload_input_builder", "ParallelWorkloadInputBuilder"),
        ("camelCase", "CamelCase"),
        ("my_HTTP_fn", "MyHttpFn"),
        ("_private", "Private"),
        ("", ""),
    ],
)
def test_upper_camel_case(name: str, expected: str) -> None:
    assert get_upper_camel_case(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MyAlias", "my_alias"),
        ("First", "first"),
        ("HTTPServer", "http_server"),
        ("DoItAgain", "do_it_again"),
        ("already_snake", "already_snake"),
        ("Version2Tool", "version2_tool"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert get_snake_case(name) == expected


def test_compute_function_names() -> None:
    def publish_gather_metadata(**data: Any) -> None:
        pass

    assert get_compute_flow_state_name(publish_gather_metadata) == "PublishGatherMetadata"
    assert get_compute_function_name(publish_gather_metadata) == (
        "publish_gather_metadata_function_id"
    )
    assert get_compute_function_checksum_name(publish_gather_metadata) == (
        "publish_gather_metadata_function_id_checksum"
    )


def test_gladier_0_8_names_return_what_0_8_returned() -> None:
    from gladier.utils.name_generation import (
        get_funcx_flow_state_name,
        get_funcx_function_checksum_name,
        get_funcx_function_name,
    )

    def stills_process(**data: Any) -> None: ...

    assert get_funcx_flow_state_name(stills_process) == "StillsProcess"
    assert get_funcx_function_name(stills_process) == "stills_process_funcx_id"
    assert get_funcx_function_checksum_name(stills_process) == "stills_process_funcx_id_checksum"
