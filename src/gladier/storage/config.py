"""``GladierConfig``: one INI file of ids, checksums and user settings, read fresh on every access.

A Gladier client keeps what it registered (``flow_id``, ``flow_checksum``,
``<fn>_function_id`` and ``<fn>_function_id_checksum``) and the user's own settings (for example
``compute_endpoint = <uuid>``) in a section named after the client class. Several clients and
several processes share one file: every read reloads it, and every write reloads, changes one
value and replaces the file atomically under a lock. A second lock, :meth:`GladierConfig.deploying`,
lets one process at a time register the functions and deploy the flow whose ids the file keeps;
both are ``filelock`` locks (``flock`` on POSIX, ``msvcrt`` on Windows) in files beside it.

Example::

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "client.cfg"
    >>> cfg = GladierConfig(path, section="my_client")
    >>> cfg.set_value("compute_endpoint", "4b116d3c-1703-4f8f-9f6f-39921e5864df")
    >>> GladierConfig(path, section="my_client").get_value("compute_endpoint")
    '4b116d3c-1703-4f8f-9f6f-39921e5864df'
"""

from __future__ import annotations

import configparser
import contextlib
import errno
import io
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from gladier.exc import ConfigException

if TYPE_CHECKING:
    from filelock import BaseFileLock

__all__ = ["GladierConfig", "is_id_key"]

log = logging.getLogger(__name__)

#: One lock object per lock file in this process, so that holding a lock again in the same
#: thread (deploying the flow while deploying) nests instead of waiting for itself.
_LOCKS: dict[str, BaseFileLock] = {}
_LOCKS_GUARD = threading.Lock()


def _file_lock(path: Path) -> BaseFileLock:
    from filelock import FileLock

    key = os.path.abspath(path)
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = FileLock(key, mode=0o600)
        return lock


def is_id_key(key: str) -> bool:
    """Whether option ``key`` holds an id a backend issued (``flow_id``, ``<fn>_function_id``).

    Example::

        >>> is_id_key("flow_id"), is_id_key("tar_function_id"), is_id_key("compute_endpoint")
        (True, True, False)
    """
    return key == "flow_id" or key.endswith("_function_id")


class GladierConfig(configparser.ConfigParser):
    """An INI file with one current ``section``, re-read at every access where it changed on
    disk (another object or process wrote it).

    Option names keep their case and values are taken literally (no ``%`` interpolation).
    Nothing is written until a value is set. ``update()`` runs the config migrations
    (:mod:`gladier.storage.migrations`).

    ``shared_section`` names a section whose options :meth:`section_items` reads under the
    current section's: a client's own section holds settings shared by every backend, while
    the ids of the embedded runtime live in ``[<client section>.embedded]``.
    """

    #: Mode of a newly written file; ``None`` keeps the process umask.
    file_mode: int | None = None

    def __init__(
        self,
        filename: str | os.PathLike[str],
        section: str = "default",
        *,
        shared_section: str | None = None,
    ) -> None:
        super().__init__(interpolation=None)
        self.filename = Path(filename).expanduser()
        self.section = section
        self.shared_section = shared_section if shared_section != section else None
        self._seen: tuple[int, ...] | None = None
        self._loaded = False

    def optionxform(self, optionstr: str) -> str:
        """Keep option names as written (configparser lower-cases them by default)."""
        return optionstr

    # ------------------------------------------------------------------ file
    def _set_version(self) -> None:
        from gladier.version import __version__

        if not self.has_section("general"):
            self.add_section("general")
        self.set("general", "version", __version__)

    def ensure_loaded(self) -> None:
        """Read the file unless it was read already (what :func:`needs_migration` checks)."""
        if not self._loaded:
            self.load()

    def _signature(self) -> tuple[int, ...] | None:
        """What identifies the file's current content on disk (``None``: no file)."""
        try:
            status = self.filename.stat()
        except FileNotFoundError:
            return None
        return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)

    def load(self) -> None:
        """Re-read the file if it changed on disk since it was last read or written (a missing
        file reads as empty), and make sure the section exists.

        Values set in this object are kept while the file stays as this object left it, so
        a value set here is read back even when the file could not be written.
        """
        signature = self._signature()
        if not self._loaded or signature != self._seen:
            for name in self.sections():
                self.remove_section(name)
            if signature is not None:
                self.read(self.filename, encoding="utf-8")
            else:
                self.read(self.filename)  # a missing file reads as empty
            if signature is None and not self.get("general", "version", fallback=None):
                self._set_version()  # a new file is of this version: nothing to migrate
            self._seen = signature
            self._loaded = True
        if not self.has_section(self.section):
            self.add_section(self.section)

    def save(self) -> None:
        """Write the whole file atomically (a temporary file renamed over it)."""
        folder = self.filename.parent
        if not self.get("general", "version", fallback=None):
            self._set_version()
        buffer = io.StringIO()
        self.write(buffer)
        try:
            if not folder.is_dir():
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self.filename.name}.", dir=folder)
        except OSError as err:
            raise self._write_error(err) from err
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(buffer.getvalue())
            if self.file_mode is not None:
                os.chmod(temporary, self.file_mode)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, self.filename)
            self._seen = self._signature()
        except BaseException as err:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(err, OSError):
                raise self._write_error(err) from err
            raise
        log.debug("Saved Gladier config %s", self.filename)

    def _write_error(self, err: OSError) -> ConfigException:
        """A project error naming the file that could not be written and what to do."""
        if err.errno == errno.ENOSPC:
            return ConfigException(
                f"No space left on device writing the Gladier config {self.filename}; free "
                "space on that file system, or use a home elsewhere (--home or GLADIER_HOME); "
                "the file was left as it was"
            )
        return ConfigException(
            f"Cannot write the Gladier config {self.filename}: {err.strerror or err}; check "
            "that its folder exists and is yours and writable; the file was left as it was"
        )

    def _lock(self, kind: str) -> BaseFileLock:
        folder = self.filename.parent
        if not folder.is_dir():
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as err:
                raise self._write_error(err) from err
        return _file_lock(self.filename.with_name(f".{self.filename.name}.{kind}"))

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the file's write lock (``.<name>.lock`` beside it) for a read-change-write."""
        with self._lock("lock"):
            yield

    @contextlib.contextmanager
    def deploying(self) -> Iterator[None]:
        """Hold the deploy lock of this file (``.<name>.deploy.lock`` beside it).

        The managers register functions and deploy flows under it, and check again once they
        hold it: when several processes start the same client at once, the first deploys and
        the others find its ids. It nests in one thread; other threads and processes wait.

        Example::

            with cfg.deploying():
                if not cfg.get_value("flow_id"):
                    cfg.set_value("flow_id", deploy())
        """
        from filelock import Timeout

        lock = self._lock("deploy.lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.info("Waiting for another process deploying from %s", self.filename)
            lock.acquire()
        try:
            yield
        finally:
            lock.release()

    def update(self) -> None:  # type: ignore[override]  # Gladier's name since 0.3.5
        """Apply pending migrations (version, renamed keys) and save if anything changed."""
        from gladier.storage.migrations import migrate_gladier, needs_migration

        with self.locked():
            self.load()
            if needs_migration(self):
                migrate_gladier(self)
                self.save()

    # ------------------------------------------------------------------ values
    def get_value(self, name: str) -> str | None:
        """The value of ``name`` in the current section, or ``None``.

        Example::

            cfg.get_value("flow_id")     # '0e6c...' or None
        """
        self.load()
        return self.get(self.section, name, fallback=None)

    def set_value(self, name: str, value: str) -> None:
        """Set ``name`` in the current section and save the file."""
        with self.locked():
            self.load()
            self.set(self.section, name, str(value))
            self.save()

    def del_value(self, name: str) -> None:
        """Remove ``name`` from the current section (if present) and save the file."""
        with self.locked():
            self.load()
            if self.remove_option(self.section, name):
                self.save()

    def section_items(self) -> dict[str, str]:
        """Every option of the current section, freshly read, over those of the shared
        section (if any)."""
        self.load()
        items: dict[str, str] = {}
        if self.shared_section and self.has_section(self.shared_section):
            items.update(self.items(self.shared_section))
        items.update(self.items(self.section))
        return items

    def has_stored_section(self, name: str | None = None) -> bool:
        """Whether the file on disk has section ``name`` (default: the current section)."""
        probe = configparser.ConfigParser(interpolation=None)
        if self.filename.exists():
            probe.read(self.filename, encoding="utf-8")
        return probe.has_section(name or self.section)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.filename)!r}, section={self.section!r})"
