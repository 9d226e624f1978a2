"""A throw-away runtime home: ``GLADIER_HOME`` pointed at a fresh directory for a while.

Inside :func:`isolated_home` every client and :func:`~gladier.services.local.shared_runtime`
uses the embedded runtime of that directory: its store, its client config files, its compute
endpoints. The settings that could send a test elsewhere are removed for the duration
(``GLADIER_BACKEND``, ``GLADIER_CLIENT_ID``, ``GLADIER_CLIENT_SECRET``), and Gladier 0.8's
``~/.gladier-secrets.cfg`` is never read (``GLADIER_LEGACY_CONFIG`` points into the home).
On leaving, the home's shared runtime is closed (its worker processes stop) and the
environment is restored; a home this function created is deleted.

Example::

    from gladier.testing import isolated_home

    with isolated_home() as home:
        client = MyClient()                  # config in home / "<client id>.cfg"
        ...
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CLEARED_VARIABLES", "HOME_VARIABLE", "LEGACY_CONFIG_VARIABLE", "isolated_home"]

#: The variable that names the runtime home.
HOME_VARIABLE = "GLADIER_HOME"
#: The variable that names Gladier 0.8's shared config file.
LEGACY_CONFIG_VARIABLE = "GLADIER_LEGACY_CONFIG"
#: Variables removed inside an isolated home: they select Globus or a confidential client.
CLEARED_VARIABLES = ("GLADIER_BACKEND", "GLADIER_CLIENT_ID", "GLADIER_CLIENT_SECRET")


@contextmanager
def isolated_home(path: str | os.PathLike[str] | None = None) -> Iterator[Path]:
    """Use a fresh runtime home for the duration of the ``with`` block; yields its path.

    ``path`` is the directory to use (created if missing, kept afterwards); without it a
    temporary directory is made and deleted on exit. Nesting works: the outer home is
    restored when the inner block ends.

    Example::

        >>> import os
        >>> with isolated_home() as home:
        ...     os.environ["GLADIER_HOME"] == str(home)
        True
    """
    created = path is None
    home = Path(tempfile.mkdtemp(prefix="gladier-home-")) if path is None else Path(path)
    home.mkdir(parents=True, exist_ok=True)
    names = (HOME_VARIABLE, LEGACY_CONFIG_VARIABLE, *CLEARED_VARIABLES)
    saved = {name: os.environ.get(name) for name in names}
    os.environ[HOME_VARIABLE] = str(home)
    os.environ[LEGACY_CONFIG_VARIABLE] = str(home / "no-legacy-gladier-secrets.cfg")
    for name in CLEARED_VARIABLES:
        os.environ.pop(name, None)
    try:
        yield home
    finally:
        from gladier.services.local import close_shared_runtime

        try:
            close_shared_runtime(home)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            if created:
                shutil.rmtree(home, ignore_errors=True)
