"""The Globus Flows language: validation, paths, Parameters, expressions and choice rules."""
