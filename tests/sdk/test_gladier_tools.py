"""gladier-tools 0.5.4 (from PyPI, unchanged) runs end to end on real files.

``python3 dev.py test`` installs it with ``--no-deps`` (its dependency on the real ``gladier``
would replace this package).
"""

from __future__ import annotations

import filecmp
import tarfile
from pathlib import Path
from typing import Any

import pytest

from gladier import GladierBaseClient, generate_flow_definition

try:
    import gladier_tools.posix
except ImportError:  # pragma: no cover - a broken environment, not a test outcome
    pytest.fail(
        "gladier-tools is not installed: run `python3 dev.py test`, which installs "
        "gladier-tools==0.5.4 with --no-deps",
        pytrace=False,
    )


@generate_flow_definition
class TarEncryptDecryptUnTar(GladierBaseClient):
    gladier_tools = [
        "gladier_tools.posix.Tar",
        "gladier_tools.posix.Encrypt",
        "gladier_tools.posix.Decrypt",
        "gladier_tools.posix.UnTar",
    ]


@generate_flow_definition
class Shell(GladierBaseClient):
    gladier_tools = ["gladier_tools.posix.ShellCmdTool"]


def finish(client: GladierBaseClient, flow_input: dict[str, Any]) -> dict[str, Any]:
    run = client.run_flow(flow_input)
    return client.progress(run["run_id"], callback=lambda status: None)


def output(final: dict[str, Any], state: str) -> Any:
    return final["details"]["output"][state]["details"]["results"][0]["output"]


def make_data(root: Path) -> Path:
    data = root / "data"
    (data / "sub").mkdir(parents=True)
    (data / "a.txt").write_text("alpha\n" * 500)
    (data / "sub" / "b.bin").write_bytes(bytes(range(256)) * 40)
    return data


def test_it_is_the_published_version() -> None:
    from importlib.metadata import version

    from gladier_tools.version import __version__

    assert __version__ == version("gladier-tools") == "0.5.4"
    assert gladier_tools.posix.Tar.__module__ == "gladier_tools.posix.tar"


def test_tar_encrypt_decrypt_untar_real_files(tmp_path: Path) -> None:
    data = make_data(tmp_path)
    final = finish(
        TarEncryptDecryptUnTar(),
        {
            "input": {
                "tar_input": str(data),
                "encrypt_input": f"{data}.tgz",
                "encrypt_key": "correct horse",
                "decrypt_input": f"{data}.tgz.aes",
                "decrypt_key": "correct horse",
                "decrypt_output": str(tmp_path / "plain.tgz"),
                "untar_input": str(tmp_path / "plain.tgz"),
                "untar_output": str(tmp_path / "out"),
            }
        },
    )
    assert final["status"] == "SUCCEEDED", final["details"]
    assert output(final, "Tar") == f"{data}.tgz"
    assert output(final, "Encrypt") == f"{data}.tgz.aes"
    assert output(final, "Untar") == str(tmp_path / "out")
    encrypted = Path(f"{data}.tgz.aes").read_bytes()
    assert b"alpha" not in encrypted
    with tarfile.open(f"{data}.tgz") as archive:
        assert sorted(archive.getnames()) == ["data", "data/a.txt", "data/sub", "data/sub/b.bin"]
    comparison = filecmp.dircmp(data, tmp_path / "out" / "data")
    assert not (comparison.diff_files or comparison.left_only or comparison.right_only)
    assert filecmp.cmp(data / "sub" / "b.bin", tmp_path / "out" / "data" / "sub" / "b.bin")


def test_a_wrong_key_fails_the_flow_with_a_readable_error(tmp_path: Path) -> None:
    data = make_data(tmp_path)
    client = TarEncryptDecryptUnTar()
    final = finish(
        client,
        {
            "input": {
                "tar_input": str(data),
                "encrypt_input": f"{data}.tgz",
                "encrypt_key": "right",
                "decrypt_input": f"{data}.tgz.aes",
                "decrypt_key": "wrong",
                "untar_input": "unused",
            }
        },
    )
    assert final["status"] == "FAILED"
    cause = final["details"]["details"]["cause"]
    assert final["details"]["details"]["state_name"] == "Decrypt"
    assert "ValueError: Failed to decrypt" in cause["details"]["exception"]


def test_shell_cmd_tool_runs_a_command(tmp_path: Path) -> None:
    final = finish(
        Shell(),
        {
            "input": {
                "args": "ls -1",
                "cwd": str(make_data(tmp_path)),
                "capture_output": True,
            }
        },
    )
    returncode, stdout, _stderr = output(final, "ShellCmd")
    assert returncode == 0
    assert stdout.split() == ["a.txt", "sub"]


def test_shell_cmd_tool_failure_is_reported(tmp_path: Path) -> None:
    final = finish(Shell(), {"input": {"args": "exit 3", "cwd": str(tmp_path)}})
    assert final["status"] == "FAILED"
    exception = final["details"]["details"]["cause"]["details"]["exception"]
    assert "CalledProcessError" in exception and "exit status 3" in exception
