"""File operations confined to a collection's root by directory descriptors.

Checking a path once (:func:`~gladier.runtime.transfer.paths.real_path`) is not enough while a
task runs: someone who can write in a collection could replace a folder by a symbolic link
between the check and the copy, and a path-based ``open`` would follow it out of the root.
:class:`ConfinedRoot` therefore opens the collection's root once and reaches every path from
that descriptor, one component at a time, with ``O_NOFOLLOW``: no symbolic link met on the way
is ever followed, whenever it appeared. Finding one raises :class:`SwappedPathError`, naming
the collection path that is now a link.

Paths given to it are *relative* to the root and symlink-free (what planning produced):
``"scan1/frame.h5"``, ``""`` for the root itself.

Example::

    with ConfinedRoot(collection) as root:
        folder = root.open_dir("results/run1", create=True)
        try:
            fd = root.open_at(folder, "out.txt", os.O_WRONLY | os.O_CREAT, "results/run1/out.txt")
            ...
        finally:
            os.close(folder)
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import Any

from gladier.runtime.transfer.collections import Collection
from gladier.runtime.transfer.paths import UnsafePathError

# getattr: importable everywhere; the operations themselves need POSIX ``*at`` calls.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW
_REFUSED = (errno.ELOOP, errno.ENOTDIR, errno.EMLINK)


class SwappedPathError(UnsafePathError):
    """A folder or file a task planned is now a symbolic link; it was not followed."""

    def __init__(self, path: str, collection: Collection, target: str) -> None:
        super().__init__(
            path,
            collection,
            f"became a symbolic link (to {target}) while the task ran",
            outcome="the link was not followed: the task stopped there, and nothing was read, "
            "written or deleted through it. Put a real folder (or file) back in its place, or "
            "name the link's target in the task, and run it again",
        )


def shown(rel: str) -> str:
    """The collection path of a root-relative path (``"a/b"`` -> ``"/a/b"``)."""
    return "/" + rel


class ConfinedRoot:
    """One collection root, opened lazily; close it (or use ``with``) when the task ends."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self._fd = -1

    def __enter__(self) -> ConfinedRoot:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the root's descriptor (it is opened again when needed)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def fd(self) -> int:
        """The root's descriptor (FileNotFoundError when the root does not exist)."""
        if self._fd < 0:
            self._fd = os.open(self.collection.root, _DIR_FLAGS)
        return self._fd

    def relative(self, local: str | os.PathLike[str]) -> str:
        """``local`` (a real path inside the root) relative to the root; ``""`` for the root."""
        rel = os.path.relpath(local, self.collection.root)
        if rel == ".":
            return ""
        if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
            raise UnsafePathError(str(local), self.collection, "is outside the collection")
        return rel

    # ------------------------------------------------------------------ walking
    def open_dir(self, rel: str, *, create: bool = False) -> int:
        """A new descriptor of the directory ``rel`` (the caller closes it).

        ``create`` makes missing directories on the way. Raises SwappedPathError when a
        component is a symbolic link, FileNotFoundError or NotADirectoryError otherwise.
        """
        root = self.fd()
        if not rel:
            return os.dup(root)
        current = root
        done = 0
        parts = rel.split(os.sep)
        try:
            for name in parts:
                done += 1
                following = self._step(current, name, create, parts, done)
                if current != root:
                    os.close(current)
                current = following
        except BaseException:
            if current != root:
                os.close(current)
            raise
        return current

    def _step(self, folder: int, name: str, create: bool, parts: list[str], done: int) -> int:
        try:
            try:
                return os.open(name, _DIR_FLAGS, dir_fd=folder)
            except FileNotFoundError:
                if not create:
                    raise
                # Made meanwhile? Then open (and check) what is there now.
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o777, dir_fd=folder)
                return os.open(name, _DIR_FLAGS, dir_fd=folder)
        except OSError as err:
            if err.errno in _REFUSED:
                self.refuse_link(folder, name, os.sep.join(parts[:done]))
            raise

    def refuse_link(self, folder: int, name: str, rel: str) -> None:
        """Raise SwappedPathError if ``name`` in ``folder`` is a symbolic link; else return."""
        try:
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except OSError:
            return
        if stat.S_ISLNK(info.st_mode):
            try:
                target = os.readlink(name, dir_fd=folder)
            except OSError:
                target = "?"
            raise SwappedPathError(shown(rel), self.collection, target)

    def open_at(self, folder: int, name: str, flags: int, rel: str, mode: int = 0o666) -> int:
        """Open the entry ``name`` of ``folder`` without following it (``rel`` for messages)."""
        try:
            return os.open(name, flags | _NOFOLLOW, mode, dir_fd=folder)
        except OSError as err:
            if err.errno in _REFUSED:
                self.refuse_link(folder, name, rel)
            raise

    def split(self, rel: str) -> tuple[str, str]:
        """``(parent, name)`` of a non-root relative path."""
        parent, _, name = rel.rpartition(os.sep)
        return parent, name

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` exists, reached without following links (a link counts as there)."""
        parent, name = self.split(rel)
        try:
            folder = self.open_dir(parent)
        except (OSError, UnsafePathError):
            return False
        try:
            os.stat(name, dir_fd=folder, follow_symlinks=False)
            return True
        except OSError:
            return False
        finally:
            os.close(folder)

    def local(self, rel: str) -> Path:
        """The local path of ``rel`` (for messages only: never open it)."""
        return self.collection.root / rel if rel else self.collection.root


def remove_tree(folder: int, name: str) -> tuple[int, int]:
    """Delete the directory ``name`` of the open directory ``folder`` and all below it.

    Works from descriptors (``os.fwalk``) and never follows a symbolic link: links are removed,
    not what they point to. Returns ``(files, directories)`` removed, ``name`` included.
    """
    files = directories = 0
    for _, dirnames, filenames, here in os.fwalk(name, topdown=False, dir_fd=folder):
        for filename in filenames:
            os.unlink(filename, dir_fd=here)
            files += 1
        for dirname in dirnames:
            # fwalk lists links to folders with the folders (and does not enter them).
            if stat.S_ISLNK(os.stat(dirname, dir_fd=here, follow_symlinks=False).st_mode):
                os.unlink(dirname, dir_fd=here)
            else:
                os.rmdir(dirname, dir_fd=here)
            directories += 1
    os.rmdir(name, dir_fd=folder)
    return files, directories + 1
