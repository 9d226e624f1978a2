"""Delete, mkdir and ls on a collection, with the same path rules as transfers.

Example::

    job = DeleteJob(DeleteSpec("c0ffee...", ("/~/old-run",), recursive=True), collection)
    job.run(StopSignal())
    make_directory(collection, "/~/results")      # the Transfer mkdir result document
    list_directory(collection, LsSpec("c0ffee...", "/~/"))["DATA"]

Paths are checked when planned, then reached through the collection root's descriptor
(:class:`~gladier.runtime.transfer.confined.ConfinedRoot`): a folder replaced by a symbolic
link in between fails the operation, and nothing is deleted through the link.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gladier.runtime.transfer.collections import Collection
from gladier.runtime.transfer.confined import ConfinedRoot, remove_tree, shown
from gladier.runtime.transfer.copy import CopyStopped
from gladier.runtime.transfer.paths import (
    CollectionPath,
    check_parent,
    inside,
    real_path,
    resolve,
)
from gladier.runtime.transfer.requests import DeleteSpec, LsSpec
from gladier.runtime.transfer.tasks import (
    Fatal,
    Job,
    StopSignal,
    not_found_message,
    os_fatal,
)

_GLOB_CHARS = frozenset("*?[")


class DeleteJob(Job):
    """One delete task on a collection; plans (and checks) every path before deleting any."""

    kind = "delete"
    task_type = "DELETE"

    def __init__(self, spec: DeleteSpec, collection: Collection) -> None:
        self.spec = spec
        self.collection = collection
        super().__init__()

    def work(self, stop: StopSignal) -> None:
        with ConfinedRoot(self.collection) as root:
            targets = self._plan(root)
            for rel, is_dir in targets:
                if stop.is_set():
                    raise CopyStopped("stopped")
                self._delete(root, rel, is_dir)

    def _expand(self, root: ConfinedRoot, target: CollectionPath) -> list[Path]:
        name = target.path.rsplit("/", 1)[-1]
        if not (self.spec.interpret_globs and _GLOB_CHARS & set(name)):
            return [check_parent(target)]
        parent_path = target.path.rsplit("/", 1)[0] or "/"
        parent = resolve(self.collection, parent_path)
        folder = real_path(parent, shown=target.path)
        try:
            listed = root.open_dir(root.relative(folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        try:
            names = sorted(os.listdir(listed))
        finally:
            os.close(listed)
        hidden = name.startswith(".")
        return [
            folder / n for n in names if fnmatch.fnmatchcase(n, name) and (hidden or n[0] != ".")
        ]

    def _plan(self, root: ConfinedRoot) -> list[tuple[str, bool]]:
        planned: list[tuple[str, bool]] = []
        for path in self.spec.paths:
            target = resolve(self.collection, path)
            if target.path == "/":
                raise Fatal(
                    "PERMISSION_DENIED",
                    f"refusing to delete the root of collection {self.collection.id}",
                )
            matches = self._expand(root, target)
            if not matches and not self.spec.ignore_missing:
                raise Fatal("FILE_NOT_FOUND", not_found_message(target))
            for local in matches:
                try:
                    info = os.lstat(local)
                except FileNotFoundError:
                    if self.spec.ignore_missing:
                        continue
                    raise Fatal("FILE_NOT_FOUND", not_found_message(target)) from None
                is_dir = stat.S_ISDIR(info.st_mode)
                if is_dir and not self.spec.recursive:
                    raise Fatal(
                        "IS_A_DIRECTORY",
                        f"{path} on collection {self.collection.id} is a directory; set "
                        "recursive to true to delete it",
                    )
                planned.append((root.relative(local), is_dir))
        return planned

    def _delete(self, root: ConfinedRoot, rel: str, is_dir: bool) -> None:
        parent, name = root.split(rel)
        folder = -1
        try:
            folder = root.open_dir(parent)
            if not is_dir:
                os.unlink(name, dir_fd=folder)
                self.counters.files += 1
                return
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                root.refuse_link(folder, name, rel)
            files, directories = remove_tree(folder, name)
            self.counters.files += files
            self.counters.directories += directories
        except FileNotFoundError:
            if not self.spec.ignore_missing:
                raise Fatal(
                    "FILE_NOT_FOUND",
                    f"{shown(rel)} on collection {self.collection.id} disappeared during the "
                    "delete",
                ) from None
        except OSError as err:
            raise os_fatal(err, f"deleting {shown(rel)} on {self.collection.id}") from err
        finally:
            if folder >= 0:
                os.close(folder)

    def document(
        self,
        task_id: str,
        *,
        label: str,
        owner_id: str | None,
        request_time: str,
        completion_time: str | None,
        elapsed: float,
    ) -> dict[str, Any]:
        """The Globus Transfer task document of this delete task."""
        c = self.counters
        return {
            "DATA_TYPE": "task",
            "task_id": task_id,
            "type": self.task_type,
            "status": self.state,
            "nice_status": self.nice_status,
            "nice_status_short_description": self.nice_status,
            "label": label,
            "owner_id": owner_id,
            "username": owner_id,
            "command": "API 0.10",
            "source_endpoint": self.collection.display_name,
            "source_endpoint_id": self.collection.id,
            "source_endpoint_display_name": self.collection.display_name,
            "destination_endpoint": None,
            "destination_endpoint_id": None,
            "request_time": request_time,
            "completion_time": completion_time,
            "deadline": self.spec.deadline,
            "files": c.files,
            "directories": c.directories,
            "files_transferred": 0,
            "files_skipped": 0,
            "bytes_transferred": 0,
            "bytes_checksummed": 0,
            "subtasks_total": c.files + c.directories,
            "subtasks_succeeded": c.files + c.directories if self.state == "SUCCEEDED" else 0,
            "subtasks_failed": 1 if self.state == "FAILED" else 0,
            "faults": c.faults,
            "fatal_error": self.fatal_error,
            "is_ok": self.state != "FAILED",
            "is_paused": False,
            "history_deleted": False,
            "recursive": self.spec.recursive,
            "ignore_missing": self.spec.ignore_missing,
            "interpret_globs": self.spec.interpret_globs,
            "event_list": [],
        }


def make_directory(collection: Collection, path: str) -> dict[str, Any]:
    """Create one directory (its parent must exist); the Transfer ``mkdir_result`` document.

    Raises Fatal with the Transfer error code when the path exists or its parent is missing.
    """
    target = resolve(collection, path)
    real = real_path(target, shown=path)
    if collection.sandbox:
        collection.root.mkdir(parents=True, exist_ok=True)
    try:
        with ConfinedRoot(collection) as root:
            rel = root.relative(real)
            if not rel:
                raise FileExistsError(errno.EEXIST, "the collection root", str(real))
            parent, name = root.split(rel)
            folder = root.open_dir(parent)
            try:
                os.mkdir(name, 0o777, dir_fd=folder)
            finally:
                os.close(folder)
    except FileExistsError:
        raise Fatal(
            "ExternalError.MkdirFailed.Exists",
            f"Path already exists, Error (mkdir): {target.path} on collection {collection.id}",
        ) from None
    except FileNotFoundError:
        raise Fatal(
            "ClientError.NotFound",
            f"Directory {target.path.rsplit('/', 1)[0] or '/'} not found on collection "
            f"{collection.id}; create the parent first",
        ) from None
    except OSError as err:
        raise os_fatal(err, f"mkdir {target.path} on {collection.id}") from err
    return {
        "DATA_TYPE": "mkdir_result",
        "code": "DirectoryCreated",
        "message": "The directory was created successfully",
        "request_id": None,
        "resource": f"/operation/endpoint/{collection.id}/mkdir",
        "path": target.path,
    }


def _owner_names(info: os.stat_result) -> tuple[str, str]:
    """User and group names of a file (numbers when unknown or on systems without them)."""
    user, group = str(info.st_uid), str(info.st_gid)
    try:
        import grp
        import pwd

        user = pwd.getpwuid(info.st_uid).pw_name
        group = grp.getgrgid(info.st_gid).gr_name
    except (ImportError, KeyError):
        pass
    return user, group


def _entry(folder: Path, listed: int, name: str, collection: Collection) -> dict[str, Any] | None:
    try:
        info = os.stat(name, dir_fd=listed, follow_symlinks=False)
    except FileNotFoundError:
        return None
    link_target = None
    kind = "dir" if stat.S_ISDIR(info.st_mode) else "file"
    if stat.S_ISLNK(info.st_mode):
        link_target = os.readlink(name, dir_fd=listed)
        real = os.path.realpath(folder / name)
        try:
            if not inside(real, collection.root):
                raise FileNotFoundError(real)
            info = os.stat(real)
            kind = "dir" if stat.S_ISDIR(info.st_mode) else "file"
        except FileNotFoundError:
            kind = "invalid_symlink"
    user, group = _owner_names(info)
    stamp = datetime.fromtimestamp(int(info.st_mtime), tz=timezone.utc)
    return {
        "DATA_TYPE": "file",
        "name": name,
        "type": kind,
        "is_folder": kind == "dir",
        "link_target": link_target,
        "permissions": f"{stat.S_IMODE(info.st_mode):04o}",
        "size": info.st_size,
        "user": user,
        "group": group,
        "last_modified": stamp.strftime("%Y-%m-%d %H:%M:%S+00:00"),
    }


def list_directory(collection: Collection, spec: LsSpec) -> dict[str, Any]:
    """The Transfer ``file_list`` document of a directory of ``collection``."""
    target = resolve(collection, spec.path)
    real = real_path(target, shown=spec.path)
    root = ConfinedRoot(collection)
    listed = -1
    try:
        listed = root.open_dir(root.relative(real))
        names = sorted(os.listdir(listed))
    except FileNotFoundError:
        root.close()
        raise Fatal("ClientError.NotFound", not_found_message(target)) from None
    except NotADirectoryError:
        root.close()
        raise Fatal(
            "ClientError.NotFound", f"{target.path} on {collection.id} is not a directory"
        ) from None
    except OSError as err:
        root.close()
        raise os_fatal(err, f"ls {target.path} on {collection.id}") from err
    except BaseException:
        root.close()
        raise
    try:
        if not spec.show_hidden:
            names = [n for n in names if not n.startswith(".")]
        entries = [e for n in names if (e := _entry(real, listed, n, collection)) is not None]
    finally:
        os.close(listed)
        root.close()
    page = entries[spec.offset : spec.offset + spec.limit]
    shown = target.path if target.path.endswith("/") else target.path + "/"
    return {
        "DATA_TYPE": "file_list",
        "DATA": page,
        "path": shown,
        "absolute_path": shown,
        "endpoint": collection.id,
        "length": len(page),
        "total": len(entries),
        "offset": spec.offset,
        "limit": spec.limit,
        "rename_supported": True,
        "symlink_supported": False,
    }
