"""``GladierSecretsConfig``: a config file (:mod:`gladier.storage.config`) that also holds tokens.

The file is private to the user (mode 0600). Tokens live in their own section
(``tokens_<client_id>`` for a Gladier client), one option per token field
(:func:`gladier.storage.serialization.flat_pack`).

Example::

    >>> import os, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "client.cfg"
    >>> cfg = GladierSecretsConfig(path, section="my_client", tokens_section="tokens_abc")
    >>> cfg.write_tokens({"auth.globus.org": {"resource_server": "auth.globus.org",
    ...                                       "access_token": "t", "scope": "openid"}})
    >>> cfg.read_tokens()["auth.globus.org"]["scope"], oct(os.stat(path).st_mode & 0o777)
    ('openid', '0o600')
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from typing import Any

from gladier.storage.config import GladierConfig
from gladier.storage.serialization import flat_pack, flat_unpack

__all__ = ["GladierSecretsConfig"]

log = logging.getLogger(__name__)


class GladierSecretsConfig(GladierConfig):
    """A config file readable only by its owner, with a section of tokens."""

    DEFAULT_PERMISSION = stat.S_IRUSR | stat.S_IWUSR
    file_mode = DEFAULT_PERMISSION

    def __init__(
        self,
        filename: str | os.PathLike[str],
        section: str = "default",
        tokens_section: str = "tokens",
        *,
        shared_section: str | None = None,
    ) -> None:
        self.tokens_section = tokens_section
        super().__init__(filename, section=section, shared_section=shared_section)

    def load(self) -> None:
        """Re-read the file; the current section and the tokens section always exist."""
        super().load()
        if not self.has_section(self.tokens_section):
            self.add_section(self.tokens_section)

    def write_tokens(self, tokens: Mapping[str, Mapping[str, Any]]) -> None:
        """Store ``{resource server: token}``, replacing those resource servers' tokens."""
        with self.locked():
            self.load()
            flat = flat_pack(tokens)
            groups = {option.rpartition("__")[0] for option in flat}
            for option in list(self.options(self.tokens_section)):
                if option.rpartition("__")[0] in groups:
                    self.remove_option(self.tokens_section, option)
            for option, value in flat.items():
                self.set(self.tokens_section, option, value)
            self.save()
        log.debug("Wrote tokens for %s to %s", sorted(tokens), self.filename)

    def read_tokens(self) -> dict[str, dict[str, Any]]:
        """The stored tokens, ``{resource server: token}``."""
        self.load()
        return flat_unpack(dict(self.items(self.tokens_section)))

    def clear_tokens(self) -> None:
        """Forget every stored token."""
        with self.locked():
            self.load()
            if self.options(self.tokens_section):
                self.remove_section(self.tokens_section)
                self.add_section(self.tokens_section)
                self.save()
        log.debug("Cleared tokens from %s", self.filename)
