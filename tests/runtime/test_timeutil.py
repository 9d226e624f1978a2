"""``iso`` formats exactly as datetime does, from any thread."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timezone

from gladier.runtime.timeutil import iso


def reference(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat()


def test_iso_matches_datetime_including_rounding_edges() -> None:
    rng = random.Random(17)
    values = [rng.uniform(-2e9, 4e9) for _ in range(20_000)]
    values += [rng.uniform(1.7e9, 1.8e9) for _ in range(20_000)]
    values += [s + f for s in (0, 1_800_000_000, -5) for f in (0.9999995, 0.0000005, 0.5e-6)]
    values += [1_800_000_000 + k / 1e6 for k in range(0, 2_000_000, 997)]
    assert [iso(v) for v in values] == [reference(v) for v in values]
    assert iso(0) == "1970-01-01T00:00:00+00:00"


def test_iso_from_many_threads_never_mixes_seconds() -> None:
    wrong: list[tuple[float, str]] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(5_000):
            value = 1_800_000_000 + rng.randrange(5) + rng.random()
            text = iso(value)
            if text != reference(value):
                wrong.append((value, text))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
