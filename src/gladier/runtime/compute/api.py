"""Functions and endpoints: :class:`ComputeAPI` is ``rt.compute``, and ``Runtime`` delegates
its compute methods (``rt.register_function``, ...) to it.

Example::

    from gladier.runtime import Runtime

    def square(x):
        return x * x

    with Runtime() as rt:
        function_id = rt.register_function(square)
        pool = rt.create_endpoint("big", executor="process", config={"workers": 8})
        rt.map_endpoint("4b116d3c-1703-4f8f-9f6f-39921e5864df", pool["endpoint_id"])
        definition = {
            "StartAt": "Square",
            "States": {
                "Square": {
                    "Type": "Action",
                    "ActionUrl": "https://compute.actions.globus.org",
                    "Parameters": {"tasks": [{
                        "endpoint": "4b116d3c-1703-4f8f-9f6f-39921e5864df",
                        "function": function_id,
                        "kwargs": {"x": 7},
                    }]},
                    "ResultPath": "$.Square",
                    "End": True,
                }
            },
        }
        flow = rt.create_flow("square", definition)
        run = rt.wait(rt.run_flow(flow["id"], {})["run_id"])
        print(run["details"]["output"]["Square"]["details"]["result"][0])   # 49
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gladier.runtime.compute.provider import ComputeService


class ComputeAPI:
    """Function registry and endpoint management of one runtime.

    ``ready`` opens the store on first use; ``service`` returns the runtime's compute service
    (the one its Compute action providers use, created on first use).

    Example::

        ctx = RuntimeContext.standalone(home)
        service = ComputeService(db=ctx.db, options=ctx.options, home=home)
        compute = ComputeAPI(ready=ctx.ready, service=lambda: service)
        compute.list_endpoints()[0]["name"]          # 'default'
    """

    def __init__(self, *, ready: Callable[[], None], service: Callable[[], ComputeService]) -> None:
        self._ready = ready
        self._compute_service = service

    # ------------------------------------------------------------------ functions
    def register_function(
        self, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None
    ) -> str:
        """Store ``fn`` by value in this runtime; returns its function id (a UUID string).

        The function is kept as dill bytes (its own module's helpers and constants included)
        plus its source text, so a fresh worker process runs it even when it was defined in
        ``__main__``, a notebook or a module the worker cannot import. Registering the same
        code again (same checksum and name) returns the same id.

        Example::

            def add(a, b):
                return a + b

            function_id = rt.register_function(add)            # '0b6f...'
            rt.get_function(function_id)["function_name"]      # 'add'
        """
        self._ready()
        return self._compute_service().functions.register(fn, name=name, description=description)

    def get_function(self, function_id: str) -> dict[str, Any]:
        """The function document: ``function_id``, ``function_name``, ``checksum``,
        ``serializer``, ``python_version``, ``description``, ``source``, ``created_at``.

        Example::

            rt.get_function(function_id)["checksum"]   # 'c3a1...'
        """
        self._ready()
        return self._compute_service().functions.get(function_id)

    def list_functions(self) -> list[dict[str, Any]]:
        """Every registered function document, oldest first.

        Example::

            [f["function_name"] for f in rt.list_functions()]   # ['add', 'square']
        """
        self._ready()
        return self._compute_service().functions.all()

    def delete_function(self, function_id: str) -> dict[str, Any]:
        """Remove a function; returns its last document. Runs that name it then fail.

        Example::

            rt.delete_function(function_id)["function_name"]   # 'add'
        """
        self._ready()
        return self._compute_service().functions.delete(function_id)

    # ------------------------------------------------------------------ endpoints
    def create_endpoint(
        self,
        name: str,
        *,
        executor: str = "process",
        config: Mapping[str, Any] | None = None,
        endpoint_id: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Create an endpoint: a named executor configuration with a UUID.

        ``executor`` is ``process``, ``thread``, ``dask``, ``parsl`` or ``globus-compute``;
        ``config`` holds its settings (docs/compute.md). Nothing starts until a task runs.

        Example::

            ep = rt.create_endpoint("cluster", executor="dask",
                                    config={"address": "tcp://10.0.0.5:8786"})
            ep["endpoint_id"]   # '9d2e...'
        """
        self._ready()
        endpoint = self._compute_service().endpoints.create(
            name,
            executor=executor,
            config=config,
            endpoint_id=endpoint_id,
            description=description,
        )
        return endpoint.doc()

    def get_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        """The endpoint document of an endpoint id, alias or name.

        Example::

            rt.get_endpoint("default")["endpoint_id"]   # 'bd06cbfe-4e60-5087-b88d-36c8bebdec5a'
        """
        self._ready()
        return self._compute_service().endpoints.get(endpoint_id).doc()

    def list_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint document, the default endpoint first.

        Example::

            [e["name"] for e in rt.list_endpoints()]   # ['default', 'cluster']
        """
        self._ready()
        return [e.doc() for e in self._compute_service().endpoints.all()]

    def update_endpoint(
        self,
        endpoint_id: str,
        *,
        executor: str | None = None,
        config: Mapping[str, Any] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Change an endpoint (the default one too); its executor restarts on the next task.

        Example::

            rt.update_endpoint("default", config={"workers": 4})
        """
        self._ready()
        service = self._compute_service()
        endpoint = service.endpoints.update(
            endpoint_id, executor=executor, config=config, description=description
        )
        service.reset_executor(endpoint.endpoint_id)
        return endpoint.doc()

    def delete_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        """Delete an endpoint and its aliases (the default endpoint cannot be deleted).

        Example::

            rt.delete_endpoint(ep["endpoint_id"])["name"]   # 'cluster'
        """
        self._ready()
        service = self._compute_service()
        endpoint = service.endpoints.delete(endpoint_id)
        service.reset_executor(endpoint.endpoint_id)
        return endpoint.doc()

    def map_endpoint(self, cloud_endpoint_id: str, local_endpoint_id: str) -> dict[str, Any]:
        """Run tasks addressed to ``cloud_endpoint_id`` on a local endpoint.

        Returns the local endpoint's document (its ``aliases`` list the mapping).

        Example::

            rt.map_endpoint("4b116d3c-1703-4f8f-9f6f-39921e5864df", "default")
        """
        self._ready()
        return self._compute_service().endpoints.alias(cloud_endpoint_id, local_endpoint_id).doc()

    def unmap_endpoint(self, cloud_endpoint_id: str) -> None:
        """Forget a mapping made with :meth:`map_endpoint`.

        Example::

            rt.unmap_endpoint("4b116d3c-1703-4f8f-9f6f-39921e5864df")
        """
        self._ready()
        self._compute_service().endpoints.unalias(cloud_endpoint_id)

    def get_endpoint_status(self, endpoint_id: str) -> dict[str, Any]:
        """``{"status": "online", "details": {executor, started, worker_pids}}``.

        Example::

            rt.get_endpoint_status("default")["details"]["worker_pids"]   # [41211, 41212]
        """
        self._ready()
        return self._compute_service().endpoint_status(endpoint_id)

    # ------------------------------------------------------------------ tasks outside flows
    def submit_compute_task(
        self,
        endpoint_id: str,
        function_id: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        task_id: str,
    ) -> dict[str, Any]:
        """Run one function call outside any flow; returns its Compute action document.

        ``task_id`` names the request: submitting the same ``task_id`` again returns the same
        action, and :meth:`get_compute_task` finds it (after restarts too). Arguments and the
        result are JSON values, as in a flow's Compute state. This is what the Compute REST
        API of ``gladier server`` uses.

        Example::

            doc = rt.submit_compute_task("default", function_id, [7], task_id=str(uuid4()))
            rt.get_compute_task(task_id)["status"]   # 'ACTIVE', later 'SUCCEEDED'
        """
        self._ready()
        body = {
            "endpoint_id": endpoint_id,
            "tasks": [
                {"function_id": function_id, "args": list(args), "kwargs": dict(kwargs or {})}
            ],
        }
        return self._compute_service().run({"request_id": task_id, "body": body}, "v3")

    def get_compute_task(self, task_id: str) -> dict[str, Any]:
        """The action document of a task started with :meth:`submit_compute_task`.

        Example::

            rt.get_compute_task(task_id)["details"]["result"]   # [49]
        """
        from gladier.exc import NotFound

        self._ready()
        service = self._compute_service()
        action_id = service.store.action_for_request(task_id)
        if action_id is None:
            raise NotFound(f"No compute task with id {task_id} is known to this runtime")
        return service.status(action_id)
