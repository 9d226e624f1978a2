"""Archive, encrypt, decrypt and extract real files with the gladier-tools POSIX tools.

Modelled on Gladier's ``encrypt_and_transfer.py``: a local tool (``MakeFiles``) mixed with tools
named by dotted strings from the ``gladier-tools`` package. The flow is

    MakeFiles -> Tar -> Encrypt -> Decrypt -> UnTar

and every step works on files in a temporary folder; the script checks that the extracted
files equal the originals. It needs ``gladier-tools`` (``python3 dev.py`` installs it)::

    python examples/tar_encrypt_decrypt.py
"""

from __future__ import annotations

import filecmp
import sys
import tempfile
from pathlib import Path

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def make_files(**data):
    """Write a few files into the folder to archive."""
    import pathlib

    folder = pathlib.Path(data["make_input"]).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(3):
        (folder / f"file{number}.txt").write_text(f"This is file number {number}\n" * 100)
    return sorted(p.name for p in folder.iterdir())


@generate_flow_definition
class MakeFiles(GladierBaseTool):
    compute_functions = [make_files]
    required_input = ["make_input", "compute_endpoint"]


@generate_flow_definition
class TarEncryptDecrypt(GladierBaseClient):
    """Make files, archive them, encrypt the archive, decrypt it and extract it again."""

    gladier_tools = [
        MakeFiles,
        "gladier_tools.posix.Tar",
        "gladier_tools.posix.Encrypt",
        "gladier_tools.posix.Decrypt",
        "gladier_tools.posix.UnTar",
    ]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gladier-crypt-") as scratch:
        root = Path(scratch)
        data = root / "data"
        flow_input = {
            "input": {
                "make_input": str(data),
                "tar_input": str(data),
                "tar_output": str(root / "data.tgz"),
                "encrypt_input": str(root / "data.tgz"),
                "encrypt_key": "my secret",
                "decrypt_input": str(root / "data.tgz.aes"),
                "decrypt_key": "my secret",
                "decrypt_output": str(root / "decrypted.tgz"),
                "untar_input": str(root / "decrypted.tgz"),
                "untar_output": str(root / "restored"),
            }
        }
        client = TarEncryptDecrypt()
        run = client.run_flow(flow_input, label="tar, encrypt, decrypt, untar", tags=["example"])
        final = client.progress(run["run_id"])
        if final["status"] != "SUCCEEDED":
            return 1
        restored = root / "restored" / "data"
        same = filecmp.dircmp(data, restored)
        print("encrypted archive:", (root / "data.tgz.aes").stat().st_size, "bytes")
        print("restored files:", sorted(p.name for p in restored.iterdir()))
        identical = not (same.left_only or same.right_only or same.diff_files)
        print("restored files equal the originals:", identical)
        return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
