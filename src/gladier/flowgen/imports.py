"""Import tools named by dotted strings, with Gladier's optional ``:Alias`` suffix.

Example::

    >>> parse_alias("gladier_tools.posix.Tar:First")
    ('gladier_tools.posix.Tar', 'First')
    >>> import_string("collections.OrderedDict").__name__
    'OrderedDict'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["import_string", "parse_alias"]


def parse_alias(dotted_string_path: str) -> tuple[str, str | None]:
    """Split ``"pkg.module.Tool:Alias"`` into the import path and the alias (or ``None``).

    Example::

        >>> parse_alias("pkg.Tool")
        ('pkg.Tool', None)
    """
    if ":" in dotted_string_path:
        path, alias = dotted_string_path.rsplit(":", 1)
        return path, alias
    return dotted_string_path, None


def import_string(dotted_string_path: str) -> Any:
    """Import and return the object named by ``"package.module.Name"`` (an alias is ignored).

    Raises :class:`ImportError` naming what could not be found.

    Example::

        >>> import_string("os.path.join").__name__
        'join'
    """
    path, _ = parse_alias(dotted_string_path)
    module_path, sep, attribute = path.rpartition(".")
    if not sep or not module_path or not attribute:
        raise ImportError(
            f'"{path}" is not a dotted path: write it as "package.module.Name", '
            'for example "gladier_tools.posix.Tar"'
        )
    module = import_module(module_path)
    try:
        return getattr(module, attribute)
    except AttributeError as err:
        raise ImportError(f'Module "{module_path}" has no attribute "{attribute}"') from err
