"""Gladier's local server: the Globus service APIs and a web dashboard over one Runtime."""
