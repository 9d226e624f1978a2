"""Tool aliasing: several copies of one tool in a flow under different names.

Gladier 0.8-0.11 imported it from here; the code lives in :mod:`gladier.flowgen.tool_alias`,
which this module re-exports.

Example::

    from gladier.utils.tool_alias import StateSuffixVariablePrefix

    class MyClient(GladierBaseClient):
        alias_class = StateSuffixVariablePrefix
"""

from __future__ import annotations

from gladier.flowgen.tool_alias import NoAlias, StateSuffixVariablePrefix, ToolAlias

__all__ = ["NoAlias", "StateSuffixVariablePrefix", "ToolAlias"]
