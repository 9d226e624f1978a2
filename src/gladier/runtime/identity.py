"""Who the embedded runtime acts for: the user of this machine.

Example::

    from gladier.runtime.identity import LocalIdentity

    me = LocalIdentity("ada")
    me.username          # 'ada@lab-pc'
    me.urn               # 'urn:globus:auth:identity:<a UUID derived from the username>'
"""

from __future__ import annotations

import getpass
import socket
import uuid


class LocalIdentity:
    """The user of this machine, as the runtime presents it in ``_context`` and documents."""

    def __init__(self, username: str | None = None) -> None:
        user = username or getpass.getuser()
        self.username = f"{user}@{socket.gethostname()}"
        self.id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"gladier-local:{self.username}"))
        self.urn = f"urn:globus:auth:identity:{self.id}"
        self.email = f"{user}@localhost"


__all__ = ["LocalIdentity"]
