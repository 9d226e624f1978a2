"""``gladier demo``: a realistic multi-tool flow on real files, with live progress.

See :mod:`gladier.demo` for what it does and :mod:`gladier.demo.pipeline` for the folders.

Example::

    gladier demo
    gladier demo --output ./demo-out --scans 12
    gladier demo --wrong-key          # see how a failed compute task is reported
"""

from __future__ import annotations

import contextlib
import shlex
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gladier.cli.detach import what_becomes_of
from gladier.cli.output import app_state, console, exit_for_status, json_option, print_json

if TYPE_CHECKING:
    from gladier.demo.pipeline import DemoLayout
    from gladier.runtime import Runtime


def _size(count: Any) -> str:
    if not isinstance(count, int):
        return "?"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


@click.command(short_help="Run a multi-tool flow on real files, with live progress.")
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the data and outputs (default: a new temporary folder).",
)
@click.option(
    "--scans", default=6, show_default=True, type=click.IntRange(1, 1000), help="Scans to make."
)
@click.option(
    "--frame-kb",
    default=64,
    show_default=True,
    type=click.IntRange(1, 16384),
    help="Size of each scan's detector frame, in KiB.",
)
@click.option(
    "--wrong-key",
    is_flag=True,
    help="Give the archive site the wrong key, to see how a failed step is reported.",
)
@json_option
def demo(
    output_dir: Path | None, scans: int, frame_kb: int, wrong_key: bool, as_json: bool
) -> None:
    """Run the demo: a Gladier client generates scans, archives, encrypts, transfers,
    decrypts, verifies (by checksum) and catalogues them, with live progress.

    Everything runs on this machine, on the embedded runtime: the client's compute functions
    in local worker processes, the transfer between two local folders, the catalogue in a
    local search index. The data and outputs stay in the folder it prints (a new temporary
    folder unless --output is given); the flow and the run are kept in your runtime home
    (--home, else $GLADIER_HOME, else ~/.gladier), so "gladier runs list" shows the run
    afterwards. Exits with 0 when the run succeeded.

    \b
    Examples:
      gladier demo
      gladier demo --output ./demo-out --scans 12
      gladier demo --wrong-key
      gladier demo --json
    """
    from gladier.demo.pipeline import DemoLayout, start_run, summarise
    from gladier.progress import WatchInterrupted, watch_run
    from gladier.runtime import Runtime

    state = app_state()
    root = output_dir or Path(tempfile.mkdtemp(prefix="gladier-demo-"))
    layout = DemoLayout.create(root, wrong_key=wrong_key)
    home = state.resolved_home
    out = console()
    if not as_json:
        out.print(
            "[bold]Gladier demo[/]: a Gladier client (gladier.demo.tools.DemoClient) generates "
            "scans, archives, encrypts, transfers, decrypts, verifies and catalogues them, on "
            "the embedded runtime."
        )
        out.print(f"Working folder: {layout.root}", markup=False, highlight=False)
        out.print()
    # like every short-lived command, the demo runs only its own run: abandoned runs of the
    # home are left to `gladier worker` (taking them over would redo their tasks, then stop)
    with Runtime(home=home, takeover=False) as rt:
        started = start_run(rt, layout, scan_count=scans, frame_bytes=frame_kb * 1024)
        run_id = started["run_id"]
        try:
            final = watch_run(rt, run_id, console=None if as_json else out, show=not as_json)
        except WatchInterrupted:
            click.echo(
                f"The run stays in {home}; finish it with: gladier --home "
                f"{shlex.quote(str(home))} worker",
                err=True,
            )
            raise
        except BrokenPipeError:  # the reader went away: say what becomes of the run (141)
            rt.close()
            with contextlib.suppress(OSError, ValueError):
                click.echo(what_becomes_of(run_id, home, "The output was closed"), err=True)
            raise
        _forget_collections(rt, layout)
    summary = summarise(final, layout, home=home)
    if as_json:
        print_json(summary)
    else:
        _explain(summary, Path(home), state.home_from_command_line)
    exit_for_status(final.get("status"))


def _forget_collections(rt: Runtime, layout: DemoLayout) -> None:
    """Unmap the demo's two collections once its run has ended (the files stay), so demos
    leave no mappings to temporary folders in the user's runtime home."""
    roots = {layout.beamline, layout.archive_site}
    for collection in rt.list_collections():
        if Path(collection["root"]) in roots:
            rt.delete_collection(collection["id"])


def _explain(summary: dict[str, Any], home: Path, home_given: bool) -> None:
    out = console()
    outputs = summary["outputs"]
    run_id = summary["run_id"]
    # the runtime home the next command uses by itself ($GLADIER_HOME or ~/.gladier) needs
    # no --home; one given on the command line does
    home_arg = f" --home {shlex.quote(str(home))}" if home_given else ""
    out.print()
    if summary["status"] == "SUCCEEDED":
        out.print("[bold]What happened[/]")
        index = summary["published_to"]
        published = (
            f'The metadata record was published to the local search index "{index}".'
            if index
            else "The metadata record could not be published (the flow caught it and went on)."
        )
        out.print(
            f"  {summary['scans']} scans ({_size(summary['scan_bytes'])}) were generated, "
            "archived, encrypted, transferred to the archive collection, decrypted and "
            f"verified: {summary['files_checked']} of {summary['files_checked']} files match "
            f"(archive sha256 {str(summary['archive_sha256'])[:16]}…). {published}",
            highlight=False,
        )
    else:
        out.print(
            "[bold red]The run did not succeed[/] (see above). What it made so far is below.",
        )
    out.print()
    out.print(f"[bold]Outputs[/] in {outputs['folder']}", highlight=False)
    root = Path(outputs["folder"])
    rows = [
        (outputs["scans"], "the generated scans"),
        (outputs["archive"], "their archive"),
        (outputs["encrypted"], "the encrypted archive"),
        (outputs["transferred"], "its copy on the archive collection"),
        (outputs["restored"], "the decrypted archive and the extracted scans"),
        (outputs["metadata"], "the metadata record"),
        (str(home), "the runtime home: the flow, the run and its log"),
    ]
    for path, what in rows:
        shown = Path(path)
        exists = shown.exists()
        try:
            name = str(shown.relative_to(root))
        except ValueError:
            name = str(shown)
        name += "/" if shown.is_dir() else ""
        mark = "" if exists else "  (not made)"
        out.print(f"  {name:<38} {what}{mark}", highlight=False, markup=False)
    out.print()
    out.print("[bold]Look closer[/]")
    commands = [
        f"gladier{home_arg} runs list",
        f"gladier{home_arg} runs show {run_id} --graph",
        f"gladier{home_arg} flows graph --run {run_id} --format mermaid",
        f"gladier{home_arg} runs log {run_id}",
    ]
    if summary.get("published_to"):
        commands.append(f"gladier{home_arg} search query {summary['published_to']}")
    for command in commands:
        out.print(f"  {command}", highlight=False, markup=False)
