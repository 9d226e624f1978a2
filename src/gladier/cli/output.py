"""What every command shares: the runtime it talks to, JSON and table output, and error messages.

Errors are printed as one line that says what is wrong and what to do next (a validation error
also lists each problem); the traceback only appears with ``gladier --debug``.

Example::

    >>> from gladier.exc import NotFound
    >>> error_message(NotFound("No run with id 42 exists in /tmp/h"))
    'No run with id 42 exists in /tmp/h; list runs with `gladier runs list`.'
"""

from __future__ import annotations

import functools
import json
import re
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from gladier.exc import (
    AuthException,
    FlowInputError,
    FlowValidationError,
    GladierException,
    NotFound,
    ServiceError,
    StateConflict,
)

if TYPE_CHECKING:
    from rich.console import Console

    from gladier.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes: success, an error (or a run that did not succeed), bad usage, a run that
#: SUCCEEDED with failed actions, Ctrl-C, and the reader of the output went away (as a shell
#: reports SIGPIPE).
EXIT_OK: Final = 0
EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2
EXIT_ACTION_FAILED: Final = 3
EXIT_INTERRUPTED: Final = 130
EXIT_BROKEN_PIPE: Final = 141

_LIST_HINTS: Final = {
    "run": "list runs with `gladier runs list`",
    "flow": "list flows with `gladier flows list`",
    "function": "list functions with `gladier functions list`",
    "endpoint": "list endpoints with `gladier endpoints list`",
    "collection": "list collections with `gladier collections list`",
}


@dataclass
class AppState:
    """The global options, and the runtime opened (once) for this command.

    Example::

        state = AppState(home=Path("/tmp/lab"))
        state.resolved_home      # PosixPath('/tmp/lab')
    """

    home: Path | None = None
    debug: bool = False
    home_from_command_line: bool = False
    _runtime: Runtime | None = field(default=None, repr=False)

    def runtime(self) -> Runtime:
        """The runtime at ``--home``, opened on first use and closed when the command ends.

        It is opened without its scheduler: reading never takes a run over or starts a task.
        Only a command that writes (``flows run``, ``runs cancel``, ``runs resume``) starts it,
        and even then it runs only the runs the command is about: abandoned runs are left to
        ``gladier worker``, which does not exit a moment later.
        """
        if self._runtime is None:
            from gladier.runtime import Runtime

            runtime = Runtime(home=self.home, scheduler=False, takeover=False)
            runtime.open()
            self._runtime = runtime
            click.get_current_context().find_root().call_on_close(runtime.close)
        return self._runtime

    @property
    def resolved_home(self) -> Path:
        """The runtime home these options select (without opening anything)."""
        if self.home is not None:
            return self.home.expanduser()
        from gladier.runtime.runtime import default_home

        return default_home()


def app_state() -> AppState:
    """The :class:`AppState` of the running command.

    Example::

        app_state().debug        # True under `gladier --debug ...`
    """
    state = click.get_current_context().find_object(AppState)
    return state if state is not None else AppState()


def runtime() -> Runtime:
    """The runtime of the running command (see :meth:`AppState.runtime`).

    Example::

        runs = runtime().list_runs()["runs"]
    """
    return app_state().runtime()


# --------------------------------------------------------------------------- output
def console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr); plain and wide when it is not a terminal.

    Example::

        console().print(progress_table(progress))
    """
    from gladier.progress.display import default_console

    return default_console(stderr=stderr)


def json_option(function: F | None = None, *, graph_formats: Sequence[str] = ()) -> Any:
    """``-F/--format text|json|unix``, ``--jq/--jmespath EXPR`` and ``--json`` (``-F json``).

    The command gets ``as_json`` (True for json and unix); :func:`print_json` then prints in
    the chosen format. With ``graph_formats`` (``runs show``), ``-F`` also takes those graph
    formats, passed to the command as ``fmt`` (``"text"`` otherwise).

    Example::

        @runs.command("list")
        @json_option
        def list_runs(as_json: bool) -> None: ...
    """

    def decorate(command: F) -> F:
        from gladier.cli.formats import OUTPUT_FORMATS, resolve_format, set_current

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kind = kwargs.pop("output_format", None)
            query = kwargs.pop("output_query", None)
            graph = "text"
            if kind is not None and kind.lower() in graph_formats:
                graph, kind = kind.lower(), None
            fmt = resolve_format(kind, bool(kwargs.get("as_json")), query)
            set_current(fmt)
            kwargs["as_json"] = fmt.structured
            if graph_formats:
                kwargs["fmt"] = graph
            return command(*args, **kwargs)

        choices = (*OUTPUT_FORMATS, *graph_formats)
        extra = (
            "; with a graph format (" + ", ".join(graph_formats) + ") draws the flow"
            if graph_formats
            else ""
        )
        decorated: Any = click.option(
            "--jmespath",
            "--jq",
            "output_query",
            metavar="EXPR",
            help="Filter the JSON documents with a JMESPath expression (implies -F json unless "
            "-F unix), e.g. --jq '[].run_id'.",
        )(wrapper)
        decorated = click.option(
            "-F",
            "--format",
            "output_format",
            type=click.Choice(choices, case_sensitive=False),
            help="Output format: text (tables, the default), json (the Globus-shaped documents) "
            "or unix (one record per line, tab-separated)" + extra + ".",
        )(decorated)
        decorated = click.option("--json", "as_json", is_flag=True, help="The same as -F json.")(
            decorated
        )
        return decorated  # type: ignore[no-any-return]

    return decorate(function) if function is not None else decorate


def print_json(data: Any) -> None:
    """``data`` in the command's output format: indented JSON, or unix records (-F unix),
    filtered by ``--jq`` when given.

    Example::

        print_json({"run_id": "r1"})
    """
    from gladier.cli.formats import emit

    emit(data)


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    empty: str = "Nothing to show.",
    fold: Sequence[str] = (),
    wrap: Sequence[str] = (),
) -> None:
    """Print rows as a table (``empty`` when there are none).

    On a terminal: a table in which only the ``fold`` columns (free text such as titles) wrap,
    and the ``wrap`` columns (a status such as ``SUCCEEDED, 1 action FAILED``) break between
    words, never inside one; ids, statuses and times are never cut. When even that does not
    fit the terminal (80 columns and narrower, typically), each row is printed as a block of
    ``Column  value`` lines instead. When stdout is not a terminal: plain rows, columns
    separated by two spaces, no box characters, never wrapped.

    Example::

        table(None, ("Run id", "Label"), [["r1", "first"]], fold=("Label",))
    """
    texts = [["" if v is None else str(v) for v in row] for row in rows]
    out = console()
    if not texts:
        out.print(empty, markup=False, highlight=False)
        return
    if not out.is_terminal:
        _plain_rows(title, columns, texts)
        return
    if _needed_width(columns, texts, fold, wrap) > out.width:
        _record_blocks(out, title, columns, texts)
        return
    from rich.table import Table

    grid = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for index, name in enumerate(columns):
        if name in fold:
            grid.add_column(name, overflow="fold")
        elif name in wrap:
            grid.add_column(name, overflow="fold", min_width=_longest_word(name, texts, index))
        else:
            grid.add_column(name, no_wrap=True, min_width=len(name))
    for row in texts:
        grid.add_row(*row)
    out.print(grid)


#: The narrowest a folding column may become before rows are printed as blocks instead.
FOLD_MIN_WIDTH: Final = 10


def _needed_width(
    columns: Sequence[str], rows: list[list[str]], fold: Sequence[str], wrap: Sequence[str] = ()
) -> int:
    total = 3 * (len(columns) - 1)  # a space, the rule and a space between two columns
    for index, name in enumerate(columns):
        widest = max([len(name), *(len(row[index]) for row in rows)])
        if name in fold:
            total += min(widest, max(FOLD_MIN_WIDTH, len(name)))
        elif name in wrap:
            total += _longest_word(name, rows, index)
        else:
            total += widest
    return total


def _longest_word(name: str, rows: list[list[str]], index: int) -> int:
    """The width a column that breaks only between words needs: its longest word."""
    words = [word for row in rows for word in row[index].split()]
    return max([len(name), *(len(word) for word in words)])


def _plain_rows(title: str | None, columns: Sequence[str], rows: list[list[str]]) -> None:
    if title:
        click.echo(title)
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(columns)]
    for row in [list(columns), *rows]:
        cells = [cell.replace("\n", " ") for cell in row]
        line = "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        click.echo(line.rstrip())


def _record_blocks(
    out: Console, title: str | None, columns: Sequence[str], rows: list[list[str]]
) -> None:
    width = max(len(name) for name in columns)
    if title:
        out.print(title, markup=False, highlight=False)
    for number, row in enumerate(rows):
        if number:
            out.print()
        for name, cell in zip(columns, row, strict=True):
            out.print(
                f"{name:<{width}}  {cell}".rstrip(),
                markup=False,
                highlight=False,
                overflow="ignore",
                crop=False,
                soft_wrap=True,
            )


def fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """Print ``name: value`` lines, aligned, skipping empty values.

    Example::

        fields([("Run", "r1"), ("Label", None), ("Tags", ["a", "b"])])   # Run: r1 / Tags: a, b
    """
    pairs = [(k, v) for k, v in pairs if v not in (None, "", [], {})]
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        click.echo(f"{key + ':':<{width + 1}} {value}")


def short_time(stamp: Any) -> str:
    """An ISO timestamp as local ``YYYY-MM-DD HH:MM:SS``.

    Example::

        >>> short_time(None)
        ''
    """
    if not isinstance(stamp, str) or not stamp:
        return ""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


#: Longest integer literal read from JSON input (the runtime stores up to about 4,000 digits).
MAX_JSON_INT_DIGITS: Final = 4000


def strict_json_loads(text: str) -> Any:
    """``json.loads`` that refuses NaN and Infinity (not JSON; Python accepts them).

    Example::

        >>> strict_json_loads("[1, 2.5]")
        [1, 2.5]
    """

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    def finite(literal: str) -> float:
        number = float(literal)
        if number in (float("inf"), float("-inf")):
            raise ValueError(f"{literal} is too large for a JSON number")
        return number

    def whole(literal: str) -> int:
        digits = len(literal.lstrip("-"))
        if digits > MAX_JSON_INT_DIGITS:
            raise ValueError(
                f"an integer of {digits:,} digits is too large for JSON (the limit is "
                f"{MAX_JSON_INT_DIGITS:,} digits); pass it as a string"
            )
        return int(literal)

    try:
        return json.loads(text, parse_constant=refuse, parse_float=finite, parse_int=whole)
    except RecursionError:
        raise ValueError(
            "lists and objects are nested too deeply to read; flatten the data (runs take at "
            "most 64 levels)"
        ) from None


def load_json_file(path: str | Path, what: str) -> Any:
    """The JSON in ``path``; a clear ``click.UsageError``-like error when it cannot be read.

    Example::

        definition = load_json_file("flow.json", "flow definition")
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise click.BadParameter(f"cannot read {what} file {file}: {err.strerror}") from None
    try:
        return strict_json_loads(text)
    except json.JSONDecodeError as err:
        raise click.BadParameter(
            f"{what} file {file} is not valid JSON (line {err.lineno}, column {err.colno}: "
            f"{err.msg})"
        ) from None
    except ValueError as err:
        raise click.BadParameter(f"{what} file {file} is not valid JSON ({err})") from None


# --------------------------------------------------------------------------- errors
def error_message(err: BaseException) -> str:
    """One clear message for ``err``: what is wrong, then what to do next.

    Example::

        >>> from gladier.exc import StateConflict
        >>> error_message(StateConflict("Run 7 has status 'ACTIVE'"))
        "Run 7 has status 'ACTIVE'; wait for it to end or cancel it with `gladier runs cancel`."
    """
    text = _message(err).rstrip(". ")
    if isinstance(err, FlowValidationError):
        problems = err.errors
        heads = {str(_loc(item)[0]) if _loc(item) else "" for item in problems}
        what, hint = {
            "body": (
                "run input",
                "Fix the input (--input or -i KEY=VALUE) and start the run again.",
            ),
            "input_schema": (
                "input schema",
                "Fix the schema, then check it with "
                "`gladier flows validate FILE --schema SCHEMA_FILE`.",
            ),
        }.get(
            heads.pop() if len(heads) == 1 else "",
            (
                "flow definition",
                "Fix the definition, then check it with `gladier flows validate FILE`.",
            ),
        )
        lines = [f"The {what} is not valid ({len(problems)} problem(s)):"]
        lines += _problem_lines(problems)
        lines.append(hint)
        return "\n".join(lines)
    if isinstance(err, NotFound):
        match = re.match(r"No (\w+)", text)
        listing = _LIST_HINTS.get(match.group(1).lower()) if match else None
        return f"{text}; {listing}." if listing else f"{text}."
    if isinstance(err, FlowInputError):
        fix = "Fix the input; the flow's input schema is in `gladier flows show FLOW_ID --json`."
        if isinstance(err.detail, list) and err.detail:
            return "\n".join([f"{text}:", *_problem_lines(err.detail), fix])
        return f"{text}. {fix}"
    if isinstance(err, StateConflict):
        return f"{text}; wait for it to end or cancel it with `gladier runs cancel`."
    if isinstance(err, AuthException):
        return f"{text}; log in with `gladier login`."
    return f"{text}."


def _loc(item: dict[str, Any]) -> list[Any]:
    loc = item.get("loc", [])
    return list(loc) if isinstance(loc, (list, tuple)) else [loc]


def _problem_lines(problems: list[dict[str, Any]]) -> list[str]:
    """``  $.where: what`` for each ``{loc, msg}`` problem (a loc may be a path already)."""
    lines = []
    for item in problems:
        parts = _loc(item)
        if len(parts) == 1 and isinstance(parts[0], str) and parts[0].startswith("$"):
            where = parts[0]
        else:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
        lines.append(f"  {where}: {item.get('msg')}")
    return lines


def _message(err: BaseException) -> str:
    if isinstance(err, ServiceError):
        return err.message
    message = getattr(err, "message", None)
    return str(message) if message else (str(err) or type(err).__name__)


def environment_message(err: BaseException, home: Path | None = None) -> str | None:
    """A message for a problem of this machine rather than of Gladier (a home that cannot be
    created or written, a full disk), or ``None`` when ``err`` is not one.

    Example::

        >>> denied = PermissionError(13, "Permission denied", "/srv/h/runtime.db")
        >>> environment_message(denied, Path("/srv/h"))[:64]
        'Cannot use /srv/h as the runtime home: Permission denied (/srv/h'
    """
    import sqlite3

    if isinstance(err, EOFError):
        return _no_terminal_message(err)
    where = f"{home} as the runtime home" if home is not None else "the runtime home"
    hint = "Choose a directory you can write with `gladier --home DIR ...` or GLADIER_HOME=DIR."
    if isinstance(err, OSError) and not isinstance(err, (BrokenPipeError, ConnectionError)):
        if err.errno is None and not err.strerror:
            return None
        what = err.strerror or str(err)
        path = f" ({err.filename})" if err.filename else ""
        if home is not None and err.filename and _related(Path(str(err.filename)), home):
            return f"Cannot use {where}: {what}{path}. {hint}"
        return (
            f"{what}{path}. Check the path and its permissions (`gladier --debug ...` shows "
            "where it happened)."
        )
    if isinstance(err, sqlite3.OperationalError):
        text = str(err)
        if any(k in text for k in ("unable to open", "readonly", "disk I/O", "database or disk")):
            return f"Cannot use {where}: the database there cannot be written ({text}). {hint}"
    return None


#: What to do when a Globus login needs a terminal that is not there.
NO_TERMINAL_LOGIN: Final = (
    "In scripts and CI set GLADIER_CLIENT_ID and GLADIER_CLIENT_SECRET (a Globus confidential "
    "client) instead; or run `gladier login` once in a terminal (or with "
    "GLADIER_LOGIN_FLOW=local-server)"
)


def _no_terminal_message(err: EOFError) -> str:
    """A prompt found nothing to read: standard input is not a terminal (or was closed)."""
    if "authorization code" in str(err).lower():  # globus_sdk's login prompt
        return (
            "A Globus login is needed, which asks you to paste a code from the browser, but "
            f"standard input is not a terminal. {NO_TERMINAL_LOGIN}."
        )
    return (
        "A prompt waited for an answer, but standard input is not a terminal (or was closed). "
        "Run the command in a terminal, or give the answer another way (see its --help)."
    )


def _related(path: Path, home: Path) -> bool:
    """Whether ``path`` is ``home``, inside it, or one of the folders it is to be made in."""
    try:
        path, home = path.expanduser().absolute(), home.expanduser().absolute()
    except (OSError, RuntimeError):
        return False
    return path == home or home in path.parents or path in home.parents


def report_error(err: BaseException, *, debug: bool, home: Path | None = None) -> int:
    """Print ``err`` for a person (with the traceback when ``debug``); return the exit code.

    ``home`` (the runtime home of the command) is named when the problem lies with it.

    Example::

        code = report_error(NotFound("No run with id r1 exists in /h"), debug=False)   # 1
    """
    out = console(stderr=True)
    if debug:
        if out.is_terminal:
            out.print_exception(show_locals=False)
        else:  # a plain traceback is easier to paste into an issue
            click.echo(traceback.format_exc().rstrip("\n"), err=True)
    environment = environment_message(err, home)
    if isinstance(err, GladierException):
        out.print(f"Error: {error_message(err)}", style="red", markup=False, highlight=False)
    elif environment is not None:
        out.print(f"Error: {environment}", style="red", markup=False, highlight=False)
    else:
        out.print(
            f"Unexpected error: {type(err).__name__}: {err}",
            style="red",
            markup=False,
            highlight=False,
        )
        if not debug:
            out.print(
                "Run the command again with `gladier --debug ...` to see the traceback, and "
                "please report it.",
                markup=False,
                highlight=False,
            )
    return EXIT_ERROR


def exit_for_status(status: str | None, failed_actions: int = 0) -> None:
    """End the command with 0 for a SUCCEEDED run, 3 for one that SUCCEEDED although
    ``failed_actions`` of its states' actions FAILED, 1 otherwise.

    Example::

        exit_for_status(final["status"], len(progress.failed_actions()))
    """
    if status != "SUCCEEDED":
        raise click.exceptions.Exit(EXIT_ERROR)
    if failed_actions:
        raise click.exceptions.Exit(EXIT_ACTION_FAILED)


def run_rows(runs: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """Table rows for run documents.

    Example::

        table(None, RUN_COLUMNS, run_rows(runtime().list_runs()["runs"]))
    """
    from gladier.progress import format_duration, run_duration

    return [
        [
            run.get("run_id"),
            run.get("label") or "",
            run.get("flow_title") or run.get("flow_id"),
            run.get("status"),
            short_time(run.get("start_time")),
            format_duration(run_duration(run)) if run.get("completion_time") else "",
        ]
        for run in runs
    ]


RUN_COLUMNS: Final = ("Run id", "Label", "Flow", "Status", "Started", "Took")
