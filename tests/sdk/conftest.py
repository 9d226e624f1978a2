"""SDK test fixtures: the shared runtimes clients open are closed after every test; recorded
Globus services for the Globus backend tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import responses

    from tests.sdk.globus_fakes import FakeGlobusAuth, RecordedGlobus


@pytest.fixture(autouse=True)
def _close_shared_runtimes() -> Iterator[None]:
    yield
    from gladier.services.local import close_shared_runtimes

    close_shared_runtimes()


@pytest.fixture
def globus_mock(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    """Globus HTTP answered by registered responses only: any other request fails at once.

    globus-sdk's retries are switched off (``GLADIER_GLOBUS_MAX_RETRIES=0``) so a failure never
    sleeps, and globus-sdk's environment variables of the developer's shell are removed.
    """
    import os

    import responses

    for name in list(os.environ):
        if name.startswith("GLOBUS_SDK_") or name.startswith("GLOBUS_COMPUTE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GLADIER_GLOBUS_MAX_RETRIES", "0")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def recorded(globus_mock: responses.RequestsMock) -> RecordedGlobus:
    """The recorded Flows and Compute services (:class:`tests.sdk.globus_fakes.RecordedGlobus`)."""
    from tests.sdk.globus_fakes import RecordedGlobus

    return RecordedGlobus(globus_mock)


@pytest.fixture
def fake_auth(globus_mock: responses.RequestsMock) -> FakeGlobusAuth:
    """Globus Auth (:class:`tests.sdk.globus_fakes.FakeGlobusAuth`)."""
    from tests.sdk.globus_fakes import FakeGlobusAuth

    return FakeGlobusAuth(globus_mock)
