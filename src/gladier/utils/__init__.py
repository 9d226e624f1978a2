"""Helpers behind flow generation, kept at the import paths Gladier 0.8-0.11 documented.

Nothing is imported here eagerly: each submodule is loaded only when asked for.
"""
