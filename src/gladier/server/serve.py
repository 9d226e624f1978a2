"""Serving the app with uvicorn: in the foreground (``gladier server``) or in a thread.

The listening socket is bound before uvicorn starts, so the URL (and an ephemeral port) is
known at once and connections made before uvicorn is ready wait in the socket's backlog.

Example::

    from gladier.server.serve import running_server

    with running_server(app) as server:      # 127.0.0.1, a free port
        requests.get(server.url + "/flows/flows")
    # stopped: uvicorn finished its requests and the app's shutdown ran
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gladier.exc import ConfigException
from gladier.server.app import service_environment

if TYPE_CHECKING:
    import uvicorn

__all__ = ["RunningServer", "bind", "is_loopback", "running_server", "uvicorn_server"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    Example::

        is_loopback("127.0.0.1"), is_loopback("0.0.0.0")   # (True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (``port=0``: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle's algorithm off only on sockets that say
    # they are TCP; with it on, each small response waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ConfigException(
            f"Cannot listen on {host}:{port} ({err.strerror or err}); choose another --port "
            "or stop what uses it."
        ) from err
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def uvicorn_server(app: Any, **config: Any) -> uvicorn.Server:
    """A uvicorn server for ``app``: quiet, no access log, lifespan on."""
    import uvicorn

    settings: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "lifespan": "on",
        # uvloop and httptools when installed (the server extra has them), else asyncio/h11.
        "loop": "auto",
        "http": "auto",
        "timeout_graceful_shutdown": 5,
    }
    settings.update(config)
    return uvicorn.Server(uvicorn.Config(app, **settings))


@dataclass
class RunningServer:
    """A server running in a thread: its ``url`` and the variables that point clients at it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: Any = None

    def environment(self) -> dict[str, str]:
        """``GLOBUS_SDK_SERVICE_URL_*`` for this server."""
        return service_environment(self.url)

    def stop(self) -> None:
        """Stop accepting, finish the requests in flight, run the app's shutdown, join."""
        self.server.should_exit = True
        self.thread.join(timeout=30)


@contextmanager
def running_server(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningServer]:
    """Serve ``app`` in a background thread for the duration of the ``with`` block."""
    sock = bind(host, port)
    server = uvicorn_server(app)
    failure: list[BaseException] = []

    def target() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as err:  # reported to the caller in stop()
            failure.append(err)

    thread = threading.Thread(target=target, name="gladier-server", daemon=True)
    # uvicorn only installs signal handlers in the main thread.
    thread.start()
    running = RunningServer(base_url(sock), server, thread, app)
    try:
        yield running
    finally:
        running.stop()
        sock.close()
        if failure:
            raise failure[0]


def banner(url: str, home: str, credentials_path: str) -> str:
    """What ``gladier server`` prints once it listens: the variables to set, and the token."""
    env = service_environment(url)
    lines = [f"gladier server: serving the runtime in {home} at {url}", ""]
    lines.append("Point globus-sdk (and the globus CLI) at it:")
    lines += [f"  export {name}={value}" for name, value in env.items()]
    lines += [
        "",
        f"Tokens: client id and secret in {credentials_path}; get tokens with the",
        f"  client_credentials grant at {url}/auth/v2/oauth2/token (ClientApp,",
        "  ConfidentialAppAuthClient, or the globus CLI with GLOBUS_CLI_CLIENT_ID/_SECRET).",
        "globus_compute_sdk.Client ignores GLOBUS_SDK_SERVICE_URL_COMPUTE: serve on port 5000",
        "  and set GLOBUS_SDK_ENVIRONMENT=local, or set the client's base URLs (docs/server.md).",
        "Transfer and search URLs answer 404 'not served' so nothing reaches Globus by mistake.",
        f"Dashboard: {url}/ui/ in a browser (docs/dashboard.md).",
        "Ctrl-C stops the server; unfinished runs continue on the next start.",
    ]
    return "\n".join(lines)


def serve_forever(
    home: str | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
    token_lifetime: int | None = None,
    json_lines: bool = False,
    echo: Callable[[str], Any] = print,
    warn: Callable[[str], Any] = print,
) -> None:
    """Run ``gladier server`` in the foreground until Ctrl-C (or SIGTERM).

    ``echo`` gets the banner and the final line (with ``json_lines``: one JSON object each,
    ``{"status": "started", "url", "home", "environment", "credentials", "dashboard"}`` and
    ``{"status": "stopped"}``); ``warn`` gets warnings. Binding an address other than loopback
    needs ``allow_remote`` and warns.
    """
    from gladier.runtime import Runtime
    from gladier.server.app import LOOPBACK_HOSTS, create_app
    from gladier.server.tokens import DEFAULT_LIFETIME, TokenService

    if not is_loopback(host):
        if not allow_remote:
            raise ConfigException(
                f"--host {host} would accept connections from other machines; the server runs "
                "code sent to it by anyone holding a token. Pass --allow-remote to do it anyway."
            )
        warn(
            f"WARNING: listening on {host}: other machines can reach this server. Anyone "
            "with its client secret can run code here, and its dashboard (no login) shows "
            "and cancels runs. Use a firewall or a TLS proxy with authentication."
        )
    runtime = Runtime(home)
    tokens = TokenService(
        runtime.home / "server", lifetime=token_lifetime or DEFAULT_LIFETIME
    ).load()
    # Listening beyond loopback: the operator chose the names clients use, so any is allowed.
    hosts = LOOPBACK_HOSTS if is_loopback(host) else None
    app = create_app(runtime, tokens=tokens, close_runtime=True, allowed_hosts=hosts)
    sock = bind(host, port)
    try:
        url = base_url(sock)
        credentials = str(tokens.directory / "credentials.json")
        # A Ctrl-C before uvicorn installs its handlers, or the one uvicorn re-raises after
        # shutting down cleanly, ends the server as normally as a SIGTERM does.
        with contextlib.suppress(KeyboardInterrupt):
            if json_lines:
                started = {
                    "status": "started",
                    "url": url,
                    "home": str(runtime.home),
                    "environment": service_environment(url),
                    "credentials": credentials,
                    "dashboard": url + "/ui/",
                }
                echo(json.dumps(started))
            else:
                echo(banner(url, str(runtime.home), credentials))
            uvicorn_server(app, log_level="warning").run(sockets=[sock])
        if json_lines:
            echo(json.dumps({"status": "stopped"}))
        else:
            echo("gladier server: stopped; unfinished runs continue on the next start.")
    finally:
        sock.close()
        runtime.close()
