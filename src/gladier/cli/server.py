"""``gladier server``: serve the runtime over HTTP APIs shaped like Globus Flows, Compute
and Auth (docs/server.md). Needs the ``server`` extra, imported only when the command runs.

Example::

    gladier server                      # http://127.0.0.1:8765; prints the variables to set
    gladier server --port 5000          # also what globus_compute_sdk's "local" env expects
"""

from __future__ import annotations

from pathlib import Path

import click

from gladier.cli.output import app_state

INSTALL_HINT = (
    "gladier server needs the packages of the 'server' extra: "
    "pip install starlette uvicorn jinja2 PyJWT cryptography "
    "(or python3 -m pip install -e '.[server]' in a clone of Gladier)"
)


@click.command("server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Runtime home to serve (default: the global --home, $GLADIER_HOME or ~/.gladier).",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host that other machines can reach (prints a warning).",
)
@click.option(
    "--json",
    "json_lines",
    is_flag=True,
    help="Print one JSON object when listening (url, environment, ...) and one when stopped.",
)
@click.option(
    "--token-lifetime",
    type=click.IntRange(1),
    default=None,
    help="Seconds an access token stays valid (default 7200).",
)
def server(
    host: str,
    port: int,
    home: Path | None,
    allow_remote: bool,
    json_lines: bool,
    token_lifetime: int | None,
) -> None:
    """Serve the runtime to globus-sdk, globus_compute_sdk, Gladier 0.11 and the globus CLI.

    \b
    Examples:
      gladier server
      gladier server --port 5000 --home /tmp/lab
      gladier server --port 0 --json      # a free port; the URL as JSON, for scripts
    """
    try:
        from gladier.server.serve import serve_forever
    except ImportError as err:
        raise click.ClickException(f"{INSTALL_HINT} ({err})") from None
    state = app_state()
    chosen = home or state.home
    serve_forever(
        str(chosen) if chosen is not None else None,
        host=host,
        port=port,
        allow_remote=allow_remote,
        token_lifetime=token_lifetime,
        json_lines=json_lines,
        echo=click.echo,
        warn=lambda text: click.echo(text, err=True),
    )
