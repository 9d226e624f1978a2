"""Names Gladier derives from compute functions (state names, storage keys).

Gladier 0.8-0.11 imported it from here; the code lives in :mod:`gladier.flowgen.names`,
which this module re-exports.

Example::

    from gladier.utils.name_generation import get_compute_function_name

    get_compute_function_name(tar_files)     # 'tar_files_function_id'
"""

from __future__ import annotations

from gladier.flowgen.names import (
    get_compute_flow_state_name,
    get_compute_function_checksum_name,
    get_compute_function_name,
    get_funcx_flow_state_name,
    get_funcx_function_checksum_name,
    get_funcx_function_name,
    get_snake_case,
    get_upper_camel_case,
)

__all__ = [
    "get_compute_flow_state_name",
    "get_compute_function_checksum_name",
    "get_compute_function_name",
    "get_funcx_flow_state_name",
    "get_funcx_function_checksum_name",
    "get_funcx_function_name",
    "get_snake_case",
    "get_upper_camel_case",
]
