"""How the scheduler drives Action states: start, poll with backoff, time out, cancel.

A mixin of :class:`gladier.runtime.engine.Engine`, kept apart because actions are the only
states that talk to the outside world (action providers).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from gladier.exc import ActionProviderError, FlowRunError, NotFound
from gladier.runtime.language.json_values import MAX_STATE_DEPTH
from gladier.runtime.live import LiveRun, dumps, shown
from gladier.runtime.states import CallAction, Outcome, Raise

if TYPE_CHECKING:
    from collections import deque

    from gladier.runtime.options import RuntimeOptions
    from gladier.runtime.providers.base import ActionProvider

log = logging.getLogger("gladier.runtime")

TERMINAL_ACTION = frozenset({"SUCCEEDED", "FAILED"})


class ProviderLookup(Protocol):
    """Where the scheduler finds the provider of an ``ActionUrl`` (a ``ProviderRegistry``)."""

    def get(self, url: str) -> ActionProvider | None: ...

    def urls(self) -> list[str]: ...


class ActionSteps:
    """Action-state handling for the scheduler."""

    if TYPE_CHECKING:
        providers: ProviderLookup
        options: RuntimeOptions
        ready: deque[LiveRun]
        actions: dict[str, str]

        def _apply(self, run: LiveRun, outcome: Outcome) -> None: ...

        def _schedule(self, run: LiveRun, due: float) -> None: ...

    def _request_id(self, run: LiveRun) -> str:
        return f"{run.run_id}:{run.current}:{run.event_seq}"

    def _start_action(self, run: LiveRun, state: Any, call: CallAction) -> None:
        provider = self.providers.get(call.url)
        if provider is None:
            known = ", ".join(self.providers.urls()) or "none"
            self._action_error(
                run,
                state,
                "ActionUnableToRun",
                {
                    "code": "UnknownActionProvider",
                    "description": f"No action provider is registered for {call.url}; "
                    f"registered URLs: {known}. Register one with "
                    "Runtime.add_action_provider(url, provider).",
                },
            )
            return
        request = {
            "request_id": self._request_id(run),
            "body": call.body,
            "label": run.label,
            "manage_by": list(run.run_managers),
            "monitor_by": list(run.run_monitors),
            # Local extensions (a Globus provider never sees these):
            "creator_id": run.context.get("user_id"),
            "run_id": run.run_id,
            "state_name": state.name,
        }
        try:
            doc = provider.run(request)
        except ActionProviderError as err:
            self._action_error(run, state, "ActionUnableToRun", err.body, call.shown_body)
            return
        except Exception as err:
            body = {"code": type(err).__name__, "description": str(err) or type(err).__name__}
            self._action_error(run, state, "ActionUnableToRun", body, call.shown_body)
            return
        if not isinstance(doc, dict) or "status" not in doc or "action_id" not in doc:
            body = {
                "code": "InvalidActionStatus",
                "description": f"The provider for {call.url} answered {doc!r}, "
                "not an action status document with action_id and status.",
            }
            self._action_error(run, state, "ActionUnableToRun", body, call.shown_body)
            return
        action_id = str(doc["action_id"])
        started = {
            "state_name": state.name,
            "state_type": "Action",
            "input": call.shown_body,
            "action_id": action_id,
        }
        run.emit("ActionStarted", f"State {state.name} of type Action started", shown(started))
        self._log_notes(run, state, doc)
        if doc["status"] in TERMINAL_ACTION:
            self._complete_action(run, state, doc)
            return
        now = run.now()
        interval = self.options.poll_initial_interval
        run.action = {
            "url": call.url,
            "action_id": action_id,
            "deadline": now + call.wait_time,
            "interval": interval,
            "last": doc,
        }
        run.phase = "action"
        run.dirty = True
        self.actions[action_id] = run.run_id
        if doc["status"] == "INACTIVE":
            self._mark_inactive(run, state, doc)
        self._schedule(run, min(now + interval, now + call.wait_time))

    def _action_error(
        self, run: LiveRun, state: Any, name: str, cause: Any, shown_body: Any = None
    ) -> None:
        if shown_body is not None:
            run.emit(
                "ActionStarted",
                f"State {state.name} of type Action started",
                shown({"state_name": state.name, "state_type": "Action", "input": shown_body}),
            )
        self._apply(run, state.catch(run, FlowRunError(name, cause, state_name=state.name)))

    def _poll(self, run: LiveRun) -> None:
        action = run.action or {}
        state = run.flow.states[run.current or ""]
        provider = self.providers.get(action.get("url", ""))
        action_id = action.get("action_id", "")
        try:
            if provider is None:
                raise NotFound(f"no provider registered for {action.get('url')}")
            doc = provider.status(action_id)
        except NotFound as err:
            doc = dict(action.get("last") or {})
            doc.update(
                status="FAILED",
                display_status="FAILED",
                details={"code": "ActionNotFound", "description": str(err)},
            )
        except Exception as err:  # a transient failure: keep polling until the deadline
            log.warning("polling action %s failed: %s", action_id, err)
            doc = action.get("last") or {}
        if doc.get("status") in TERMINAL_ACTION:
            self._complete_action(run, state, doc)
            self.ready.append(run)
            return
        now = run.now()
        if now >= action["deadline"]:
            self._timeout(run, state, provider, action_id, doc)
            self.ready.append(run)
            return
        previous = (action.get("last") or {}).get("status")
        action["last"] = doc
        self._log_notes(run, state, doc)
        if doc.get("status") == "INACTIVE" and previous != "INACTIVE":
            self._mark_inactive(run, state, doc)
        elif doc.get("status") == "ACTIVE" and run.status == "INACTIVE":
            run.status = "ACTIVE"
            run.emit(
                "ActionActive",
                f"State {state.name}: the action is active again",
                dumps({"state_name": state.name, "action_id": action_id}),
            )
        interval = min(action["interval"] * 2, self.options.poll_max_interval)
        action["interval"] = interval
        run.dirty = True
        if run.pending:  # a status change to commit now (the run stays in its action)
            self.ready.append(run)
        self._schedule(run, min(now + interval, action["deadline"]))

    def _mark_inactive(self, run: LiveRun, state: Any, doc: dict[str, Any]) -> None:
        run.status = "INACTIVE"
        details = doc.get("details") if isinstance(doc.get("details"), dict) else {}
        stored = dict(doc, state_name=state.name)
        info = {
            "code": details.get("code", "ActionInactive") if details else "ActionInactive",
            "description": (details or {}).get(
                "description", f"State {state.name}: the action is inactive"
            ),
            "state_name": state.name,
            "action_statuses": [stored],
        }
        for key in ("required_scope", "authorization_parameters", "resolution_url"):
            if details and key in details:
                info[key] = details[key]
        run.emit("ActionInactive", info["description"], shown(info))
        run.dirty = True

    def _timeout(
        self, run: LiveRun, state: Any, provider: Any, action_id: str, doc: dict[str, Any]
    ) -> None:
        if provider is not None:
            try:
                doc = provider.cancel(action_id) or doc
            except Exception as err:
                log.warning("cancelling timed-out action %s failed: %s", action_id, err)
        self._leave_action(run)
        error = FlowRunError(
            "ActionTimeout", dict(doc, state_name=state.name), state_name=state.name
        )
        self._apply(run, state.catch(run, error))

    def _leave_action(self, run: LiveRun) -> None:
        if run.action:
            self.actions.pop(run.action.get("action_id", ""), None)
        run.action = None
        run.phase = "ready"
        run.timer_gen += 1
        if run.status == "INACTIVE":
            run.status = "ACTIVE"

    def _log_notes(self, run: LiveRun, state: Any, doc: Mapping[str, Any]) -> None:
        """Write each new provider note (``details.notes``, a list of sentences) to the log."""
        details = doc.get("details")
        notes = details.get("notes") if isinstance(details, dict) else None
        if not isinstance(notes, list):
            return
        for note in notes:
            if isinstance(note, str) and note not in run.noted:
                run.noted.add(note)
                run.emit(
                    "ActionNote",
                    note,
                    dumps({"state_name": state.name, "action_id": doc.get("action_id")}),
                )

    def _complete_action(self, run: LiveRun, state: Any, doc: dict[str, Any]) -> None:
        self._log_notes(run, state, doc)
        run.noted.clear()
        self._leave_action(run)
        outcome: Outcome
        try:
            outcome = state.complete(run, doc)
        except RecursionError:
            outcome = Raise(
                FlowRunError(
                    "States.Runtime",
                    f"The result of state {state.name!r} nests lists and objects too deeply "
                    f"to be kept in the run state (the limit is {MAX_STATE_DEPTH} levels); "
                    "return flatter data from the action.",
                    state_name=state.name,
                )
            )
        except Exception as err:  # a bug must fail this run, not stall it and the scheduler
            log.exception("completing state %s of run %s failed", state.name, run.run_id)
            outcome = Raise(
                FlowRunError(
                    "States.Runtime",
                    f"State {state.name!r} failed unexpectedly ({type(err).__name__}: {err}); "
                    "this is a bug in the runtime, please report it.",
                    state_name=state.name,
                )
            )
        self._apply(run, outcome)

    def _cancel_action(self, run: LiveRun) -> None:
        if run.phase != "action" or not run.action:
            return
        provider = self.providers.get(run.action.get("url", ""))
        if provider is not None:
            try:
                provider.cancel(run.action["action_id"])
            except Exception as err:
                log.warning("cancelling action %s failed: %s", run.action["action_id"], err)
        self._leave_action(run)
