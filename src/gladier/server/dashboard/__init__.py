"""The web dashboard of ``gladier server``: flows, runs, live progress, cancel and resume.

:func:`create_dashboard` returns a Starlette router over one :class:`~gladier.runtime.Runtime`
to mount at ``/`` (its pages live under ``/ui/``). It needs the ``server`` extra
(``pip install starlette uvicorn jinja2``); ``import gladier`` never imports it.

Example::

    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from gladier.runtime import Runtime
    from gladier.server.dashboard import create_dashboard

    with Runtime() as runtime:
        app = Starlette(routes=[Mount("/", app=create_dashboard(runtime))])
        uvicorn.run(app, host="127.0.0.1", port=8000)   # open http://127.0.0.1:8000/
"""

from __future__ import annotations

from gladier.server.dashboard.app import Dashboard, create_dashboard

__all__ = ["Dashboard", "create_dashboard"]
