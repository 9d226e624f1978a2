"""Bring an older Gladier config file up to date.

In-file migrations, applied in order by :func:`migrate_gladier` (``GladierConfig.update()``):

* :class:`AddVersionToConfig`: a file without ``[general] version`` gets one;
* :class:`UpdateFuncXFunctions`: 0.8's ``<fn>_funcx_id`` (and ``..._checksum``) keys become
  ``<fn>_function_id`` (0.9 renamed funcX to Globus Compute);
* :class:`UpdateConfigVersion`: the version is set to this Gladier's.

And one file migration, :class:`MigrateOldConfigFile`: before 0.9 every client shared
``~/.gladier-secrets.cfg``; its content is copied into the client's own file the first time that
file is needed. The old file is read, never changed or removed. Its location is
``$GLADIER_LEGACY_CONFIG`` when set (tests point it at a temporary folder), else
``~/.gladier-secrets.cfg``.

Example::

    >>> import tempfile, pathlib
    >>> from gladier.storage.config import GladierConfig
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.cfg"
    >>> _ = path.write_text("[my_client]\\ntar_funcx_id = 1234\\n")
    >>> cfg = GladierConfig(path, "my_client")
    >>> cfg.update()
    >>> cfg.get_value("tar_function_id"), cfg.get_value("tar_funcx_id")
    ('1234', None)
"""

from __future__ import annotations

import logging
import os
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING

from gladier.version import __version__

if TYPE_CHECKING:
    from configparser import ConfigParser

__all__ = [
    "LEGACY_CONFIG_ENV",
    "MIGRATIONS",
    "AddVersionToConfig",
    "ConfigMigration",
    "MigrateOldConfigFile",
    "UpdateConfigVersion",
    "UpdateFuncXFunctions",
    "legacy_config_path",
    "migrate_gladier",
    "needs_migration",
]

log = logging.getLogger(__name__)

#: Environment variable naming the pre-0.9 shared config file.
LEGACY_CONFIG_ENV = "GLADIER_LEGACY_CONFIG"
_GENERAL = "general"
_FUNCX_SUFFIXES = (("_funcx_id_checksum", "_function_id_checksum"), ("_funcx_id", "_function_id"))


def legacy_config_path() -> Path:
    """Where a Gladier 0.3-0.8 config file is looked for (see the module documentation).

    Example::

        >>> import os
        >>> os.environ["GLADIER_LEGACY_CONFIG"] = "/tmp/old.cfg"
        >>> str(legacy_config_path())
        '/tmp/old.cfg'
    """
    configured = os.environ.get(LEGACY_CONFIG_ENV)
    return Path(configured or "~/.gladier-secrets.cfg").expanduser()


class ConfigMigration(ABC):
    """One change to a loaded config; ``is_applicable()`` says whether ``migrate()`` is due."""

    def __init__(self, config: ConfigParser) -> None:
        self.config = config
        if not config.has_section(_GENERAL):
            config.add_section(_GENERAL)
        self.config_version = config.get(_GENERAL, "version", fallback=None) or None
        self.version = __version__

    @abstractmethod
    def is_applicable(self) -> bool:
        """Whether the config needs this migration."""

    @abstractmethod
    def migrate(self) -> None:
        """Change the loaded config (the caller saves it)."""


class AddVersionToConfig(ConfigMigration):
    """Record the Gladier version in a file that has none."""

    def is_applicable(self) -> bool:
        return self.config_version is None

    def migrate(self) -> None:
        self.config.set(_GENERAL, "version", self.version)


def _renamed(option: str) -> str | None:
    for old, new in _FUNCX_SUFFIXES:
        if option.endswith(old):
            return option[: -len(old)] + new
    return None


class UpdateFuncXFunctions(ConfigMigration):
    """Rename ``<fn>_funcx_id[_checksum]`` keys to ``<fn>_function_id[_checksum]``.

    A key that already exists under the new name keeps its value; the old key is dropped.
    """

    def is_applicable(self) -> bool:
        return any(
            _renamed(option) is not None
            for section in self.config.sections()
            for option in self.config.options(section)
        )

    def migrate(self) -> None:
        for section in self.config.sections():
            for option in list(self.config.options(section)):
                new = _renamed(option)
                if new is None:
                    continue
                value = self.config.get(section, option, raw=True)
                self.config.remove_option(section, option)
                if not self.config.has_option(section, new):
                    self.config.set(section, new, value)
                log.info("Config section %s: renamed %s to %s", section, option, new)


class UpdateConfigVersion(ConfigMigration):
    """Set the recorded version to this Gladier's (runs last)."""

    def is_applicable(self) -> bool:
        return self.config_version != self.version

    def migrate(self) -> None:
        self.config.set(_GENERAL, "version", self.version)


#: The in-file migrations, in the order they run.
MIGRATIONS: list[type[ConfigMigration]] = [
    AddVersionToConfig,
    UpdateFuncXFunctions,
    UpdateConfigVersion,
]


def needs_migration(config: ConfigParser) -> bool:
    """Whether any in-file migration applies (checking adds an empty ``[general]`` section).

    A :class:`~gladier.storage.config.GladierConfig` not read yet reads its file first; a
    file that does not exist needs no migration.
    """
    ensure_loaded = getattr(config, "ensure_loaded", None)
    if ensure_loaded is not None:
        ensure_loaded()
    return any(migration(config).is_applicable() for migration in MIGRATIONS)


def migrate_gladier(config: ConfigParser) -> ConfigParser:
    """Apply every applicable in-file migration, in order; returns ``config``."""
    for migration in MIGRATIONS:
        step = migration(config)
        if step.is_applicable():
            log.debug("Applying config migration %s", migration.__name__)
            step.migrate()
    return config


class MigrateOldConfigFile:
    """Copy a pre-0.9 shared config file into a client's own config file, once.

    Example::

        migration = MigrateOldConfigFile(Path("~/.gladier/f1631610-....cfg").expanduser())
        if migration.is_applicable():
            migration.migrate()
    """

    def __init__(self, new_filename: str | os.PathLike[str], old_filename: Path | None = None):
        self.new_filename = Path(new_filename).expanduser()
        self.old_filename = old_filename if old_filename is not None else legacy_config_path()

    def is_applicable(self) -> bool:
        """The client's file does not exist yet and an old file does."""
        return not self.new_filename.exists() and self.old_filename.is_file()

    def migrate(self) -> None:
        """Copy the old file's content (mode 0600); the old file is left as it was."""
        folder = self.new_filename.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = folder / f".{self.new_filename.name}.migrating"
        shutil.copyfile(self.old_filename, temporary)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.new_filename)
        log.info("Copied the Gladier 0.8 config %s into %s", self.old_filename, self.new_filename)
