"""The ``gladier`` command: run flows, watch them, draw them, and manage the runtime.

Each command group lives in its own module (``runs``, ``flows``, ``functions``, ``endpoints``,
``collections``, ``auth``, ``worker``, ``demo``, ``run``); :mod:`gladier.cli.output` holds what
they share. Errors become one clear line (``--debug`` adds the traceback); exit codes are 0 for
success, 1 for an error or a run that did not succeed, 2 for bad usage, 3 for a run that
SUCCEEDED although a state's action FAILED (``gladier run``, ``flows run``, ``runs watch``;
``gladier run --strict`` makes such a run FAILED), 130 for Ctrl-C and 141 when the reader of
the output went away (``gladier runs list --json | head``).

Shell completion (bash, zsh, fish)::

    eval "$(_GLADIER_COMPLETE=bash_source gladier)"     # in ~/.bashrc
    eval "$(_GLADIER_COMPLETE=zsh_source gladier)"      # in ~/.zshrc
    _GLADIER_COMPLETE=fish_source gladier | source      # in ~/.config/fish/completions/gladier.fish

Example::

    from gladier.cli import main
    main(["runs", "list", "--json"])      # returns the exit code
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from gladier.cli.output import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, AppState, report_error
from gladier.version import __version__

__all__ = ["cli", "main"]

CONTEXT_SETTINGS: dict[str, Any] = {
    "help_option_names": ["-h", "--help"],
    "max_content_width": 100,
}


class GladierGroup(click.Group):
    """A group that turns Gladier errors into one line and an exit code.

    Example::

        @click.group(cls=GladierGroup)
        def cli() -> None: ...
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (``gladier runs list --json | head``): stop quietly, and keep
            # Python from complaining again when it flushes stdout at exit.
            _silence_stdout()
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
        except KeyboardInterrupt as err:
            from gladier.progress import WatchInterrupted

            if not isinstance(err, WatchInterrupted):
                click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Exception as err:
            state = ctx.find_object(AppState)
            home = state.resolved_home if state is not None else None
            code = report_error(err, debug=bool(state and state.debug), home=home)
            raise click.exceptions.Exit(code) from None


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):  # not a real file (tests)
        pass


@click.group(cls=GladierGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GLADIER_HOME",
    help="Runtime home (flows, runs, functions). Default: $GLADIER_HOME, else ~/.gladier.",
)
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.version_option(__version__, "-V", "--version", prog_name="gladier")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, debug: bool) -> None:
    """Gladier: run Globus Flows locally and durably, watch them, and draw them.

    \b
    Examples:
      gladier demo                          # a real multi-step flow, start to finish
      gladier runs list                     # the latest runs and their status
      gladier runs watch RUN_ID             # live progress of a run
      gladier flows graph FLOW_ID --format mermaid

    Shell completion: eval "$(_GLADIER_COMPLETE=bash_source gladier)" (or zsh_source,
    fish_source). See docs/cli.md.
    """
    source = ctx.get_parameter_source("home")
    ctx.obj = AppState(
        home=home,
        debug=debug,
        home_from_command_line=source == ParameterSource.COMMANDLINE,
    )


def _register() -> None:
    from gladier.cli import (
        auth,
        collections,
        demo,
        endpoints,
        flows,
        functions,
        run,
        runs,
        server,
        store,
        worker,
    )

    cli.add_command(demo.demo)
    cli.add_command(run.run)
    cli.add_command(runs.runs)
    cli.add_command(flows.flows)
    cli.add_command(functions.functions)
    cli.add_command(endpoints.endpoints)
    cli.add_command(collections.collections)
    cli.add_command(collections.search)
    cli.add_command(worker.worker)
    cli.add_command(store.store)
    cli.add_command(server.server)
    for command in auth.COMMANDS:
        cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gladier`` command with ``argv`` (default: ``sys.argv[1:]``); return its exit code.

    Example::

        exit_code = main(["whoami"])
    """
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="gladier")
    except SystemExit as done:
        code = done.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    return 0
