"""Safe resolution of collection paths to local paths.

Collection paths follow Globus: ``/`` is the collection root, ``/~/`` (or ``~/``) and
relative paths start at the collection's home, ``.`` and ``..`` are resolved. An absolute
path is always read inside the collection: on a collection rooted at ``/data``, the path
``/etc/passwd`` means ``/data/etc/passwd``. Two things could still leave the root, and both
are refused with :class:`UnsafePathError` before anything is read or written:

* ``..`` climbing above ``/`` (``/../etc``, ``/~/../../x``);
* symbolic links whose target is outside the root (checked on the real path, so a link to a
  link is followed to the end).

These checks happen when a task plans. While it runs, every file is reached through
:class:`~gladier.runtime.transfer.confined.ConfinedRoot`, which never follows a symbolic link
(so one swapped in after the check is refused too).

Example::

    target = resolve(collection, "/~/scan1/../scan2/frame.h5")
    target.path          # '/scan2/frame.h5'
    target.local         # PosixPath('/data/beamline/scan2/frame.h5')
    real_path(target)    # the symlink-free path, or UnsafePathError
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gladier.exc import ActionProviderError

if TYPE_CHECKING:
    from gladier.runtime.transfer.collections import Collection


class UnsafePathError(ActionProviderError):
    """A path would leave its collection's root; nothing was read or written."""

    def __init__(
        self,
        path: Any,
        collection: Collection,
        reason: str,
        *,
        outcome: str = "nothing was read or written",
    ) -> None:
        where = "sandbox" if collection.sandbox else "root"
        message = (
            f"Path {path!r} on collection {collection.id} ({where} {collection.root}) "
            f"{reason}; refusing it, {outcome}."
        )
        super().__init__(
            message,
            {
                "code": "PathOutsideCollection",
                "description": message,
                "path": path,
                "collection_id": collection.id,
            },
        )


class BadPathError(ActionProviderError):
    """A path is not a usable string (empty, not a string, contains NUL)."""


@dataclass(frozen=True)
class CollectionPath:
    """A normalised collection path and the local path it names (not yet symlink-checked)."""

    collection: Collection
    #: Normalised collection path, always absolute: ``/a/b``.
    path: str
    #: ``collection.root`` joined with ``path`` (lexically).
    local: Path

    def child(self, name: str) -> CollectionPath:
        """The entry ``name`` of this directory (``name`` is one path component)."""
        path = f"{self.path.rstrip('/')}/{name}"
        return CollectionPath(self.collection, path, self.local / name)


def normalise(path: Any, home: str) -> str:
    """The absolute collection path that ``path`` names (``home`` for ``~`` and relatives).

    Raises ValueError when ``..`` climbs above ``/``.
    """
    if not isinstance(path, str) or not path or "\x00" in path:
        raise TypeError(f"a path must be a non-empty string without NUL, not {path!r}")
    if path == "~" or path.startswith("~/"):
        path = "/" + path
    if path == "/~" or path.startswith("/~/"):
        base, rest = home, path[2:]
    elif path.startswith("/"):
        base, rest = "/", path
    else:
        base, rest = home, path
    parts = [p for p in base.split("/") if p and p != "."]
    for segment in rest.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                raise ValueError("climbs above the collection root with '..'")
            parts.pop()
        else:
            parts.append(segment)
    return "/" + "/".join(parts)


def resolve(collection: Collection, path: Any) -> CollectionPath:
    """Normalise ``path`` on ``collection`` (lexical checks only; see :func:`real_path`)."""
    try:
        normal = normalise(path, collection.home)
    except TypeError as err:
        raise BadPathError(f"Collection {collection.id}: {err}") from None
    except ValueError as err:
        raise UnsafePathError(path, collection, str(err)) from None
    parts = [p for p in normal.split("/") if p]
    return CollectionPath(collection, normal, collection.root.joinpath(*parts))


def inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is ``root`` or below it (both absolute, already real)."""
    try:
        return os.path.commonpath([os.fspath(path), os.fspath(root)]) == os.fspath(root)
    except ValueError:
        return False


def real_path(target: CollectionPath, *, shown: str | None = None) -> Path:
    """The symlink-free local path of ``target``; UnsafePathError if it is outside the root.

    Components that do not exist yet are kept as written, so this also checks destinations.
    """
    real = os.path.realpath(target.local)
    if not inside(real, target.collection.root):
        raise UnsafePathError(
            shown if shown is not None else target.path,
            target.collection,
            f"leads through a symbolic link to {real}, outside the collection",
        )
    return Path(real)


def check_parent(target: CollectionPath) -> Path:
    """The real path of ``target``'s parent directory joined with its own (unfollowed) name.

    For operations on the entry itself (delete, rename over it), which must not follow a
    final symbolic link but must not reach outside through the directories above it.
    """
    parent = CollectionPath(
        target.collection, target.path.rsplit("/", 1)[0] or "/", target.local.parent
    )
    if target.path == "/":
        return real_path(target)
    return real_path(parent, shown=target.path) / target.local.name
