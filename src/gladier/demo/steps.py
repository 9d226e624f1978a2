"""The demo's compute functions: real work on real files, one function per step.

They are written the way Gladier compute functions are: the whole flow input comes in as
keyword arguments (each function names the keys it uses and takes the rest as ``**data``), JSON
goes out, and every import is inside the function (a worker process runs it from its stored
code). :mod:`gladier.demo.tools` turns each into a tool.

The cipher is a demonstration, not a product: a SHAKE-256 key stream (XOR) with a key derived
by PBKDF2 from the key file, and an HMAC-SHA256 tag, all from the standard library.

Example (they are plain functions too)::

    >>> import tempfile, pathlib
    >>> work = pathlib.Path(tempfile.mkdtemp())
    >>> generate_scans(scan_dir=str(work / "raw"), scan_count=2, frame_bytes=64)["files"]
    2
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "decrypt_archive",
    "encrypt_archive",
    "generate_scans",
    "record_metadata",
    "tar_scans",
    "verify_round_trip",
]


def generate_scans(
    scan_dir: str, scan_count: int = 6, frame_bytes: int = 65536, seed: int = 42, **data: Any
) -> dict[str, Any]:
    """Write ``scan_count`` synthetic detector scans (a JSON header and a binary frame each)."""
    import hashlib
    import json
    import random
    from pathlib import Path

    folder = Path(scan_dir)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for index in range(1, scan_count + 1):
        rng = random.Random(seed * 1000 + index)
        header = {
            "scan": index,
            "detector": "demo-pixel-array",
            "energy_kev": round(8 + 0.5 * index, 2),
            "exposure_ms": rng.choice([50, 100, 200]),
        }
        body = json.dumps(header).encode() + b"\n" + rng.randbytes(frame_bytes)
        path = folder / f"scan_{index:04d}.dat"
        path.write_bytes(body)
        total += len(body)
    digest = hashlib.sha256()
    for path in sorted(folder.glob("scan_*.dat")):
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return {
        "folder": str(folder),
        "files": scan_count,
        "bytes": total,
        "sha256": digest.hexdigest(),
    }


def tar_scans(scan_dir: str, archive_path: str, **data: Any) -> dict[str, Any]:
    """Pack the scan folder into a gzip-compressed tar archive."""
    import hashlib
    import tarfile
    from pathlib import Path

    source = Path(scan_dir)
    target = Path(archive_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    members = sorted(p for p in source.iterdir() if p.is_file())
    with tarfile.open(target, "w:gz") as archive:
        for path in members:
            archive.add(path, arcname=f"{source.name}/{path.name}")
    content = target.read_bytes()
    return {
        "archive": str(target),
        "members": len(members),
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def encrypt_archive(
    archive_path: str, encrypted_path: str, key_file: str, **data: Any
) -> dict[str, Any]:
    """Encrypt the archive with the key file (demo cipher, see the module docstring)."""
    import hashlib
    import hmac
    import os
    from pathlib import Path

    magic = b"GLADIER-DEMO-1\n"
    plain = Path(archive_path).read_bytes()
    salt = os.urandom(16)
    secret = Path(key_file).read_bytes().strip()
    material = hashlib.pbkdf2_hmac("sha256", secret, salt, 100_000, dklen=64)
    cipher_key, mac_key = material[:32], material[32:]
    stream = hashlib.shake_256(cipher_key + salt).digest(len(plain))
    body = (int.from_bytes(plain, "big") ^ int.from_bytes(stream, "big")).to_bytes(
        len(plain), "big"
    )
    tag = hmac.new(mac_key, magic + salt + body, hashlib.sha256).digest()
    target = Path(encrypted_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(magic + salt + body + tag)
    return {"encrypted": str(target), "bytes": target.stat().st_size, "cipher": "shake256-xor+hmac"}


def decrypt_archive(
    archived_encrypted_path: str, restored_path: str, archive_key_file: str, **data: Any
) -> dict[str, Any]:
    """Check the archive's integrity tag, then decrypt it with the key file."""
    import hashlib
    import hmac
    from pathlib import Path

    magic = b"GLADIER-DEMO-1\n"
    blob = Path(archived_encrypted_path).read_bytes()
    if not blob.startswith(magic) or len(blob) < len(magic) + 48:
        raise ValueError(f"{archived_encrypted_path} is not an archive encrypted by this demo")
    salt = blob[len(magic) : len(magic) + 16]
    body, tag = blob[len(magic) + 16 : -32], blob[-32:]
    secret = Path(archive_key_file).read_bytes().strip()
    material = hashlib.pbkdf2_hmac("sha256", secret, salt, 100_000, dklen=64)
    cipher_key, mac_key = material[:32], material[32:]
    expected = hmac.new(mac_key, magic + salt + body, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise ValueError(
            f"The integrity check of {Path(archived_encrypted_path).name} failed: the key in "
            f"{archive_key_file} is not the one it was encrypted with, or the file was altered "
            "in transit"
        )
    stream = hashlib.shake_256(cipher_key + salt).digest(len(body))
    plain = (int.from_bytes(body, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(body), "big")
    target = Path(restored_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(plain)
    return {
        "restored": str(target),
        "bytes": len(plain),
        "sha256": hashlib.sha256(plain).hexdigest(),
    }


def verify_round_trip(
    archive_path: str, restored_path: str, scan_dir: str, extract_dir: str, **data: Any
) -> dict[str, Any]:
    """Compare the restored archive with the original, then every extracted scan with its source."""
    import hashlib
    import tarfile
    from pathlib import Path

    def sha256(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    original, restored = Path(archive_path), Path(restored_path)
    archive_match = sha256(original) == sha256(restored)
    target = Path(extract_dir)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(restored, "r:gz") as archive:
        for member in archive.getmembers():
            inside = (target / member.name).resolve()
            if not member.isfile() or not inside.is_relative_to(target.resolve()):
                raise ValueError(f"Refusing to extract {member.name!r}: not a plain file inside")
        if hasattr(tarfile, "data_filter"):
            archive.extractall(target, filter="data")
        else:  # an older Python without extraction filters: the members were checked above
            archive.extractall(target)
    source = Path(scan_dir)
    mismatches = []
    checked = 0
    for path in sorted(source.glob("*.dat")):
        copy = target / source.name / path.name
        checked += 1
        if not copy.is_file() or sha256(copy) != sha256(path):
            mismatches.append(path.name)
    return {
        "match": archive_match and not mismatches,
        "archive_sha256": sha256(original),
        "restored_sha256": sha256(restored),
        "files_checked": checked,
        "mismatches": mismatches,
    }


def record_metadata(
    metadata_path: str, scan_dir: str, archive_path: str, encrypted_path: str, **data: Any
) -> dict[str, Any]:
    """Write a metadata record of the scans and their archive, and return it for the catalogue."""
    import hashlib
    import json
    from datetime import datetime, timezone
    from pathlib import Path

    scans = sorted(Path(scan_dir).glob("*.dat"))
    headers = [json.loads(p.read_bytes().split(b"\n", 1)[0]) for p in scans]
    archive = Path(archive_path)
    record = {
        "title": f"Demo scan series ({len(scans)} scans)",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scans": len(scans),
        "energies_kev": [h["energy_kev"] for h in headers],
        "total_bytes": sum(p.stat().st_size for p in scans),
        "archive": {
            "name": archive.name,
            "bytes": archive.stat().st_size,
            "sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
        },
        "encrypted_copy": Path(encrypted_path).name,
    }
    target = Path(metadata_path)
    target.write_text(json.dumps(record, indent=2) + "\n")
    return record
