"""``gladier store``: check the runtime store of a home, and back it up.

Example::

    gladier store check                 # exit code 1 when the store is damaged
    gladier store backup ~/backups/     # a consistent copy, while runs go on
"""

from __future__ import annotations

from pathlib import Path

import click

from gladier.cli.output import EXIT_ERROR, app_state, json_option, print_json
from gladier.runtime.runtime import DB_NAME


def _store_path() -> Path:
    return app_state().resolved_home / DB_NAME


@click.group()
def store() -> None:
    """Check and back up the runtime store (runtime.db).

    The store is the SQLite file in the home that holds its flows, runs and functions.

    \b
    Examples:
      gladier store check
      gladier store check --accept-loss    # open a store that lost its write-ahead log
      gladier store backup ~/gladier-backup.db
    """


@store.command("check")
@click.option(
    "--accept-loss",
    is_flag=True,
    help="When the only problem is a lost or damaged write-ahead log and the rest is sound, "
    "accept the store as it is (the changes in that log are lost) so that it opens again.",
)
@json_option
def check(accept_loss: bool, as_json: bool) -> None:
    """Check the store: SQLite's integrity check and Gladier's own records.

    Prints "ok: ..." or "damaged: ..." with each problem and what to do; the exit code is 1
    when the store is damaged. Runtimes may keep running meanwhile.

    \b
    Examples:
      gladier store check
      gladier --home /data/lab store check --json
    """
    from gladier.runtime.store.check import check_store

    report = check_store(_store_path(), accept_loss=accept_loss)
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(report.verdict())
    if not report.ok:
        raise click.exceptions.Exit(EXIT_ERROR)


@store.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@json_option
def backup(dest: Path, as_json: bool) -> None:
    """Copy the store to DEST with SQLite's online backup.

    DEST is a new file, or a directory (the copy is then runtime-<time>.db in it); an
    existing file is never overwritten.

    The copy is one consistent snapshot, also while runs go on. To restore it, stop every
    runtime of the home, then copy it over runtime.db and delete runtime.db-wal and
    runtime.db-shm.

    \b
    Examples:
      gladier store backup ~/gladier-backup.db
      gladier store backup /backups/          # writes /backups/runtime-<time>.db
    """
    from gladier.runtime.store.check import backup_store

    copy = backup_store(_store_path(), dest.expanduser())
    if as_json:
        print_json({"store": str(_store_path()), "backup": str(copy), "bytes": copy.stat().st_size})
    else:
        click.echo(f"Backed up {_store_path()} to {copy}")
