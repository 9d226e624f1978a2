"""The pydantic names the state models (:mod:`gladier.tools`) are built with.

Gladier 0.11 offered this module so that code could catch the state models' validation errors
and subclass them with one import, whichever pydantic was installed. The models here use
pydantic's v2 API, so this module is pydantic's own namespace: ``ValidationError`` is the error
they raise, and ``BaseModel``, ``Field`` and the validators are the ones they are built with.

Example::

    >>> from gladier.utils.pydantic_v1 import ValidationError
    >>> from gladier.tools import WaitState
    >>> try:
    ...     WaitState(timestamp="2001-01-01")
    ... except ValidationError as err:
    ...     print("invalid:", err.error_count(), "error")
    invalid: 1 error
"""

from pydantic import *  # noqa: F403
from pydantic import ValidationError

__all__ = ["ValidationError"]
