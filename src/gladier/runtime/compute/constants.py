"""Names and numbers of the compute subsystem that other modules and the docs refer to."""

from __future__ import annotations

#: The UUID of the endpoint that exists out of the box (a warm pool of worker processes).
#: Stable across installations and versions; see docs/compute.md.
DEFAULT_ENDPOINT_ID = "bd06cbfe-4e60-5087-b88d-36c8bebdec5a"

#: The executor kinds an endpoint can have.
EXECUTOR_KINDS = ("process", "thread", "dask", "parsl", "globus-compute")

#: The current Globus Compute action provider (V2 body: ``tasks: [{endpoint, function, ...}]``).
COMPUTE_V2_URL = "https://compute.actions.globus.org"
#: The V3 action provider (``endpoint_id``, ``tasks: [{function_id, args, kwargs}]``).
COMPUTE_V3_URL = "https://compute.actions.globus.org/v3"
#: Older URLs that flows written for Gladier 0.8 to 0.11 still name (V2 body, ``func`` alias).
LEGACY_COMPUTE_URLS = (
    "https://automate.funcx.org",
    "https://dev.funcx.org/automate",
    "https://api.funcx.org/automate",
    "https://compute.actions.globus.org/fxap",
    "https://compute2.dev.funcx.org/fxap",
)
#: Every URL the compute action provider serves.
COMPUTE_URLS = (COMPUTE_V2_URL, COMPUTE_V3_URL, *LEGACY_COMPUTE_URLS)
