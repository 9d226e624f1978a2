"""Ctrl-C while ``Runtime.wait`` waits is a KeyboardInterrupt, wherever it lands."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime

WAITS = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}


class InterruptedAfterRelease(threading.Condition):
    """A condition whose wait is interrupted just after it let go of its lock: the moment
    where Ctrl-C leaves ``with condition:`` holding nothing to release."""

    def wait(self, timeout: float | None = None) -> bool:
        self._release_save()  # type: ignore[attr-defined]
        raise KeyboardInterrupt


def test_an_interrupt_inside_the_wait_is_reported_as_the_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Runtime(home=tmp_path) as rt:
        run_id = rt.run_flow(rt.create_flow("waits", WAITS)["id"], {})["run_id"]
    with Runtime(home=tmp_path, scheduler=False) as reader:
        made: list[Any] = []

        def condition() -> InterruptedAfterRelease:
            made.append(InterruptedAfterRelease())
            return made[-1]

        monkeypatch.setattr(threading, "Condition", condition)
        with pytest.raises(KeyboardInterrupt):
            reader.wait(run_id, timeout=30)
        assert made  # the wait really went through the interrupted condition
