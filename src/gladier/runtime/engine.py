"""The scheduler: one thread advances every run this process owns.

Runs never get a thread of their own. Ready runs are advanced in memory, state after state,
and all the transitions of one loop turn are committed in a single SQLite transaction (group
commit): each transition is stored together with its events, atomically, fenced on the run's
owner and attempt. Wait states and actions that answer ACTIVE become timers; providers may
call ``notify`` to be polled at once.

The one window in which an action can be started twice: the process dies after a provider
accepted ``POST /run`` and before the next commit recorded the action id (one loop turn,
usually well under a millisecond). The next owner then renders the same state again and calls
the provider with the same ``request_id``; providers that honour ``request_id`` (the built-in
ones, and Globus's) return the existing action instead of starting a second one.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import math
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from gladier.exc import ConfigException, FlowRunError, GladierException
from gladier.runtime.engine_actions import ActionSteps
from gladier.runtime.failure_log import FailureLog
from gladier.runtime.language.json_values import MAX_STATE_DEPTH, nested_deeper_than
from gladier.runtime.leases import (
    Owner,
    claim,
    dead_owners,
    orphaned_runs,
    reap_dead_owners,
)
from gladier.runtime.live import LiveRun, dumps, shown
from gladier.runtime.run_log import (
    EventRow,
    PendingEvent,
    ValueWriter,
    event_rows,
    insert_event_rows,
    pending_details,
    stored_state,
)
from gladier.runtime.states import Advance, CallAction, Outcome, Raise, Sleep
from gladier.runtime.states.action import ActionState, error_object
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.clock import Clock
    from gladier.runtime.engine_actions import ProviderLookup
    from gladier.runtime.options import RuntimeOptions
    from gladier.runtime.providers.base import CommitHook
    from gladier.runtime.store import Database

#: Called with ``(run_id, log_entry)`` after each event the scheduler commits.
EventListener = Callable[[str, dict[str, Any]], None]

log = logging.getLogger("gladier.runtime")

#: Most transitions of one run per loop turn before other runs get a go.
STEP_BUDGET = 256
#: Most seconds of work on one run per loop turn before other runs get a go (checked after
#: each transition, so one transition may overshoot it by its own bounded cost).
RUN_SLICE_SECONDS = 0.02
#: Most seconds of work (of all runs) before a commit and a look at timers and commands.
TURN_SLICE_SECONDS = 0.1
#: Most runs advanced before a commit.
BATCH_RUNS = 512
#: Most runs that start an action before a commit: actions start once the commit that
#: records them is done, so their work overlaps the scheduler's instead of waiting for it.
BATCH_STARTS = 128
#: Most transitions (of all runs) before a commit.
TURN_BUDGET = 1024
#: Seconds between two scans for runs abandoned by dead processes.
ORPHAN_SCAN_INTERVAL = 1.0
#: Seconds between two looks for runs older than the retention period.
PRUNE_INTERVAL = 3600.0
#: Seconds before runs whose progress could not be stored are reloaded and retried; doubled
#: while the store keeps failing, up to RETRY_MAX_DELAY.
RETRY_DELAY = 0.5
RETRY_MAX_DELAY = 10.0
#: A run's progress as the scheduler commits it, fenced on the run's owner and attempt.
UPDATE_RUN = (
    "UPDATE runs SET status = ?, state = ?, state_id = ?, current = ?, phase = ?, wake_at = ?, "
    "action = ?, event_seq = ?, completion_time = ? WHERE run_id = ? AND owner = ? AND attempt = ?"
)
#: The same when status and completion time are as last committed (SQLite updates an index
#: whenever its column is assigned, even to the value it had).
UPDATE_PROGRESS = (
    "UPDATE runs SET state = ?, state_id = ?, current = ?, phase = ?, wake_at = ?, action = ?, "
    "event_seq = ? WHERE run_id = ? AND owner = ? AND attempt = ?"
)


class Engine(ActionSteps):
    """Advances the runs this process owns; see the module docstring.

    It knows the runtime only through what it is given: the store, the clock and options,
    ``providers`` (the action providers, by URL), ``load_run(run_id)`` (a run it now owns,
    read from the store, or None), ``listeners`` (told of each committed event),
    ``commit_hooks`` (providers writing in its transactions) and ``takeover`` (whether it
    takes over abandoned runs of the home on its own). The lists are read at each commit,
    so adding to them later counts.

    Example::

        engine = Engine(db, clock, options, providers=registry, load_run=runs.load_live_run)
        engine.start()
        engine.adopt(live_run)
        engine.wait_idle()
        engine.stop()
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        options: RuntimeOptions,
        *,
        providers: ProviderLookup,
        load_run: Callable[[str], LiveRun | None],
        listeners: list[EventListener] | None = None,
        commit_hooks: list[CommitHook] | None = None,
        takeover: bool = True,
    ) -> None:
        self.db = db
        self.clock = clock
        self.options = options
        self.providers = providers
        self.load_run = load_run
        self.listeners: list[EventListener] = [] if listeners is None else listeners
        self.commit_hooks: list[CommitHook] = [] if commit_hooks is None else commit_hooks
        #: Whether abandoned runs of the home are taken over on the scheduler's own scans.
        self.takeover = takeover
        self.owner = Owner.for_this_process()
        self.runs: dict[str, LiveRun] = {}
        self.ready: deque[LiveRun] = deque()
        self.timers: list[tuple[float, int, str, int]] = []
        self.counter = itertools.count()
        self.inbox: queue.SimpleQueue[tuple[str, Any, Future[Any] | None]] = queue.SimpleQueue()
        self.wake = threading.Event()
        self.done = threading.Condition()
        #: Futures of ``wait_idle`` callers, resolved when the scheduler runs out of work.
        self.idle_waiters: list[Future[None]] = []
        self._idle_lock = threading.Lock()
        self.actions: dict[str, str] = {}
        self.thread: threading.Thread | None = None
        self.stopping = False
        self.next_heartbeat = 0.0
        self.next_scan = 0.0
        self.next_prune = 0.0
        #: Store failures are logged once each, then summarised (a full disk fails every turn).
        self.failures = FailureLog(log)
        self.retry_delay = RETRY_DELAY

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        try:
            with self.db.write() as conn:
                self.owner.register(conn, time.time() + self.options.lease_seconds)
        except sqlite3.Error as err:
            # A full disk: reads keep working; the heartbeat registers this process later.
            self.failures.failed("registering this runtime process", err)
        self.clock.subscribe(self.wake.set)
        self.thread = threading.Thread(target=self._loop, name="gladier-runtime", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop after the current turn; unfinished runs stay in the store, resumable."""
        if self.thread is None:
            return
        self.stopping = True
        self.wake.set()
        self.thread.join()
        self.thread = None
        self._release_idle_waiters()
        try:
            with self.db.write() as conn:
                self.owner.retire(conn)
        except sqlite3.Error as err:
            self.failures.failed("releasing the runs of this process", err)
        self.runs.clear()

    # ----------------------------------------------------------------- commands
    def call(self, command: str, arg: Any) -> Any:
        """Run ``command`` on the scheduler thread and wait for its answer."""
        if self.thread is None or self.stopping:
            return None
        future: Future[Any] = Future()
        self.inbox.put((command, arg, future))
        self.wake.set()
        return future.result()

    def post(self, command: str, arg: Any) -> None:
        self.inbox.put((command, arg, None))
        self.wake.set()

    def adopt(self, run: LiveRun) -> None:
        """Take a run created by this process (already stored with this owner)."""
        self.post("adopt", run)

    def adopt_many(self, runs: list[LiveRun]) -> None:
        """Take runs created by this process in one batch (see ``Runtime.start_runs``)."""
        self.post("adopt_many", runs)

    def notify(self, action_id: str) -> None:
        """A provider says ``action_id`` changed: poll it now."""
        self.post("notify", action_id)

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until the scheduler has done everything it can do without time passing.

        The request goes through the scheduler's inbox, behind every command posted before it
        (a run just started, a notification), and is answered when a turn ends with no run
        ready, the inbox empty, no timer due and every transition committed. Raises
        ``TimeoutError`` after ``timeout`` seconds.
        """
        if self.thread is not None and threading.current_thread() is self.thread:
            raise ConfigException(
                "wait_idle() was called on the runtime's scheduler thread (from an event "
                "listener or a provider), where it would wait for itself; call it from "
                "another thread."
            )
        future: Future[None] = Future()
        with self._idle_lock:
            if self.thread is None or self.stopping:
                return
            self.post("when_idle", future)
        try:
            future.result(timeout)
        except FutureTimeout:
            raise TimeoutError(
                f"The runtime was still busy after {timeout} s: a run keeps stepping or "
                "commands keep arriving."
            ) from None

    # ----------------------------------------------------------------- main loop
    def _loop(self) -> None:
        while not self.stopping:
            try:
                self._turn()
            except Exception as err:  # pragma: no cover - last-resort guard, logged
                self.failures.failed("a scheduler turn", err)
                time.sleep(0.05)

    def _turn(self) -> None:
        self._drain_inbox()
        real_now = time.time()
        if real_now >= self.next_heartbeat:
            self._heartbeat(real_now)
        if real_now >= self.next_scan:
            self.next_scan = real_now + ORPHAN_SCAN_INTERVAL
            if self.takeover:
                self._claim_orphans()
        if self.options.run_retention_days is not None and real_now >= self.next_prune:
            self._prune(real_now)
        self._fire_timers(self.clock.time())
        batch: dict[str, LiveRun] = {}
        steps = 0
        starts = 0
        turn_ends = time.monotonic() + TURN_SLICE_SECONDS
        while (
            self.ready
            and len(batch) < BATCH_RUNS
            and steps < TURN_BUDGET
            and starts < BATCH_STARTS
            and time.monotonic() < turn_ends
        ):
            run = self.ready.popleft()
            if run.run_id not in self.runs:
                continue
            steps += self._advance(run)
            if run.dirty:
                batch[run.run_id] = run
            if run.phase == "action":
                starts += 1
            if not self.inbox.empty():
                self._drain_inbox()
        if batch:
            self._commit(list(batch.values()))
        if not self.ready and self.inbox.empty():
            if self.idle_waiters and not self._timer_due():
                self._release_idle_waiters()
            self.wake.wait(self._idle_timeout())
            self.wake.clear()

    def _timer_due(self) -> bool:
        return bool(self.timers) and self.timers[0][0] <= self.clock.time()

    def _release_idle_waiters(self) -> None:
        """Answer every ``wait_idle`` caller (also the ones still in the inbox, at stop)."""
        with self._idle_lock:
            waiters, self.idle_waiters = self.idle_waiters, []
            if self.thread is None:  # stopped: nothing will drain the inbox again
                kept = []
                while True:
                    try:
                        item = self.inbox.get_nowait()
                    except queue.Empty:
                        break
                    if item[0] == "when_idle":
                        waiters.append(item[1])
                    else:
                        kept.append(item)
                for item in kept:
                    self.inbox.put(item)
        for future in waiters:
            if not future.done():
                future.set_result(None)

    def _idle_timeout(self) -> float:
        real = min(self.next_heartbeat, self.next_scan) - time.time()
        timeout = max(0.0, real)
        if self.timers:
            timeout = min(timeout, max(0.0, self.timers[0][0] - self.clock.time()))
        return timeout

    def _drain_inbox(self) -> None:
        while True:
            try:
                command, arg, future = self.inbox.get_nowait()
            except queue.Empty:
                return
            try:
                result = getattr(self, f"_cmd_{command}")(arg)
            except Exception as err:  # answer the caller with the error
                if future is not None:
                    future.set_exception(err)
                else:
                    self.failures.failed(f"the runtime command {command!r}", err)
                continue
            if future is not None:
                future.set_result(result)

    def _cmd_adopt(self, run: LiveRun) -> None:
        self.runs[run.run_id] = run
        self.ready.append(run)

    def _cmd_adopt_many(self, runs: list[LiveRun]) -> None:
        for run in runs:
            self.runs[run.run_id] = run
        self.ready.extend(runs)

    def _cmd_when_idle(self, future: Future[None]) -> None:
        self.idle_waiters.append(future)

    def _cmd_notify(self, action_id: str) -> None:
        run_id = self.actions.get(action_id)
        run = self.runs.get(run_id) if run_id else None
        if run is not None and run.phase == "action":
            self._schedule(run, self.clock.time())

    def _cmd_cancel(self, run_id: str) -> bool:
        run = self.runs.get(run_id)
        if run is None:
            return False
        self._cancel_action(run)
        self._finish_canceled(run)
        self._commit([run])
        return True

    def _cmd_resume(self, run_id: str) -> bool:
        run = self.runs.get(run_id)
        if run is None:
            return False
        if run.phase == "action":
            self._schedule(run, self.clock.time())
        return True

    def _cmd_claim(self, _: Any) -> int:
        return self._claim_orphans()

    # ----------------------------------------------------------------- timers
    def _schedule(self, run: LiveRun, due: float) -> None:
        run.timer_gen += 1
        heapq.heappush(self.timers, (due, next(self.counter), run.run_id, run.timer_gen))

    def _fire_timers(self, now: float) -> None:
        while self.timers and self.timers[0][0] <= now:
            _, _, run_id, gen = heapq.heappop(self.timers)
            run = self.runs.get(run_id)
            if run is None or run.timer_gen != gen:
                continue
            if run.phase == "waiting":
                self._end_wait(run)
                self.ready.append(run)
            elif run.phase == "action":
                self._poll(run)

    # ----------------------------------------------------------------- leases
    def _heartbeat(self, real_now: float) -> None:
        self.next_heartbeat = real_now + self.options.lease_seconds / 3
        try:
            with self.db.write() as conn:
                self.owner.renew(conn, real_now + self.options.lease_seconds)
        except sqlite3.Error as err:
            self.failures.failed("renewing the run leases of this process", err)
        else:
            self.failures.succeeded("renewing the run leases of this process")

    def _claim_orphans(self) -> int:
        try:
            # Look first without the write lock: while every owner is alive this is a few
            # index lookups, and no write transaction is opened at all.
            reader = self.db.read()
            if not dead_owners(reader, self.owner) and not any(
                run_id not in self.runs and self._can_run(reader, run_id)
                for run_id, _, _ in orphaned_runs(reader, time.time())
            ):
                self.failures.succeeded("scanning for abandoned runs")
                return 0
            with self.db.write() as conn:
                reap_dead_owners(conn, self.owner)
                candidates = orphaned_runs(conn, time.time())
                claimed = []
                for run_id, owner, attempt in candidates:
                    if run_id in self.runs:
                        continue
                    if not self._can_run(conn, run_id):
                        continue
                    if claim(conn, run_id, owner, attempt, self.owner):
                        claimed.append(run_id)
        except sqlite3.Error as err:
            self.failures.failed("scanning for abandoned runs", err)
            return 0
        self.failures.succeeded("scanning for abandoned runs")
        for run_id in claimed:
            run = self.load_run(run_id)
            if run is None:  # finished or taken again meanwhile: nothing to continue
                continue
            log.info("took over run %s (attempt %s)", run_id, run.attempt)
            run.emit(
                "RunTakenOver",
                f"Run continued by {self.owner.id} after its previous owner stopped",
                dumps({"owner": self.owner.id, "attempt": run.attempt, "state_name": run.current}),
            )
            self._resume_loaded(run)
            if run.phase != "ready":
                self.ready.append(run)  # commit the takeover event now
        return len(claimed)

    def _prune(self, real_now: float) -> None:
        """Remove one batch of runs older than the retention period (``run_retention_days``);
        the next batch follows next turn, so runs keep advancing meanwhile."""
        from gladier.runtime.prune import PRUNE_BATCH, prunable_statuses, prune_batch, reclaim_space

        days = float(self.options.run_retention_days or 0)
        before = iso(self.clock.time() - days * 86400)
        try:
            with self.db.write() as conn:
                removed = prune_batch(conn, before, prunable_statuses(None), PRUNE_BATCH)
            if removed < PRUNE_BATCH:
                self.next_prune = real_now + PRUNE_INTERVAL
                if removed:
                    reclaim_space(self.db, convert=False)
        except sqlite3.Error as err:
            self.next_prune = real_now + PRUNE_INTERVAL
            self.failures.failed("removing runs older than the retention period", err)

    def _can_run(self, conn: sqlite3.Connection, run_id: str) -> bool:
        """A run waiting on an action whose provider this process lacks is left alone."""
        row = conn.execute("SELECT phase, action FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None or row[0] != "action" or not row[1]:
            return True
        url = json.loads(row[1]).get("url", "")
        return self.providers.get(url) is not None

    def _resume_loaded(self, run: LiveRun) -> None:
        self.runs[run.run_id] = run
        if run.phase == "waiting":
            self._schedule(run, run.wake_at or self.clock.time())
        elif run.phase == "action" and run.action:
            self.actions[run.action["action_id"]] = run.run_id
            self._schedule(run, self.clock.time())
        else:
            self.ready.append(run)

    # ----------------------------------------------------------------- stepping
    def _advance(self, run: LiveRun) -> int:
        """Advance ``run`` by up to STEP_BUDGET transitions; return how many were made.

        The run also yields after RUN_SLICE_SECONDS of work, so a run whose states are slow
        (expressions near their time limit, large states) cannot hold up the others.
        """
        slice_ends = time.monotonic() + RUN_SLICE_SECONDS
        for step in range(STEP_BUDGET):
            if step and time.monotonic() > slice_ends:
                if run.phase == "ready" and not run.finished:
                    self.ready.append(run)
                return step
            if run.cancel:
                self._finish_canceled(run)
                return step + 1
            if run.phase != "ready" or run.finished:
                return step
            assert run.current is not None
            state = run.flow.states[run.current]
            if state.type != "Action":
                run.state_event(f"{state.type}Started", state.type, "input", run.shown_value())
            try:
                outcome: Outcome = state.enter(run)
            except FlowRunError as err:
                err.state_name = err.state_name or state.name
                outcome = self._raised(run, state, err)
            except GladierException as err:
                error = FlowRunError("States.Runtime", str(err), state_name=state.name)
                outcome = self._raised(run, state, error)
            except RecursionError:
                error = FlowRunError(
                    "States.Runtime",
                    f"State {state.name!r} could not work on the run state: it nests too deeply.",
                    state_name=state.name,
                )
                outcome = Raise(error)
            except Exception as err:  # a bug must fail this run, not stall the scheduler
                log.exception("state %s of run %s failed unexpectedly", state.name, run.run_id)
                error = FlowRunError(
                    "States.Runtime",
                    f"State {state.name!r} failed unexpectedly ({type(err).__name__}: {err}); "
                    "this is a bug in the runtime, please report it.",
                    state_name=state.name,
                )
                outcome = Raise(error)
            if state.type == "Action" and not isinstance(outcome, CallAction):
                # Parameters could not be rendered: the state was entered, nothing was called.
                run.state_event("ActionStarted", "Action", "input", "null")
            self._apply(run, outcome)
        if run.phase == "ready" and not run.finished:
            self.ready.append(run)
        return STEP_BUDGET

    def _apply(self, run: LiveRun, outcome: Outcome) -> None:
        state = run.flow.states[run.current or ""]
        if isinstance(outcome, Advance):
            if outcome.caught is not None:
                err = outcome.caught
                run.emit(
                    "ActionFailed" if state.type == "Action" else "StateFailed",
                    f"State {state.name} raised {err.error}, caught; going to {outcome.next}",
                    shown(
                        {
                            "state_name": state.name,
                            "state_type": state.type,
                            "error": err.error,
                            "cause": err.cause,
                            "next": outcome.next,
                        }
                    ),
                )
            new_state_json: str | None = None
            too_deep = False
            size = 0
            try:
                known = self._size_in_place(run, state, outcome)
                if known is None:
                    new_state_json = dumps(outcome.state)
                    size = len(new_state_json)
                else:
                    size = known
            except RecursionError:
                too_deep = True  # deeper than json handles: over the depth limit below
            except (ValueError, TypeError) as err:
                self._fail(
                    run,
                    FlowRunError(
                        "States.Runtime",
                        f"The run state after state {state.name!r} is not storable as JSON "
                        f"({type(err).__name__}: {err}).",
                        state_name=state.name,
                    ),
                )
                return
            if too_deep or (
                new_state_json is not None and nested_deeper_than(new_state_json, MAX_STATE_DEPTH)
            ):
                self._fail(
                    run,
                    FlowRunError(
                        "States.Runtime",
                        f"The run state after state {state.name!r} nests lists and objects "
                        f"more than {MAX_STATE_DEPTH} levels deep; flatten the data or use a "
                        "shorter ResultPath.",
                        state_name=state.name,
                    ),
                )
                return
            limit = run.options.max_run_state_bytes
            if size > limit:
                self._fail(
                    run,
                    FlowRunError(
                        "States.Runtime",
                        f"The run state after state {state.name!r} is {size} "
                        f"bytes, over the limit of {limit} bytes; keep large data in files "
                        "and pass paths, or raise the max_run_state_bytes option.",
                        state_name=state.name,
                    ),
                )
                return
            if new_state_json is not None:
                run.replace_state(outcome.state, new_state_json)
            output = run.shown_value() if outcome.output is None else shown(outcome.output)
            run.state_event(f"{state.type}Completed", state.type, "output", output)
            self._goto(run, outcome.next)
        elif isinstance(outcome, Sleep):
            if not math.isfinite(outcome.until):  # a timer that can never fire stalls the heap
                self._fail(
                    run,
                    FlowRunError(
                        "States.Runtime",
                        f"State {state.name!r} asked to wait until {outcome.until!r}, which is "
                        "not a time; give a finite number of seconds.",
                        state_name=state.name,
                    ),
                )
            elif outcome.until <= run.now():
                run.state_event("WaitCompleted", "Wait", "output", run.shown_value())
                self._goto(run, outcome.next)
            else:
                run.phase = "waiting"
                run.wake_at = outcome.until
                run.action = {"next": outcome.next}
                run.dirty = True
                self._schedule(run, outcome.until)
        elif isinstance(outcome, CallAction):
            self._start_action(run, state, outcome)
        else:
            self._fail(run, outcome.error)

    @staticmethod
    def _size_in_place(run: LiveRun, state: Any, outcome: Advance) -> int | None:
        """The state's JSON length after ``outcome`` when it is known without encoding the
        whole state: a Choice leaves the state as it was; a Pass, ExpressionEval or Action
        whose ResultPath names a top-level key (or below one) changed only that key, in
        place. None in every other case."""
        if outcome.caught is not None or outcome.state is not run.state:
            return None
        if state.type == "Choice":
            return run.known_size()
        if state.type not in ("Pass", "ExpressionEval", "Action"):
            return None
        if (
            state.type == "Pass"
            and run.options.pass_inputpath_moves
            and not state.has_result
            and state.parameters is None
        ):
            return None  # the Pass may also have removed its input key
        path = getattr(state, "result_path", None)
        if path is None or path.is_root or not path.definite or not path.segments:
            return None
        first = path.segments[0]
        return run.touched(first) if type(first) is str else None

    @staticmethod
    def _raised(run: LiveRun, state: Any, error: FlowRunError) -> Outcome:
        """An error escaped ``enter``: only an Action state's Catch may route it."""
        if isinstance(state, ActionState):
            return state.catch(run, error)
        return Raise(error)

    def _goto(self, run: LiveRun, target: str | None) -> None:
        run.dirty = True
        if target is None:
            self._succeed(run)
        else:
            run.current = target
            run.phase = "ready"

    def _end_wait(self, run: LiveRun) -> None:
        target = (run.action or {}).get("next")
        run.wake_at = None
        run.action = None
        run.phase = "ready"
        run.state_event("WaitCompleted", "Wait", "output", run.shown_value())
        self._goto(run, target)

    # ----------------------------------------------------------------- endings
    def _succeed(self, run: LiveRun) -> None:
        run.status = "SUCCEEDED"
        run.phase = "done"
        run.completion_time = iso(run.now())
        run.emit_parts(
            "FlowSucceeded",
            "The Flow Instance completed successfully",
            '{"output":',
            run.shown_value(),
            "}",
        )

    def _fail(self, run: LiveRun, error: FlowRunError) -> None:
        run.forget_text()  # a failing state may have changed the state in place
        try:
            if nested_deeper_than(run.state_text(), MAX_STATE_DEPTH):
                raise ValueError("nested too deeply to be read back")
        except (RecursionError, ValueError, TypeError):
            # Changed in place into something JSON cannot hold (nested too deeply, say): it
            # cannot be stored or shown, so the failed run keeps no output rather than stalling.
            run.state = None
            run.forget_text()
        self._leave_action(run)
        run.status = "FAILED"
        run.phase = "done"
        run.completion_time = iso(run.now())
        obj = error_object(error, error.state_name or run.current or "")
        failure = {
            "state_name": obj["state_name"],
            "exception": obj["exception"],
            "error": obj["Error"],
            "cause": obj["cause"],
        }
        run.emit_parts(
            "FlowFailed",
            "The Flow Instance failed",
            '{"output":',
            run.shown_state(),
            f',"details":{shown(failure)}}}',
        )

    def _finish_canceled(self, run: LiveRun) -> None:
        self._leave_action(run)
        run.status = self.options.cancel_status
        run.phase = "done"
        run.cancel = False
        run.completion_time = iso(run.now())
        run.emit("FlowCanceled", "The Flow Instance was canceled by the user", "{}")

    # ----------------------------------------------------------------- durability
    def _commit(self, batch: list[LiveRun]) -> None:
        hooks = self.commit_hooks  # providers store the actions this turn started
        lost: list[LiveRun] = []
        stored: dict[str, tuple[str, int] | None] = {}
        try:
            with self.db.write() as conn:
                values = ValueWriter(conn)
                events: list[EventRow] = []
                for hook in hooks:
                    hook.write_accepted(conn)
                for run in batch:
                    text = run.state_text()
                    state_col, state_id = stored_state(values, run.run_id, text, run.stored_value)
                    progress = (
                        state_col,
                        state_id,
                        run.current,
                        run.phase,
                        run.wake_at,
                        None if run.action is None else dumps(run.action),
                        run.event_seq,
                    )
                    fence = (run.run_id, self.owner.id, run.attempt)
                    if run.stored_status == (run.status, run.completion_time):
                        # Status and completion unchanged: their five indexes stay untouched.
                        cur = conn.execute(UPDATE_PROGRESS, progress + fence)
                    else:
                        cur = conn.execute(
                            UPDATE_RUN, (run.status, *progress, run.completion_time, *fence)
                        )
                    if cur.rowcount != 1:
                        values.discard(run.run_id)
                        lost.append(run)
                        continue
                    stored[run.run_id] = None if state_id is None else (text, state_id)
                    events += event_rows(values, run.pending, run.stored_value)
                insert_event_rows(conn, events)  # the events of every run, in one statement
        except sqlite3.Error as err:
            self._committed(hooks, False)
            self.failures.failed("storing run progress", err)
            for run in batch:
                self._forget(run)
                self._reload_later(run.run_id, self.retry_delay)
            self.retry_delay = min(self.retry_delay * 2, RETRY_MAX_DELAY)
            return
        self._committed(hooks, True)
        self.failures.succeeded("storing run progress")
        self.retry_delay = RETRY_DELAY
        listeners = self.listeners
        if listeners:
            self._tell(listeners, [(run, list(run.pending)) for run in batch if run not in lost])
        finished = False
        for run in batch:
            if run.run_id in stored:
                run.stored_value = stored[run.run_id]
                run.stored_status = (run.status, run.completion_time)
            run.pending.clear()
            run.dirty = False
            if run in lost:
                log.warning("run %s was taken over by another process; dropping it", run.run_id)
                self._forget(run)
            elif run.finished:
                finished = True
                self._forget(run)
        if finished:
            with self.done:
                self.done.notify_all()

    @staticmethod
    def _committed(hooks: list[CommitHook], ok: bool) -> None:
        for hook in hooks:
            try:
                hook.committed(ok)
            except Exception:
                log.exception("a provider failed after the scheduler's commit")

    @staticmethod
    def _tell(
        listeners: list[EventListener],
        committed: list[tuple[LiveRun, list[PendingEvent]]],
    ) -> None:
        for run, events in committed:
            for event in events:
                entry = {
                    "time": event[2],
                    "code": event[3],
                    "description": event[4],
                    "details": json.loads(pending_details(event)),
                }
                for listener in list(listeners):
                    try:
                        listener(run.run_id, entry)
                    except Exception:
                        log.exception("a run event listener failed")

    def _forget(self, run: LiveRun) -> None:
        self.runs.pop(run.run_id, None)
        if run.action:
            self.actions.pop(run.action.get("action_id", ""), None)
        run.timer_gen += 1

    def _reload_later(self, run_id: str, delay: float) -> None:
        def reload() -> None:
            run = self.load_run(run_id)
            if run is not None and run.attempt >= 0:
                self._resume_loaded(run)

        timer = threading.Timer(delay, lambda: self.post("call", reload))
        timer.daemon = True
        timer.start()

    def _cmd_call(self, fn: Callable[[], None]) -> None:
        fn()
