"""One client file of a client repository, loaded by one Gladier installation; JSON on stdout.

Run by ``benchmarks/client_repos.py`` once per file and interpreter (the published Gladier 0.11
in its own venv, and this project's SDK), always in a fresh process with ``HOME`` and
``GLADIER_HOME`` pointing at scratch directories, so module-level code of one client cannot
affect another. It uses only the standard library and the public Gladier API that 0.11 and this
SDK share::

    python client_repos_worker.py definitions ROOT FILE
    python client_repos_worker.py run ROOT FILE CLIENT PLAN_JSON     # this SDK only

``definitions`` prints ``{"module": ..., "clients": [{"name", "definition"} or {"name",
"error"}]}`` (or ``{"import_error": ...}``); ``run`` prepares the files, local collections and
search indexes of a plan (see ``RunPlan`` in client_repos.py), runs one client on the embedded
runtime with :func:`gladier.testing.run_client`, and prints its status, the failed state, the
error and what the plan's checks found.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any


def module_name(root: Path, file: Path) -> tuple[str, bool]:
    """``(dotted name, is in a package)`` of ``file``: packages up to ``root`` name it."""
    parts = [file.stem]
    folder = file.parent
    while folder != root and (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), len(parts) > 1


def load(root: Path, file: Path) -> ModuleType:
    """Import ``file`` as its package module, or as a script module that is not ``__main__``."""
    name, packaged = module_name(root, file)
    sys.path.insert(0, str(root))
    if packaged:
        return importlib.import_module(name)
    # A script next to its helpers (``from tools.x import Tool``) finds them in its folder.
    sys.path.insert(0, str(file.parent))
    spec = importlib.util.spec_from_file_location(f"client_under_test_{file.stem}", file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def client_classes(module: ModuleType) -> list[tuple[str, Any]]:
    """The client classes ``module`` defines (0.11's decorator replaces a class by a function
    whose ``__wrapped__`` is the class)."""
    from gladier import GladierBaseClient

    found = []
    for name, value in vars(module).items():
        cls = getattr(value, "__wrapped__", value)
        if (
            isinstance(cls, type)
            and issubclass(cls, GladierBaseClient)
            and cls is not GladierBaseClient
            and cls.__module__ == module.__name__
        ):
            found.append((name, value))
    return found


def error_text(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


def gladier_version() -> str:
    import gladier
    from gladier.version import __version__

    return f"gladier {__version__} from {Path(gladier.__file__).parent}"


def validity(client: Any) -> dict[str, Any]:
    """``{"valid": True}`` or ``{"valid": <problems>}``: whether the embedded runtime would accept
    the client's flow (this SDK only; Gladier 0.11 has no runtime, so ``{}``)."""
    try:
        from gladier.runtime.language.validation import validate_definition
        from gladier.runtime.options import RuntimeOptions
    except ImportError:
        return {}
    schema = client.get_flow_schema() if hasattr(client, "get_flow_schema") else None
    try:
        report = validate_definition(client.get_flow_definition(), schema, options=RuntimeOptions())
        report.raise_for_errors()
    except Exception as err:  # reported: the table shows why the runtime would refuse it
        return {"valid": error_text(err)}
    return {"valid": True}


def definitions(root: Path, file: Path) -> dict[str, Any]:
    try:
        module = load(root, file)
    except BaseException as err:  # the report shows whatever the client's import raised
        return {
            "import_error": error_text(err),
            "traceback": traceback.format_exc(),
            "gladier": gladier_version(),
        }
    clients = []
    for name, factory in client_classes(module):
        try:
            client = factory()
            definition = client.get_flow_definition()
            clients.append({"name": name, "definition": definition, **validity(client)})
        except BaseException as err:  # one client failing must not hide the others
            clients.append({"name": name, "error": error_text(err)})
    return {"module": module.__name__, "clients": clients, "gladier": gladier_version()}


def run(root: Path, file: Path, client_name: str, plan: dict[str, Any]) -> dict[str, Any]:
    """Prepare files, collections and indexes as ``plan`` says, run the client, check it."""
    from gladier.services.local import shared_runtime
    from gladier.testing import run_client

    scratch = Path(plan["scratch"])
    for relative, text in plan.get("files", {}).items():
        (scratch / relative).parent.mkdir(parents=True, exist_ok=True)
        (scratch / relative).write_text(text)
    runtime = shared_runtime()
    for collection_id, relative in plan.get("collections", {}).items():
        (scratch / relative).mkdir(parents=True, exist_ok=True)
        runtime.create_collection(scratch / relative, collection_id=collection_id)
    for index_id in plan.get("indexes", []):
        runtime.create_search_index(index_id, index_id=index_id)
    module = load(root, file)
    client = dict(client_classes(module))[client_name]
    result = run_client(client, plan["input"], timeout=120)
    failure = result.failure or {}
    problems = []
    for state, expected in plan.get("outputs", {}).items():
        actual = result.function_output(state) if state in result.state_outputs else None
        if actual != expected:
            problems.append(f"{state} returned {actual!r}, not {expected!r}")
    for relative in plan.get("expect_files", []):
        if not (scratch / relative).exists():
            problems.append(f"{relative} was not written")
    for index_id, subject in plan.get("expect_subjects", {}).items():
        try:
            runtime.search_get_subject(index_id, subject)
        except Exception as err:  # reported, not raised: the report lists every problem
            problems.append(f"subject {subject!r} not in index {index_id}: {err}")
    return {
        "status": result.status,
        "states": list(result.state_outputs),
        "failed_state": failure.get("state_name"),
        "error": failure.get("cause") if failure else None,
        "problems": problems,
    }


def main(argv: list[str]) -> int:
    command, root, file, *rest = argv
    root_path, file_path = Path(root).resolve(), Path(file).resolve()
    if command == "definitions":
        answer = definitions(root_path, file_path)
    elif command == "run":
        answer = run(root_path, file_path, rest[0], json.loads(rest[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    sys.stdout.write("\n@@RESULT@@" + json.dumps(answer, default=repr) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
