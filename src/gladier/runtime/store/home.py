"""The runtime home: created private (0700, missing parents too), and refused unless it is ours.

A worker executes the compute functions stored in the home's database. A home or database
that another user owns (or can replace) would let that user run code as us, so both are
refused instead of being chmodded and used.

Example::

    prepare_home(Path("/tmp/me/.gladier"))     # creates /tmp/me and /tmp/me/.gladier, 0700
    check_owned(Path("/tmp/me/.gladier/runtime.db"), "runtime store file")
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gladier.exc import HomeNotOwned, StoreError


def _login(uid: int) -> str | None:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return None


def _my_uid() -> int | None:
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def check_owned(path: Path, what: str) -> os.stat_result | None:
    """Refuse ``path`` when another user owns it; return its stat (``None`` if it is absent)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    me = _my_uid()
    if me is not None and info.st_uid != me:
        owner, mine = _login(info.st_uid), _login(me)
        holder = f"{owner} (uid {info.st_uid})" if owner else f"uid {info.st_uid}"
        you = f"{mine}, uid {me}" if mine else f"uid {me}"
        raise HomeNotOwned(
            f"The {what} {path} belongs to {holder}, not to you ({you}), so it is not used: "
            "whoever owns it could replace the functions your workers run. Use a home of "
            "your own (--home or GLADIER_HOME), or make it yours with "
            f"`chown -R {mine or me} {path}`",
            path,
        )
    return info


def prepare_home(home: Path) -> None:
    """Create ``home`` and its missing parents with mode 0700; refuse a home that is not ours."""
    missing: list[Path] = []
    current = home
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=stat.S_IRWXU)
            os.chmod(directory, stat.S_IRWXU)  # whatever the umask
        except FileExistsError:  # made by another process meanwhile
            pass
        except OSError as err:
            raise StoreError(
                f"Cannot create the runtime home {home}: {directory} ({err.strerror}); "
                "choose a home you can create (--home or GLADIER_HOME)",
                home,
            ) from err
    info = check_owned(home, "runtime home")
    if info is None or not stat.S_ISDIR(info.st_mode):
        raise HomeNotOwned(
            f"The runtime home {home} is not a directory; choose another home (--home or "
            "GLADIER_HOME) or move that file away",
            home,
        )
    if stat.S_IMODE(info.st_mode) != stat.S_IRWXU:
        os.chmod(home, stat.S_IRWXU)
