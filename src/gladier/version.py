"""The version of this Gladier distribution."""

__version__ = "0.12.0.dev0"
