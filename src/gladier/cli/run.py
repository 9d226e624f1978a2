"""``gladier run MODULE:CLIENT``: run a Gladier client from your own code.

``MODULE`` is a path to a ``.py`` file (``flows/tar_transfer.py``) or an importable module
(``mylab.flows``, found from the current directory too); ``CLIENT`` names a
``GladierBaseClient`` subclass (or an instance) in it. The command builds the client, calls
``client.run_flow(flow_input={"input": {...}}, label=..., tags=[...])`` and then
``client.progress(run_id)`` to follow the run to its end, and ends with what the flow produced
(the last state's result) and the command that prints all of it.

A run that SUCCEEDED although a state's action FAILED (a generated Compute state has
``ExceptionOnActionFailure: false``, so a function that raises does not stop the run) names
each failed action and exits with 3; ``--strict`` sets ``strict_compute = True`` on the client,
so such a failure fails the run instead.

Example::

    gladier run flows/tar_transfer.py:TarAndTransfer -i tar_input=/data/scan1 --label scan1
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from gladier.cli.detach import detach_option, following, on_interrupt_option, report_started
from gladier.cli.inputs import build_input, input_options, run_options
from gladier.cli.output import (
    app_state,
    console,
    exit_for_status,
    json_option,
    print_json,
    runtime,
)
from gladier.exc import ConfigException, GladierException

USAGE_HINT = "write MODULE:CLIENT, e.g. flows/tar_transfer.py:TarAndTransfer or mylab.flows:Tar"


def import_module(target: str) -> ModuleType:
    """Import a module given as a ``.py`` path or a dotted name.

    Example::

        import_module("flows/tar_transfer.py").TarAndTransfer
        import_module("mylab.flows").Reduce
    """
    path = Path(target)
    if target.endswith(".py") or path.is_file():
        path = path.expanduser().resolve()
        if not path.is_file():
            raise click.BadParameter(f"there is no file {path}", param_hint="MODULE:CLIENT")
        name = path.stem if path.stem not in sys.modules else f"_gladier_run_{path.stem}"
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise click.BadParameter(f"{path} cannot be imported", param_hint="MODULE:CLIENT")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as err:
        if err.name and target.startswith(err.name):
            raise click.BadParameter(
                f"no module named {target!r} (from {cwd}); pass a path to a .py file or a "
                "module importable from here",
                param_hint="MODULE:CLIENT",
            ) from None
        raise


def defined_clients(module: ModuleType) -> list[str]:
    """The names of the client classes ``module`` itself defines (not those it imports, such
    as ``GladierBaseClient``), sorted.

    Example::

        defined_clients(import_module("flows/tar_transfer.py"))     # ['TarAndTransfer']
    """
    from gladier import GladierBaseClient

    return sorted(
        name
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and not name.startswith("_")
        and value.__module__ == module.__name__
        and (issubclass(value, GladierBaseClient) or callable(getattr(value, "run_flow", None)))
    )


def import_failure(module: str, err: BaseException) -> str:
    """What to tell when importing the user's ``module`` raised ``err``: the error and where
    in the user's code it was raised (the import machinery's own frames left out).

    Example::

        >>> print(import_failure("flows.py", ValueError("bad value")).splitlines()[0])
        Importing flows.py failed: ValueError: bad value
    """
    return user_code_failure(
        f"Importing {module} failed",
        err,
        "Fix the module, then run the command again (`gladier --debug ...` shows the whole "
        "traceback)",
    )


def user_code_failure(lead: str, err: BaseException, hint: str) -> str:
    """``lead: Error: message``, the user's frames where ``err`` was raised, then ``hint``.

    Example::

        >>> user_code_failure("Creating C() failed", ValueError("no"), "Fix it").splitlines()
        ['Creating C() failed: ValueError: no', 'Fix it']
    """
    import traceback

    here = str(Path(__file__).parent)
    frames = [
        frame
        for frame in traceback.extract_tb(err.__traceback__)
        if "importlib" not in frame.filename
        and not frame.filename.startswith("<frozen")
        and not frame.filename.startswith(here)
    ]
    where = "".join(traceback.format_list(frames[-3:]))
    if isinstance(err, SyntaxError):  # where: the line and a caret, as Python shows them
        shown = traceback.format_exception_only(type(err), err)
        where = "".join(shown[:-1])
        what = shown[-1].strip()
    else:
        what = f"{type(err).__name__}: {err}"
    lines = [f"{lead}: {what}"]
    if where.strip():
        lines.append(where.rstrip("\n"))
    lines.append(hint)
    return "\n".join(lines)


def load_object(spec: str) -> Any:
    """The object ``spec`` (``MODULE:NAME``, NAME may be dotted) names.

    Example::

        >>> load_object("json:dumps").__name__
        'dumps'
    """
    module_part, sep, attribute = spec.rpartition(":")
    if not sep or not module_part or not attribute:
        raise click.BadParameter(f"{spec!r}: {USAGE_HINT}", param_hint="MODULE:CLIENT")
    try:
        module = import_module(module_part)
    except (click.ClickException, GladierException):
        raise
    except Exception as err:  # the user's module raised while it was imported: not our bug
        raise ConfigException(import_failure(module_part, err)) from err
    found: Any = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            candidates = defined_clients(module)
            listed = (
                f"; clients defined there: {', '.join(candidates)}"
                if candidates
                else "; it defines no GladierBaseClient subclass"
            )
            raise click.BadParameter(
                f"{module_part} has no {attribute!r}{listed}", param_hint="MODULE:CLIENT"
            )
        found = getattr(found, part)
    return found


def make_client(target: Any) -> Any:
    """An instance of the client class ``target`` (or ``target`` itself if it is one).

    Example::

        client = make_client(load_object("flows/tar_transfer.py:TarAndTransfer"))
    """
    try:
        client = target() if inspect.isclass(target) else target
    except GladierException:
        raise
    except Exception as err:  # the client's own __init__ raised: the user's code to fix
        name = target.__name__
        hint = (
            "`gladier run` creates the client without arguments: give its __init__ defaults, "
            "or name an instance made in the module (MODULE:instance)"
            if isinstance(err, TypeError) and "__init__()" in str(err)
            else f"Fix {name}.__init__, then run the command again"
        )
        raise ConfigException(user_code_failure(f"Creating {name}() failed", err, hint)) from err
    for method in ("run_flow", "progress"):
        if not callable(getattr(client, method, None)):
            raise click.BadParameter(
                f"{type(client).__name__} has no {method}() method; name a GladierBaseClient "
                "subclass",
                param_hint="MODULE:CLIENT",
            )
    return client


def embedded_home(client: Any) -> Path | None:
    """The runtime home when ``client`` runs on the embedded runtime, else ``None`` (Globus).

    A client without a ``backend`` (a stand-in with ``run_flow`` and ``progress``) is taken
    to use the embedded runtime of ``$GLADIER_HOME``.

    Example::

        embedded_home(make_client(load_object("flows.py:Reduce")))   # PosixPath('~/.gladier')
    """
    backend = getattr(client, "backend", None)
    if backend is not None and getattr(backend, "name", None) != "embedded":
        return None
    home = getattr(backend, "home", None)
    return Path(home) if home is not None else app_state().resolved_home


def run_only_its_own(client: Any) -> None:
    """Make the embedded runtime of ``client`` run only the runs this command starts.

    A script's runtime takes over every abandoned run of its home; ``gladier run`` exits when
    its run ends (or at a closed pipe), so it would start their tasks only to stop them again.
    Those runs are left to ``gladier worker``, as by every other short-lived command.

    Example::

        run_only_its_own(make_client(load_object("flows.py:Reduce")))
    """
    backend = getattr(client, "backend", None)
    runtime = getattr(backend, "runtime", None)
    if getattr(backend, "name", None) == "embedded" and callable(runtime):
        runtime().takeover = False  # no I/O: the runtime opens on first use


def _let_go() -> None:
    """Stop this process's embedded runtimes: their runs are released to the next worker."""
    from gladier.services.local import close_shared_runtimes

    close_shared_runtimes()


@click.command(short_help="Run a Gladier client from your code and follow the run.")
@click.argument("target", metavar="MODULE:CLIENT")
@input_options
@run_options
@click.option(
    "--strict",
    is_flag=True,
    help="A compute function that raises fails the run (sets strict_compute = True on the "
    "client) instead of leaving a FAILED result in a SUCCEEDED run.",
)
@detach_option
@on_interrupt_option
@json_option
def run(
    target: str,
    input_file: str | None,
    pairs: tuple[str, ...],
    label: str | None,
    tags: tuple[str, ...],
    no_wait: bool,
    strict: bool,
    detach: bool,
    on_interrupt: str,
    as_json: bool,
) -> None:
    """Run a Gladier client from your code and follow the run to its end.

    MODULE is a .py file or an importable module; CLIENT a GladierBaseClient subclass in it.
    The input is {"input": {...}} from --input (a file, - for stdin, or inline JSON), with each
    -i KEY=VALUE set on top (values are parsed as JSON when they parse, else kept as strings).
    It ends with the last state's result. Exits with 0 when the run SUCCEEDED, 3 when it
    SUCCEEDED although a state's action FAILED (--strict makes that a FAILED run), 1 when it
    did not succeed.

    On the embedded runtime this command runs the run while it follows it. --detach hands the
    run to a background `gladier worker` (which exits when no run is left) and returns at
    once, so the run outlives the terminal; --no-wait returns at once and leaves the run to
    a `gladier worker`. Ctrl-C asks whether to hand the run over (--on-interrupt detach or
    stop answers in advance).

    \b
    Examples:
      gladier run flows/tar_transfer.py:TarAndTransfer -i tar_input=/data/scan1
      gladier run mylab.flows:Reduce --input input.json --label night-7 --tag beamline
      gladier run flows.py:Reduce -i count=3 --detach
      gladier run flows.py:Reduce -i count=3 --strict
    """
    state = app_state()
    if state.home is not None:
        os.environ["GLADIER_HOME"] = str(state.home)
    body = build_input(input_file, pairs)
    client = make_client(load_object(target))
    run_only_its_own(client)
    if strict:
        if not hasattr(client, "strict_compute"):
            raise click.BadParameter(
                f"{type(client).__name__} has no strict_compute setting; --strict needs a "
                "GladierBaseClient",
                param_hint="--strict",
            )
        client.strict_compute = True
    extra: dict[str, Any] = {}
    if label is not None:
        extra["label"] = label
    if tags:
        extra["tags"] = list(tags)
    started = client.run_flow(flow_input=body, **extra)
    run_id = started.get("run_id") or started.get("action_id")
    home = embedded_home(client)
    if no_wait or detach:
        if home is not None:
            _let_go()
            report_started(started, home, detach=detach, as_json=as_json)
        elif as_json:
            print_json(started)
        else:
            click.echo(f"Started run {run_id} on Globus; it runs there, not in this terminal.")
        return
    with contextlib.ExitStack() as stack:
        if home is not None:
            stack.enter_context(
                following(str(run_id), home, on_interrupt=on_interrupt, stop=_let_go)
            )
        if as_json:  # keep stdout for the JSON document: the client's progress goes to stderr
            stack.enter_context(contextlib.redirect_stdout(sys.stderr))
        client.progress(run_id)
    final = client.get_status(run_id) if callable(getattr(client, "get_status", None)) else started
    from gladier.progress import read_progress

    progress = read_progress(_run_source(client), run_id)
    if as_json:
        print_json(final)
    else:
        print_result(progress)
    exit_for_status(final.get("status"), len(progress.failed_actions()))


def _run_source(client: Any) -> Any:
    """Where the client's runs are read: its Flows client, else the runtime at --home."""
    source = getattr(getattr(client, "flows_manager", None), "flows_client", None)
    if callable(getattr(source, "get_run", None)) and callable(
        getattr(source, "get_run_logs", None)
    ):
        return source
    return runtime()


def print_result(progress: Any) -> None:
    """What the flow produced: the last state's result, cut short, and how to see it all.

    Example::

        print_result(read_progress(rt, run_id))
        # Result of CountWords: [42]
        #   all of it: gladier runs show RUN_ID --output CountWords
    """
    import shlex

    from gladier.progress import result_preview

    last = progress.last_output()
    if last is None:
        return
    out = console()
    if last.failed_action is not None:
        text = f"{last.name} returned no result: its action FAILED (see above)."
    else:
        text = f"Result of {last.name}: {result_preview(last.output)}"
    out.print(text, markup=False, highlight=False)
    command = f"gladier runs show {progress.run_id} --output {shlex.quote(last.name)}"
    out.print(f"  all of it: {command}", style="dim", markup=False, highlight=False)
