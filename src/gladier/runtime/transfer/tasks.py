"""Transfer tasks: plan every path first, then copy, and report like a Globus task document.

A task first *plans*: it resolves and checks every source and destination path, walks the
source trees, applies filter rules and checks every symbolic link it meets. Any path that
would leave a collection fails the task here, before a single byte is written. Then it
*executes*: creates directories, copies files (skipping those the sync level says are up to
date), sets directory timestamps, and deletes destination extras when asked. Every file and
folder is reached from the collection roots' descriptors without following symbolic links
(:class:`~gladier.runtime.transfer.confined.ConfinedRoot`): a folder replaced by a link while
the task runs fails it with ``PATH_OUTSIDE_COLLECTION`` naming that folder, and nothing is
read, written or deleted through the link.

Counters (files, bytes, ...) are updated as the copy goes; :meth:`TransferJob.document` renders
them as the Globus Transfer task document (spec §11.2) at any moment, so an ACTIVE action's
details show its progress.

Example::

    job = TransferJob(spec, source_collection, destination_collection)
    job.run(StopSignal())
    job.state, job.counters.files_transferred
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gladier.exc import GladierException
from gladier.runtime.transfer.collections import Collection
from gladier.runtime.transfer.confined import ConfinedRoot, remove_tree, shown
from gladier.runtime.transfer.copy import (
    CHUNK_SIZE,
    DEFAULT_ALGORITHM,
    ChecksumMismatch,
    CopyStopped,
    FileInfo,
    copy_file,
    is_part_file,
    should_copy,
)
from gladier.runtime.transfer.paths import (
    CollectionPath,
    UnsafePathError,
    inside,
    real_path,
    resolve,
)
from gladier.runtime.transfer.requests import TransferItem, TransferSpec

#: Attempts per file when the verified checksum of the copy differs from the source's.
CHECKSUM_ATTEMPTS = 2


class Fatal(GladierException):
    """The task cannot go on; ``code`` and ``description`` become its ``fatal_error``."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class StopSignal:
    """Asks a running task to stop: ``cancel`` fails it, ``shutdown`` leaves it resumable."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def set(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


@dataclass
class Counters:
    files: int = 0
    directories: int = 0
    files_transferred: int = 0
    files_skipped: int = 0
    bytes_transferred: int = 0
    bytes_checksummed: int = 0
    #: Bytes of all planned files (local extension, for progress bars).
    bytes_expected: int = 0
    faults: int = 0
    skipped_errors: int = 0


@dataclass(slots=True)
class _FileOp:
    """One planned file copy, kept small (a plan of a million files stays in memory)."""

    #: The source file, relative to the source root (symlink-free).
    source: str
    #: Collection path of the destination (for messages).
    path: str
    #: The destination file, relative to the destination root (symlink-free).
    real: str
    size: int
    mtime: float
    item: TransferItem
    make_parent: bool = False


@dataclass(slots=True)
class _DirOp:
    path: str
    #: The destination folder, relative to the destination root.
    real: str
    atime_ns: int
    mtime_ns: int
    #: Source names kept (only collected for ``delete_destination_extra``).
    names: set[str] | None = None


def not_found_message(target: CollectionPath) -> str:
    collection = target.collection
    text = f"{target.path} does not exist on collection {collection.id} (looked at {target.local})"
    if collection.sandbox:
        text += (
            f"; collection {collection.id} is not mapped to a directory of this machine, so it "
            f"is a sandbox folder. Map it with Runtime.create_collection(root, "
            f"collection_id={collection.id!r})"
        )
    return text


def os_fatal(err: OSError, what: str) -> Fatal:
    """A Fatal naming the Globus-like error code of an OSError."""
    codes = {
        errno.ENOENT: "FILE_NOT_FOUND",
        errno.EACCES: "PERMISSION_DENIED",
        errno.EPERM: "PERMISSION_DENIED",
        errno.ENOSPC: "NO_SPACE_LEFT",
        errno.EDQUOT: "QUOTA_EXCEEDED",
        errno.EISDIR: "IS_A_DIRECTORY",
        errno.ENOTDIR: "NOT_A_DIRECTORY",
    }
    code = codes.get(err.errno or 0, "ENDPOINT_ERROR")
    return Fatal(code, f"{what}: {err.strerror or err}")


def _present(folder: int, name: str) -> bool:
    """Whether ``name`` exists in the open directory ``folder`` (a link counts as there)."""
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return False
    return True


def _symlinks_in(folder: Path) -> set[str]:
    """Names of the symbolic links in ``folder`` (one directory read instead of a stat each)."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.is_symlink()}
    except OSError:
        return set()


class Job:
    """What every task kind shares: its status fields and how a run of it ends.

    Subclasses implement :meth:`work`; :meth:`run` turns a :class:`Fatal` into FAILED with
    its code, a cancellation into FAILED/CANCELED, and lets a shutdown's ``CopyStopped``
    escape so the task stays ACTIVE for the next process.
    """

    kind = ""
    task_type = ""

    def __init__(self) -> None:
        self.counters = Counters()
        self.state = "ACTIVE"
        self.nice_status: str | None = "Queued"
        self.fatal_error: dict[str, str] | None = None

    def work(self, stop: StopSignal) -> None:
        raise NotImplementedError

    def run(self, stop: StopSignal) -> None:
        """Do the work; ends SUCCEEDED or FAILED (CopyStopped escapes on shutdown)."""
        self.nice_status = "OK"
        try:
            self.work(stop)
        except Fatal as err:
            self._fail(err.code, err.description)
            return
        except UnsafePathError as err:
            self._fail("PATH_OUTSIDE_COLLECTION", err.message)
            return
        except CopyStopped:
            if stop.reason != "cancel":
                raise
            self._fail("CANCELED", "The task was canceled")
            return
        self.state = "SUCCEEDED"
        self.nice_status = None

    def _fail(self, code: str, description: str) -> None:
        self.state = "FAILED"
        self.nice_status = None
        self.fatal_error = {"code": code, "description": description}


class TransferJob(Job):
    """One transfer task between two collections; :meth:`run` does the work."""

    kind = "transfer"
    task_type = "TRANSFER"

    def __init__(
        self,
        spec: TransferSpec,
        source: Collection,
        destination: Collection,
        *,
        chunk_size: int | None = None,
        on_progress: Callable[[], None] | None = None,
    ) -> None:
        self.spec = spec
        self.source = source
        self.destination = destination
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        super().__init__()
        #: Set when this task is started again after its process died: the temporary files
        #: that process left in the destination folders are removed first.
        self.resumed = False
        self._src = ConfinedRoot(source)
        self._dst = ConfinedRoot(destination)

    # ------------------------------------------------------------------ running
    def work(self, stop: StopSignal) -> None:
        """Plan every file and folder, then copy."""
        self._src = ConfinedRoot(self.source)
        self._dst = ConfinedRoot(self.destination)
        try:
            dirs, files = self._plan(stop)
            self._execute(dirs, files, stop)
        finally:
            self._src.close()
            self._dst.close()

    def _progress(self, count: int) -> None:
        self.counters.bytes_transferred += count
        if self.on_progress is not None:
            self.on_progress()

    def _source_error(self, err: Fatal) -> None:
        if not self.spec.skip_source_errors:
            raise err
        self.counters.faults += 1
        self.counters.skipped_errors += 1

    # ------------------------------------------------------------------ planning
    def _plan(self, stop: StopSignal) -> tuple[list[_DirOp], list[_FileOp]]:
        dirs: list[_DirOp] = []
        files: list[_FileOp] = []
        for item in self.spec.items:
            self._plan_item(item, dirs, files, stop)
        self.counters.files = len(files)
        self.counters.directories = len(dirs)
        self.counters.bytes_expected = sum(f.size for f in files)
        return dirs, files

    def _plan_item(
        self, item: TransferItem, dirs: list[_DirOp], files: list[_FileOp], stop: StopSignal
    ) -> None:
        src = resolve(self.source, item.source_path)
        src_real = real_path(src, shown=item.source_path)
        try:
            info = os.stat(src_real)
        except FileNotFoundError:
            self._source_error(Fatal("FILE_NOT_FOUND", not_found_message(src)))
            return
        except OSError as err:
            self._source_error(os_fatal(err, f"{item.source_path} on {self.source.id}"))
            return
        dst = resolve(self.destination, item.destination_path)
        dst_real = real_path(dst, shown=item.destination_path)
        if stat.S_ISDIR(info.st_mode):
            if item.recursive is False:
                raise Fatal(
                    "IS_A_DIRECTORY",
                    f"{item.source_path} on collection {self.source.id} is a directory; set "
                    "recursive to true (or leave it out) to transfer a directory",
                )
            self._walk(item, src_real, info, dst, dirs, files, stop)
        elif stat.S_ISREG(info.st_mode):
            if dst_real.is_dir():
                raise Fatal(
                    "IS_A_DIRECTORY",
                    f"destination {item.destination_path} on collection "
                    f"{self.destination.id} is an existing directory; destination_path must "
                    f"name the file itself, e.g. {dst.path.rstrip('/')}/{src_real.name}",
                )
            files.append(
                _FileOp(
                    self._src.relative(src_real),
                    dst.path,
                    self._dst.relative(dst_real),
                    info.st_size,
                    info.st_mtime,
                    item,
                    make_parent=True,
                )
            )
        else:
            raise Fatal(
                "NOT_A_REGULAR_FILE", f"{item.source_path} is neither a file nor a directory"
            )

    def _included(self, name: str, is_dir: bool) -> bool:
        for rule in self.spec.filter_rules:
            if rule.type is not None and (rule.type == "dir") != is_dir:
                continue
            if fnmatch.fnmatchcase(name, rule.name):
                return rule.method == "include"
        return True

    def _walk(
        self,
        item: TransferItem,
        top: Path,
        top_info: os.stat_result,
        dst: CollectionPath,
        dirs: list[_DirOp],
        files: list[_FileOp],
        stop: StopSignal,
    ) -> None:
        seen: set[tuple[int, int]] = set()
        stack: list[tuple[str | Path, os.stat_result, CollectionPath, str]] = [
            (top, top_info, dst, item.source_path.rstrip("/") or "/")
        ]
        while stack:
            if stop.is_set():
                raise CopyStopped("stopped while planning")
            here, info, target, shown = stack.pop()
            if (info.st_dev, info.st_ino) in seen:
                continue  # a symbolic link loop back into the tree
            seen.add((info.st_dev, info.st_ino))
            target_real = real_path(target, shown=target.path)
            if target_real.exists() and not target_real.is_dir():
                raise Fatal(
                    "NOT_A_DIRECTORY",
                    f"destination {target.path} on collection {self.destination.id} exists "
                    "and is not a directory",
                )
            names: set[str] | None = set() if self.spec.delete_destination_extra else None
            target_rel = self._dst.relative(target_real)
            dirs.append(_DirOp(target.path, target_rel, info.st_atime_ns, info.st_mtime_ns, names))
            links = _symlinks_in(target_real)
            try:
                # Listed through the root's descriptor: a folder swapped for a link is refused.
                folder = self._src.open_dir(self._src.relative(here))
                try:
                    entries = sorted(os.scandir(folder), key=lambda e: e.name)
                except BaseException:
                    os.close(folder)
                    raise
            except OSError as err:
                self._source_error(os_fatal(err, f"listing {shown}"))
                continue
            try:
                for entry in entries:
                    if is_part_file(entry.name):
                        continue
                    entry_path = os.path.join(here, entry.name)
                    child = self._plan_entry(entry, entry_path, f"{shown.rstrip('/')}/{entry.name}")
                    if child is None:
                        continue
                    path, child_info = child
                    is_dir = stat.S_ISDIR(child_info.st_mode)
                    if not (is_dir or stat.S_ISREG(child_info.st_mode)):
                        continue  # sockets, fifos, devices: not data
                    if not self._included(entry.name, is_dir):
                        continue
                    if names is not None:
                        names.add(entry.name)
                    child_target = target.child(entry.name)
                    if is_dir:
                        stack.append((path, child_info, child_target, f"{shown}/{entry.name}"))
                        continue
                    child_rel = os.path.join(target_rel, entry.name)
                    if entry.name in links:
                        real = real_path(child_target, shown=child_target.path)
                        child_rel = self._dst.relative(real)
                    files.append(
                        _FileOp(
                            self._src.relative(path),
                            child_target.path,
                            child_rel,
                            child_info.st_size,
                            child_info.st_mtime,
                            item,
                        )
                    )
            finally:
                os.close(folder)

    def _plan_entry(
        self, entry: os.DirEntry[str], entry_path: str, shown: str
    ) -> tuple[str, os.stat_result] | None:
        if not entry.is_symlink():
            return entry_path, entry.stat(follow_symlinks=False)
        real = os.path.realpath(entry_path)
        if not inside(real, self.source.root):
            raise Fatal(
                "PATH_OUTSIDE_COLLECTION",
                f"Path {shown!r} on collection {self.source.id} (root {self.source.root}) is a "
                f"symbolic link to {real}, outside the collection; refusing it, nothing was "
                "read or written.",
            )
        try:
            return real, os.stat(real)
        except OSError as err:
            self._source_error(os_fatal(err, f"{shown} (a symbolic link to {real})"))
            return None

    # ------------------------------------------------------------------ executing
    def _execute(self, dirs: list[_DirOp], files: list[_FileOp], stop: StopSignal) -> None:
        if self.destination.sandbox:
            self.destination.root.mkdir(parents=True, exist_ok=True)
        for op in dirs:
            try:
                os.close(self._dst.open_dir(op.real, create=True))
            except OSError as err:
                raise os_fatal(err, f"creating {op.path} on {self.destination.id}") from err
        if self.resumed:
            self._remove_leftovers({os.path.dirname(op.real) for op in files})
        for file_op in files:
            if stop.is_set():
                raise CopyStopped("stopped")
            self._copy_one(file_op, stop)
        if self.spec.preserve_timestamp:
            for op in reversed(dirs):
                folder = self._dst.open_dir(op.real)
                try:
                    os.utime(folder, ns=(op.atime_ns, op.mtime_ns))
                finally:
                    os.close(folder)
        if self.spec.delete_destination_extra:
            for op in dirs:
                self._delete_extra(op)

    def _remove_leftovers(self, folders: set[str]) -> None:
        for rel in folders:
            try:
                folder = self._dst.open_dir(rel)
            except OSError:
                continue
            try:
                for entry in list(os.scandir(folder)):
                    if is_part_file(entry.name) and entry.is_file(follow_symlinks=False):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.name, dir_fd=folder)
            finally:
                os.close(folder)

    def _copy_one(self, op: _FileOp, stop: StopSignal) -> None:
        algorithm = op.item.checksum_algorithm or DEFAULT_ALGORITHM
        src_parent, src_name = self._src.split(op.source)
        dst_parent, dst_name = self._dst.split(op.real)
        src_dir = dst_dir = -1
        try:
            try:
                src_dir = self._src.open_dir(src_parent)
            except FileNotFoundError:
                self._source_error(self._vanished(op))
                return
            dst_dir = self._dst.open_dir(dst_parent, create=op.make_parent)
            needed, checksummed = should_copy(
                FileInfo(op.size, op.mtime),
                dst_name,
                self.spec.sync_level,
                source_path=src_name,
                algorithm=algorithm,
                should_stop=stop.is_set,
                source_dir_fd=src_dir,
                destination_dir_fd=dst_dir,
            )
            self.counters.bytes_checksummed += checksummed
            if not needed:
                self.counters.files_skipped += 1
                return
            for attempt in range(1, CHECKSUM_ATTEMPTS + 1):
                before = self.counters.bytes_transferred
                try:
                    stats = copy_file(
                        src_name,
                        dst_name,
                        checksum_algorithm=op.item.checksum_algorithm,
                        verify=self.spec.verify_checksum,
                        expected_checksum=op.item.external_checksum,
                        preserve_timestamp=self.spec.preserve_timestamp,
                        progress=self._progress,
                        should_stop=stop.is_set,
                        chunk_size=self.chunk_size or CHUNK_SIZE,
                        source_dir_fd=src_dir,
                        destination_dir_fd=dst_dir,
                    )
                except ChecksumMismatch as err:
                    self.counters.faults += 1
                    self.counters.bytes_transferred = before
                    if op.item.external_checksum is not None or attempt == CHECKSUM_ATTEMPTS:
                        raise Fatal(
                            "CHECKSUM_MISMATCH",
                            f"{op.path} on collection {self.destination.id}: {err}; "
                            "the destination file was left untouched",
                        ) from err
                    continue
                self.counters.bytes_checksummed += stats.bytes_checksummed
                self.counters.files_transferred += 1
                return
        except FileNotFoundError as err:
            if src_dir >= 0 and not _present(src_dir, src_name):
                self._source_error(self._vanished(op))
                return
            raise os_fatal(err, f"writing {op.path} on {self.destination.id}") from err
        except OSError as err:
            if err.errno == errno.ELOOP:
                # A file replaced by a link after planning: name it (SwappedPathError).
                if src_dir >= 0:
                    self._src.refuse_link(src_dir, src_name, op.source)
                if dst_dir >= 0:
                    self._dst.refuse_link(dst_dir, dst_name, op.real)
            raise os_fatal(err, f"copying to {op.path} on {self.destination.id}") from err
        finally:
            if src_dir >= 0:
                os.close(src_dir)
            if dst_dir >= 0:
                os.close(dst_dir)

    def _vanished(self, op: _FileOp) -> Fatal:
        return Fatal(
            "FILE_NOT_FOUND",
            f"{shown(op.source)} on collection {self.source.id} disappeared during the transfer",
        )

    def _delete_extra(self, op: _DirOp) -> None:
        kept = op.names or set()
        folder = self._dst.open_dir(op.real)
        try:
            for entry in list(os.scandir(folder)):
                if entry.name in kept or is_part_file(entry.name):
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                if not self._included(entry.name, is_dir):
                    continue  # excluded names are left alone, as filter rules ask
                if is_dir:
                    remove_tree(folder, entry.name)  # never follows a link
                else:
                    os.unlink(entry.name, dir_fd=folder)
        finally:
            os.close(folder)

    # ------------------------------------------------------------------ reporting
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
        """The Globus Transfer task document of this task as it is now."""
        c = self.counters
        spec = self.spec
        done = self.state != "ACTIVE"
        pending = 0 if done else max(0, c.files + c.directories - c.files_transferred)
        return {
            "DATA_TYPE": "task",
            "task_id": task_id,
            "type": self.task_type,
            "status": self.state,
            "nice_status": self.nice_status,
            "nice_status_short_description": self.nice_status,
            "nice_status_details": None,
            "nice_status_expires_in": -1,
            "label": label,
            "owner_id": owner_id,
            "username": owner_id,
            "command": "API 0.10",
            "source_endpoint": self.source.display_name,
            "source_endpoint_id": self.source.id,
            "source_endpoint_display_name": self.source.display_name,
            "destination_endpoint": self.destination.display_name,
            "destination_endpoint_id": self.destination.id,
            "destination_endpoint_display_name": self.destination.display_name,
            "request_time": request_time,
            "completion_time": completion_time,
            "deadline": spec.deadline,
            "files": c.files,
            "directories": c.directories,
            "files_transferred": c.files_transferred,
            "files_skipped": c.files_skipped,
            "bytes_transferred": c.bytes_transferred,
            "bytes_checksummed": c.bytes_checksummed,
            "bytes_expected": c.bytes_expected,
            "effective_bytes_per_second": int(c.bytes_transferred / elapsed) if elapsed else 0,
            "subtasks_total": c.files + c.directories,
            "subtasks_pending": pending,
            "subtasks_retrying": 0,
            "subtasks_succeeded": c.files_transferred + c.files_skipped,
            "subtasks_failed": 1 if self.state == "FAILED" else 0,
            "subtasks_canceled": 0,
            "subtasks_expired": 0,
            "subtasks_skipped_errors": c.skipped_errors,
            "faults": c.faults,
            "fatal_error": self.fatal_error,
            "is_ok": self.state != "FAILED",
            "is_paused": False,
            "history_deleted": False,
            "canceled_by_admin": None,
            "canceled_by_admin_message": None,
            "event_list": [],
            "sync_level": spec.sync_level,
            "verify_checksum": spec.verify_checksum,
            "preserve_timestamp": spec.preserve_timestamp,
            "encrypt_data": spec.encrypt_data,
            "delete_destination_extra": spec.delete_destination_extra,
            "skip_source_errors": spec.skip_source_errors,
            "fail_on_quota_errors": spec.fail_on_quota_errors,
            "recursive_symlinks": "copy",
            "filter_rules": [r.__dict__ for r in spec.filter_rules] or None,
        }
