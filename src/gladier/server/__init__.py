"""Gladier's local server: the Globus service APIs and a web dashboard over one Runtime.

``gladier server`` serves the embedded runtime behind HTTP APIs shaped like Globus Flows,
Compute and Auth, so unchanged ``globus_sdk`` clients, ``globus_compute_sdk.Client``, Gladier
0.11 and the ``globus`` CLI work against it by changing base URLs (docs/server.md).

Needs the ``server`` extra (``pip install starlette uvicorn jinja2 PyJWT cryptography``). One
module per service router:
:mod:`~gladier.server.flows`, :mod:`~gladier.server.compute`, :mod:`~gladier.server.auth`,
:mod:`~gladier.server.dashboard` (docs/dashboard.md); :mod:`~gladier.server.app` composes
them, :mod:`~gladier.server.errors` holds the error bodies and :mod:`~gladier.server.serve`
runs the app with uvicorn.

Example::

    from gladier.runtime import Runtime
    from gladier.server.app import create_app
    from gladier.server.serve import running_server

    with Runtime("/tmp/gladier-home") as rt, running_server(create_app(rt)) as server:
        print(server.url)             # http://127.0.0.1:<free port>
        print(server.environment())   # {"GLOBUS_SDK_SERVICE_URL_FLOWS": ".../flows/", ...}
"""
