"""A transfer refused for a symbolic link says why wherever the run's failure is shown."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke

SOURCE = "11111111-1111-4111-8111-111111111111"
DESTINATION = "22222222-2222-4222-8222-222222222222"


def test_a_link_out_of_the_collection_is_named_in_the_failure(
    gladier: Invoke, tmp_path: Path
) -> None:
    src, dst, outside = tmp_path / "src", tmp_path / "dst", tmp_path / "outside"
    (src / "t").mkdir(parents=True)
    dst.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (src / "t" / "a.txt").write_text("a")
    (src / "t" / "leak.txt").symlink_to(outside / "secret.txt")
    for root, cid in ((src, SOURCE), (dst, DESTINATION)):
        made = gladier("collections", "create", str(root), "--id", cid)
        assert made.exit_code == 0, made.output
    flow = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
                "Parameters": {
                    "source_endpoint": SOURCE,
                    "destination_endpoint": DESTINATION,
                    "DATA": [{"source_path": "/t", "destination_path": "/t", "recursive": True}],
                },
                "ResultPath": "$.r",
                "End": True,
            }
        },
    }
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(flow))
    created = gladier("flows", "create", str(path), "--json")
    assert created.exit_code == 0, created.output
    result = gladier("flows", "run", json.loads(created.stdout)["id"])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert (
        "Failed at state T: ActionFailedException: PATH_OUTSIDE_COLLECTION: Path '/t/leak.txt'"
        in text
    )
    assert "is a symbolic link to" in text
    assert not (dst / "t" / "leak.txt").exists()
