"""Run one scenario against one arm: warm up, repeat, and summarise what was seen."""

import statistics
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import psutil

from bench.client import ArmClient, Timed
from bench.restore import EventRestorer
from bench.scenarios import Scenario
from bench.servers import ArmServer

# A warm-up faster than this gets a second warm-up and the full number of repetitions.
FAST_SECONDS = 1.0
# A first request slower than this counts as a sample (warm-up effects are noise at that scale).
VERY_SLOW_SECONDS = 10.0
MIN_REPS = 3
MIN_REPS_VERY_SLOW = 2
RSS_POLL_SECONDS = 0.005


@dataclass
class Measurement:
    scenario: str
    title: str
    arm: str
    status: str = "ok"
    reps: int = 0
    latencies: list[float] = field(default_factory=list)
    # The first (warm-up) request: what a cache-cold page costs.
    first: float | None = None
    size: int | None = None
    statements: int | None = None
    # Export: the server's peak resident memory, and its growth over the RSS before the scenario.
    rss_peak: int | None = None
    rss_growth: int | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies, 50) if self.latencies else None

    @property
    def p95(self) -> float | None:
        return percentile(self.latencies, 95) if self.latencies else None


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class ArmSession:
    """A running arm and the logged-in client that talks to it."""

    server: ArmServer
    client: ArmClient
    login: Callable[[ArmClient], None]

    def recover(self) -> None:
        """Restart the server (it may still be busy with a timed-out request) and log in again."""
        self.client.close()
        self.server.restart()
        self.client = ArmClient(self.server.base_url, needs_login=self.client.needs_login)
        self.login(self.client)


class RssSampler:
    """Peak resident memory of a process while it is being sampled, from a background thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.baseline = self.process.memory_info().rss
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            self._stop.wait(RSS_POLL_SECONDS)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak - self.baseline


class ScenarioRunner:
    def __init__(self, restorer: EventRestorer, *, budget: float, max_reps: int) -> None:
        self.restorer = restorer
        self.budget = budget
        self.max_reps = max_reps

    def run(self, session: ArmSession, scenario: Scenario) -> Measurement:
        result = Measurement(scenario=scenario.key, title=scenario.title, arm=session.server.arm)
        sampler = RssSampler(session.server.pid) if scenario.kind == "export" else None
        sizes: list[int] = []
        statements: list[int] = []
        try:
            first = self._once(session, scenario, result)
            if first is None:
                return result
            result.first = first.seconds
            if first.seconds < FAST_SECONDS and self._once(session, scenario, result) is None:
                return result
            reps = self._reps(scenario, first.seconds)
            if first.seconds >= VERY_SLOW_SECONDS:
                result.latencies.append(first.seconds)
                sizes.append(first.size)
                if (count := session.client.last_statements()) is not None:
                    statements.append(count)
                reps -= 1
            for _ in range(reps):
                timed = self._once(session, scenario, result)
                if timed is None:
                    return result
                result.latencies.append(timed.seconds)
                sizes.append(timed.size)
                if (count := session.client.last_statements()) is not None:
                    statements.append(count)
        except httpx.TimeoutException:
            result.status = f"timeout (>{scenario.timeout:.0f} s)"
            result.latencies.clear()
            session.recover()
        finally:
            if sampler is not None:
                result.rss_growth = sampler.stop()
                result.rss_peak = sampler.peak
        result.reps = len(result.latencies)
        result.size = int(statistics.median(sizes)) if sizes else None
        result.statements = int(statistics.median(statements)) if statements else None
        return result

    def _reps(self, scenario: Scenario, first_seconds: float) -> int:
        """Timed requests to make: all of them if they fit the budget, else fewer (2-3 at least)."""
        reps = min(scenario.max_reps, self.max_reps)
        if first_seconds * reps <= self.budget:
            return reps
        floor = MIN_REPS_VERY_SLOW if first_seconds >= VERY_SLOW_SECONDS else MIN_REPS
        return max(floor, min(reps, int(self.budget / first_seconds)))

    def _once(self, session: ArmSession, scenario: Scenario, result: Measurement) -> Timed | None:
        """One request; None (with the reason in `result`) when the arm cannot serve it."""
        if scenario.kind == "delete":
            timed = self._delete_once(session, scenario, result)
        else:
            timed = session.client.request(scenario.method, scenario.path, timeout=scenario.timeout)
        if timed.status != 200:
            result.status = f"HTTP {timed.status}"
            result.note = _describe_refusal(session.server.arm, scenario, timed)
            return None
        if scenario.kind == "export":
            rows = max(timed.body.count(b"\n") - 1, 0)
            result.note = f"{rows:,} rows"
        return None if result.status != "ok" else timed

    def _delete_once(self, session: ArmSession, scenario: Scenario, result: Measurement) -> Timed:
        ids = self.restorer.pick(scenario.delete_rows)
        rows = self.restorer.snapshot(ids)
        try:
            timed = session.client.request(
                scenario.method, scenario.delete_path(ids), timeout=scenario.timeout
            )
            if timed.status == 200 and (left := self.restorer.remaining(ids)):
                result.status = "error"
                result.note = f"{left:,} of {len(ids):,} rows not deleted"
        except httpx.TimeoutException:
            # Stop it first: it would go on deleting rows after they are restored.
            session.server.stop()
            raise
        finally:
            self.restorer.restore(rows)
        return timed


def _describe_refusal(arm: str, scenario: Scenario, timed: Timed) -> str:
    if arm == "stock" and scenario.key == "lookup" and timed.status == 400:
        return "no lookup endpoint without form_ajax_refs (the form embeds every user)"
    return timed.body[:120].decode("utf-8", "replace").replace("\n", " ")
