"""Names Gladier derives from compute functions: state names and storage keys.

Example::

    >>> def tar_files(**data): ...
    >>> get_compute_flow_state_name(tar_files), get_compute_function_name(tar_files)
    ('TarFiles', 'tar_files_function_id')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

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

# A capital that starts a word ("Http" in "getHttpFile"), then a lower/digit-to-upper boundary.
_WORD_START = re.compile(r"(.)([A-Z][a-z]+)")
_CASE_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


def get_upper_camel_case(snake_case_name: str) -> str:
    """Turn ``snake_case`` into ``UpperCamelCase`` the way Gladier names generated states.

    Each underscore-separated part is capitalised (the rest of the part lower-cased); a name
    without underscores only gets its first letter upper-cased.

    Example::

        >>> get_upper_camel_case("tar_files"), get_upper_camel_case("tarFiles")
        ('TarFiles', 'TarFiles')
    """
    name = snake_case_name
    if "_" in name:
        name = "".join(part.capitalize() for part in name.split("_"))
    return name[:1].upper() + name[1:]


def get_snake_case(upper_camel_case: str) -> str:
    """Turn ``UpperCamelCase`` into ``snake_case`` (used to prefix aliased input variables).

    Example::

        >>> get_snake_case("MyAlias"), get_snake_case("HTTPServer")
        ('my_alias', 'http_server')
    """
    name = _WORD_START.sub(r"\1_\2", upper_camel_case)
    return _CASE_BOUNDARY.sub(r"\1_\2", name).lower()


def _function_name(compute_function: Callable[..., Any]) -> str:
    return str(compute_function.__name__)


def get_compute_flow_state_name(compute_function: Callable[..., Any]) -> str:
    """The state name generated for a compute function: its name in UpperCamelCase.

    Example::

        >>> def encrypt(**data): ...
        >>> get_compute_flow_state_name(encrypt)
        'Encrypt'
    """
    return get_upper_camel_case(_function_name(compute_function))


def get_compute_function_name(compute_function: Callable[..., Any]) -> str:
    """The flow input key (and storage key) holding the function's registered id.

    Names are not unique across tools: two functions called ``tar`` share ``tar_function_id``.

    Example::

        >>> def tar(**data): ...
        >>> get_compute_function_name(tar)
        'tar_function_id'
    """
    return f"{_function_name(compute_function)}_function_id"


def get_compute_function_checksum_name(compute_function: Callable[..., Any]) -> str:
    """The storage key holding the checksum of the function's registered code.

    Example::

        >>> def tar(**data): ...
        >>> get_compute_function_checksum_name(tar)
        'tar_function_id_checksum'
    """
    return f"{get_compute_function_name(compute_function)}_checksum"


# Gladier 0.8's names (funcX was renamed Globus Compute in 0.9). Code written for 0.8 imports
# them; they return what 0.8 returned, ``_funcx_id`` keys included.


def get_funcx_flow_state_name(funcx_function: Callable[..., Any]) -> str:
    """Gladier 0.8's :func:`get_compute_flow_state_name`.

    Example::

        >>> def encrypt(**data): ...
        >>> get_funcx_flow_state_name(encrypt)
        'Encrypt'
    """
    return get_compute_flow_state_name(funcx_function)


def get_funcx_function_name(funcx_function: Callable[..., Any]) -> str:
    """The config key under which Gladier 0.8 stored a funcX function's id.

    Example::

        >>> def tar(**data): ...
        >>> get_funcx_function_name(tar)
        'tar_funcx_id'
    """
    return f"{_function_name(funcx_function)}_funcx_id"


def get_funcx_function_checksum_name(funcx_function: Callable[..., Any]) -> str:
    """The config key under which Gladier 0.8 stored a funcX function's checksum.

    Example::

        >>> def tar(**data): ...
        >>> get_funcx_function_checksum_name(tar)
        'tar_funcx_id_checksum'
    """
    return f"{get_funcx_function_name(funcx_function)}_checksum"
