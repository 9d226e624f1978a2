"""``gladier login``, ``logout`` and ``whoami``.

The embedded runtime (the default backend) needs no login: the user is this machine's user.
``GLADIER_BACKEND=globus`` selects the Globus cloud; its login arrives with the Globus backend
(until then these commands say so).

Example::

    gladier whoami
    gladier whoami --json
"""

from __future__ import annotations

from typing import Any

import click

from gladier.cli.output import app_state, fields, json_option, print_json
from gladier.exc import ConfigException


def current_backend() -> str:
    """``embedded`` or ``globus``, as ``GLADIER_BACKEND`` selects it (the SDK's own rule).

    Example::

        current_backend()      # 'embedded'
    """
    from gladier.services import backend_choice

    return backend_choice(None)[0]


def _require_embedded(action: str) -> None:
    """Raise the SDK's explanation when the Globus backend is selected but not available."""
    if current_backend() == "embedded":
        return
    from gladier.services import select_backend

    select_backend(None)  # raises ConfigException while the Globus backend is not available
    raise ConfigException(  # pragma: no cover - once it exists, its clients log in themselves
        f"Cannot {action} from the command line yet: a Gladier client logs in when it first "
        "needs to (client.login())"
    )


def _identity() -> dict[str, str]:
    """``Runtime.identity`` of the selected home (nothing is opened to read it)."""
    from gladier.runtime import Runtime

    rt = Runtime(home=app_state().resolved_home)
    try:
        identity = rt.identity
        return {"username": identity.username, "id": identity.id, "urn": identity.urn}
    finally:
        rt.close()


@click.command(short_help="Log in to the selected backend.")
def login() -> None:
    """Log in to the selected backend (the embedded runtime needs no login).

    \b
    Examples:
      gladier login
    """
    _require_embedded("log in")
    who = _identity()
    click.echo(f"No login needed: the embedded runtime runs as {who['username']} on this machine.")


@click.command(short_help="Forget the stored login tokens.")
def logout() -> None:
    """Forget the stored login tokens (the embedded runtime keeps none).

    \b
    Examples:
      gladier logout
    """
    _require_embedded("log out")
    click.echo("Nothing to forget: the embedded runtime stores no tokens.")


@click.command()
@json_option
def whoami(as_json: bool) -> None:
    """Show the backend, who you are to it, and the runtime home.

    \b
    Examples:
      gladier whoami
      GLADIER_BACKEND=globus gladier whoami
      gladier --home /tmp/lab whoami --json
    """
    backend = current_backend()
    info: dict[str, Any] = {"backend": backend, "home": str(app_state().resolved_home)}
    info["identity"] = _identity() if backend == "embedded" else None
    if as_json:
        print_json(info)
        return
    who = info["identity"]
    fields(
        [
            ("Backend", backend),
            ("Username", who["username"] if who else "(not logged in)"),
            ("Identity", who["urn"] if who else None),
            ("Home", info["home"]),
        ]
    )


COMMANDS = (login, logout, whoami)
