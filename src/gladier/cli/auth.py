"""``gladier login``, ``logout`` and ``whoami``.

The embedded runtime (the default backend) needs no login: the user is this machine's user.
With ``GLADIER_BACKEND=globus`` these commands log in to Globus Auth through the login manager
a Gladier client uses (``UserAppLoginManager``, or ``ConfidentialClientLoginManager`` when
``GLADIER_CLIENT_ID`` and ``GLADIER_CLIENT_SECRET`` are set), for the Flows and Compute scopes,
and keep the tokens where every client with the default client id finds them
(``<home>/<client_id>.db``). ``GLADIER_LOGIN_FLOW=local-server`` opens a browser instead of
printing a URL.

Example::

    gladier whoami
    gladier whoami --json
    GLADIER_BACKEND=globus gladier login
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from gladier.cli.output import app_state, fields, json_option, print_json
from gladier.exc import ConfigException

if TYPE_CHECKING:
    from gladier.managers.login import BaseLoginManager

#: Environment variable: the globus-sdk login flow of ``gladier login`` (``command-line`` or
#: ``local-server``).
LOGIN_FLOW_ENV = "GLADIER_LOGIN_FLOW"


def current_backend() -> str:
    """``embedded`` or ``globus``, as ``GLADIER_BACKEND`` selects it (the SDK's own rule).

    Example::

        current_backend()      # 'embedded'
    """
    from gladier.services import backend_choice

    return backend_choice(None)[0]


def _globus_login_manager() -> BaseLoginManager:
    """The login manager a client with the default client id uses on Globus, wired to the
    Globus backend at ``--home`` and requiring the Flows and Compute scopes."""
    from gladier.client import GladierBaseClient
    from gladier.client_setup import CLIENT_ID_ENV, CLIENT_SECRET_ENV
    from gladier.managers.login import ConfidentialClientLoginManager, UserAppLoginManager
    from gladier.services import select_backend
    from gladier.services.globus import GlobusBackend
    from gladier.services.scopes import COMPUTE_SCOPE, FLOWS_SCOPES
    from gladier.storage.tokens import GladierSecretsConfig

    select_backend(None)  # explains a missing extra
    home = app_state().resolved_home
    client_id, secret = os.environ.get(CLIENT_ID_ENV), os.environ.get(CLIENT_SECRET_ENV)
    if not (client_id and secret):
        client_id, secret = GladierBaseClient.client_id, None
    storage = GladierSecretsConfig(home / f"{client_id}.cfg", "gladier_cli")
    manager: UserAppLoginManager | ConfidentialClientLoginManager
    if secret:
        manager = ConfidentialClientLoginManager(client_id, secret, storage=storage)
    else:
        flow = os.environ.get(LOGIN_FLOW_ENV) or None
        manager = UserAppLoginManager(
            client_id, app_name="Gladier", storage=storage, login_flow_manager=flow
        )
    manager.use_backend(GlobusBackend(home, app_name="Gladier"))
    manager.add_requirements([*FLOWS_SCOPES, COMPUTE_SCOPE])
    return manager


def _globus_identity(manager: BaseLoginManager) -> dict[str, str] | None:
    identity = getattr(manager, "identity", lambda: None)()
    if identity is None:
        return None
    return {"username": identity.username, "id": identity.id, "urn": identity.urn}


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

    On Globus this asks once for the Flows and Compute scopes; a client then only needs its
    flow's own scope.

    \b
    Examples:
      gladier login
      GLADIER_BACKEND=globus gladier login
      GLADIER_BACKEND=globus GLADIER_LOGIN_FLOW=local-server gladier login
    """
    if current_backend() == "globus":
        from gladier.managers.login import ConfidentialClientLoginManager

        manager = _globus_login_manager()
        if isinstance(manager, ConfidentialClientLoginManager) or not manager.is_logged_in():
            try:
                manager.login([])  # one login for every required scope
            except EOFError:  # the code prompt found nothing to read: not a terminal
                raise ConfigException(
                    "`gladier login` asks you to paste a code from the browser, but standard "
                    "input is not a terminal. In scripts and CI set GLADIER_CLIENT_ID and "
                    "GLADIER_CLIENT_SECRET (a Globus confidential client) instead; or run "
                    "`gladier login` once in a terminal (or with GLADIER_LOGIN_FLOW=local-server)"
                ) from None
        else:
            click.echo("Already logged in to Globus.")
        who = _globus_identity(manager)
        click.echo(f"Logged in to Globus as {who['username'] if who else 'a Globus identity'}.")
        return
    who = _identity()
    click.echo(f"No login needed: the embedded runtime runs as {who['username']} on this machine.")


@click.command(short_help="Forget the stored login tokens.")
def logout() -> None:
    """Forget the stored login tokens (the embedded runtime keeps none).

    On Globus the tokens are revoked and removed from the token file.

    \b
    Examples:
      gladier logout
      GLADIER_BACKEND=globus gladier logout
    """
    if current_backend() == "globus":
        manager = _globus_login_manager()
        servers = _stored_token_servers(manager)
        if not servers:
            click.echo("Not logged in to Globus: no tokens are stored, so none were revoked.")
            return
        manager.logout()
        click.echo(
            f"Logged out of Globus: the tokens of {len(servers)} service(s) "
            f"({', '.join(sorted(servers))}) were revoked and removed."
        )
        return
    click.echo("Nothing to forget: the embedded runtime stores no tokens.")


def _stored_token_servers(manager: BaseLoginManager) -> list[str]:
    """The resource servers the login session has tokens for (no file is created to tell)."""
    session: Any = getattr(manager, "session", None)
    path = getattr(session, "token_path", None)
    if session is None or (path is not None and not path.exists()):
        return []
    return list(session.token_storage().get_token_data_by_resource_server())


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
    if backend == "embedded":
        info["identity"] = _identity()
    else:
        info["identity"] = _globus_identity(_globus_login_manager())
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
