"""The peer benchmark (``python benchmarks/peers.py``): one workload, several systems.

``workload`` holds the five trivial steps every system runs; ``systems/`` holds one module
per system (this runtime, the floors, Prefect, Parsl, Dask); ``child`` runs one system in a
fresh process and reports JSON to its parent; ``runner`` starts those processes, watches
their memory and time, and cleans up after them; ``report`` and ``chart`` turn the results
into the table, docs/benchmarks.md's Peers section and docs/benchmark-peers.png.

Only ``systems/*`` import third-party libraries, and only when their system is set up, so
the orchestrator runs on the standard library alone.
"""
