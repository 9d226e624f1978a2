"""Where a Gladier client keeps registered ids, checksums, user settings and tokens.

One INI file per client id (``<runtime home>/<client_id>.cfg``), with a ``[general]`` section
(``version``), a section per client class (``[my_client]``: ``flow_id``, ``flow_checksum``,
``<fn>_function_id``, ``<fn>_function_id_checksum`` and user settings such as
``compute_endpoint``), and a ``[tokens_<client_id>]`` section.

Example::

    from gladier.storage import GladierSecretsConfig

    cfg = GladierSecretsConfig("~/.gladier/f1631610-d9e4-4db2-81ba-7f93ad4414e3.cfg",
                               section="my_client")
    cfg.get_value("flow_id")
"""

from __future__ import annotations

from gladier.storage.config import GladierConfig
from gladier.storage.tokens import GladierSecretsConfig

__all__ = ["GladierConfig", "GladierSecretsConfig"]
