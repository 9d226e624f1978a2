"""Set up the demo's folders, register its parts with a runtime, start it, and sum it up.

Folders under the demo's root (``--output DIR`` or a new temporary folder)::

    beamline/                 the "beamline" collection (where data are produced)
      raw/                    the generated scans
      archive/scans.tar.gz    their archive
      encrypted/…tar.gz.enc   the encrypted archive
    archive-site/             the "archive" collection (where data are kept)
      incoming/…tar.gz.enc    the transferred copy
      restored/               the decrypted archive and the extracted scans
    keys/                     the demo key files (mode 0600)
    metadata.json             the record that is also published to the local search index
    runtime/                  a runtime home of the demo's own (:attr:`DemoLayout.runtime_home`),
                              for code that wants one; ``gladier demo`` keeps the run in the
                              user's runtime home instead, so ``gladier runs list`` shows it

The work is done by :class:`gladier.demo.tools.DemoClient`, a ``GladierBaseClient`` like any
user's: :func:`start_run` binds it to the demo's runtime and starts it.

Example::

    from gladier.demo.pipeline import DemoLayout, start_run
    from gladier.runtime import Runtime

    layout = DemoLayout.create("/tmp/my-demo")
    with Runtime(home=layout.runtime_home) as rt:
        run = start_run(rt, layout)
        final = rt.wait(run["run_id"])
        print(summarise(final, layout)["verified"])   # True
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from gladier.demo.tools import DemoClient

if TYPE_CHECKING:
    from gladier.runtime import Runtime

SEARCH_INDEX: Final = "gladier-demo"
ARCHIVE_NAME: Final = "scans.tar.gz"


@dataclass(frozen=True)
class DemoLayout:
    """Where the demo reads and writes; see the module docstring.

    Example::

        layout = DemoLayout.create("/tmp/my-demo")
        layout.key_file          # PosixPath('/tmp/my-demo/keys/beamline.key')
    """

    root: Path

    @classmethod
    def create(cls, root: str | os.PathLike[str], *, wrong_key: bool = False) -> DemoLayout:
        """Make the folders and the key files; ``wrong_key`` gives the archive another key."""
        layout = cls(Path(root).expanduser().resolve())
        for folder in (layout.beamline, layout.archive_site / "incoming", layout.keys):
            folder.mkdir(parents=True, exist_ok=True)
        layout.keys.chmod(0o700)
        key = secrets.token_hex(32)
        _write_secret(layout.key_file, key)
        _write_secret(layout.archive_key_file, secrets.token_hex(32) if wrong_key else key)
        return layout

    @property
    def beamline(self) -> Path:
        return self.root / "beamline"

    @property
    def archive_site(self) -> Path:
        return self.root / "archive-site"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def key_file(self) -> Path:
        return self.keys / "beamline.key"

    @property
    def archive_key_file(self) -> Path:
        return self.keys / "archive-site.key"

    @property
    def runtime_home(self) -> Path:
        return self.root / "runtime"

    @property
    def metadata(self) -> Path:
        return self.root / "metadata.json"

    def flow_input(self, *, scan_count: int, frame_bytes: int) -> dict[str, Any]:
        """The run input, apart from the function, endpoint and collection ids."""
        encrypted_name = f"{ARCHIVE_NAME}.enc"
        return {
            "scan_dir": str(self.beamline / "raw"),
            "scan_count": scan_count,
            "frame_bytes": frame_bytes,
            "archive_path": str(self.beamline / "archive" / ARCHIVE_NAME),
            "encrypted_path": str(self.beamline / "encrypted" / encrypted_name),
            "key_file": str(self.key_file),
            "transfer_source_path": f"/encrypted/{encrypted_name}",
            "transfer_destination_path": f"/incoming/{encrypted_name}",
            "archived_encrypted_path": str(self.archive_site / "incoming" / encrypted_name),
            "archive_key_file": str(self.archive_key_file),
            "restored_path": str(self.archive_site / "restored" / ARCHIVE_NAME),
            "extract_dir": str(self.archive_site / "restored"),
            "metadata_path": str(self.metadata),
            "search_index": SEARCH_INDEX,
            "search_subject": (self.archive_site / "incoming" / encrypted_name).as_uri(),
        }


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


def demo_client(runtime: Runtime) -> DemoClient:
    """A :class:`~gladier.demo.tools.DemoClient` that runs on ``runtime`` (and keeps its ids in
    ``<runtime home>/<client id>.cfg``).

    Example::

        demo_client(rt).get_flow_definition()["StartAt"]     # 'GenerateScans'
    """
    from gladier.services.local import LocalBackend

    bound = type("DemoClient", (DemoClient,), {"backend": LocalBackend(runtime=runtime)})
    return bound()


def start_run(
    runtime: Runtime,
    layout: DemoLayout,
    *,
    scan_count: int = 6,
    frame_bytes: int = 65536,
    label: str = "gladier demo",
) -> dict[str, Any]:
    """Map the collections, then let the demo client register its functions, deploy its flow
    and start a run; returns the run document.

    Example::

        run = start_run(rt, DemoLayout.create("/tmp/my-demo"), scan_count=3)
    """
    body = layout.flow_input(scan_count=scan_count, frame_bytes=frame_bytes)
    beamline = runtime.create_collection(layout.beamline, display_name="beamline")
    archive = runtime.create_collection(layout.archive_site, display_name="archive-site")
    body["beamline_collection"] = beamline["id"]
    body["archive_collection"] = archive["id"]
    client = demo_client(runtime)
    run: dict[str, Any] = client.run_flow(flow_input={"input": body}, label=label, tags=["demo"])
    return run


def summarise(
    run: dict[str, Any], layout: DemoLayout, *, home: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """What the run did and where its outputs are, as JSON (the demo prints it).

    ``home`` is the runtime home that holds the run (default: ``layout.runtime_home``).

    Example::

        summarise(rt.wait(run["run_id"]), layout, home=rt.home)["verified"]      # True
    """
    runtime_home = str(Path(home) if home is not None else layout.runtime_home)
    details = run.get("details") or {}
    output = details.get("output") if isinstance(details, dict) else None
    output = output if isinstance(output, dict) else {}

    def result(state: str) -> dict[str, Any]:
        doc = output.get(state) or {}
        results = (doc.get("details") or {}).get("results") or [{}]
        value = results[0].get("output") if isinstance(results[0], dict) else None
        return value if isinstance(value, dict) else {}

    scans = result("GenerateScans")
    verified = result("VerifyRoundTrip")
    published = bool(output.get("PublishMetadata")) and "PublishError" not in output
    return {
        "run_id": run.get("run_id"),
        "flow_id": run.get("flow_id"),
        "status": run.get("status"),
        "scans": scans.get("files"),
        "scan_bytes": scans.get("bytes"),
        "archive_sha256": verified.get("archive_sha256"),
        "verified": verified.get("match"),
        "files_checked": verified.get("files_checked"),
        "published_to": SEARCH_INDEX if published else None,
        "outputs": {
            "folder": str(layout.root),
            "scans": str(layout.beamline / "raw"),
            "archive": str(layout.beamline / "archive" / ARCHIVE_NAME),
            "encrypted": str(layout.beamline / "encrypted" / f"{ARCHIVE_NAME}.enc"),
            "transferred": str(layout.archive_site / "incoming" / f"{ARCHIVE_NAME}.enc"),
            "restored": str(layout.archive_site / "restored"),
            "metadata": str(layout.metadata),
            "runtime_home": runtime_home,
        },
        "runtime_home": runtime_home,
    }
