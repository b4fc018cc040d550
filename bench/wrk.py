"""Throughput of the events list under concurrency, measured by `wrk` (apt-get install wrk)."""

import re
import shutil
import subprocess
import time
from dataclasses import dataclass

import httpx
import psutil

CONNECTIONS = 16
DURATION_SECONDS = 10
THREADS = 2
# wrk's default 2 s timeout would drop the slowest answers from the latency figures.
REQUEST_TIMEOUT = "60s"
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
# A server is idle when it uses less CPU than this (percent of one core) over a sample.
IDLE_CPU_PERCENT = 5.0
IDLE_SAMPLE_SECONDS = 0.5
IDLE_TIMEOUT_SECONDS = 300.0


@dataclass
class WrkResult:
    arm: str
    status: str = "ok"
    requests_per_second: float | None = None
    requests: int | None = None
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None
    errors: int = 0


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(arm: str, output: str) -> WrkResult:
    result = WrkResult(arm=arm)
    for pct in (50, 90, 99):
        match = re.search(rf"^\s+{pct}%\s+(\S+)\s*$", output, re.MULTILINE)
        if match:
            setattr(result, f"p{pct}", _seconds(match.group(1)))
    if match := re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE):
        result.requests_per_second = float(match.group(1))
    if match := re.search(r"^\s+(\d+) requests in", output, re.MULTILINE):
        result.requests = int(match.group(1))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.errors += int(match.group(1))
    if match := re.search(r"Socket errors: (.*)$", output, re.MULTILINE):
        result.errors += sum(int(n) for n in re.findall(r"\d+", match.group(1)))
    if not result.requests:
        result.p50 = result.p90 = result.p99 = None
        result.status = f"no request finished within {DURATION_SECONDS} s"
    return result


def wait_until_idle(pids: list[int]) -> None:
    """Wait for servers to finish requests wrk abandoned when it stopped (they keep running and
    would steal the CPU from the next arm's run)."""
    deadline = time.monotonic() + IDLE_TIMEOUT_SECONDS
    processes = [psutil.Process(pid) for pid in pids]
    while time.monotonic() < deadline:
        for process in processes:
            process.cpu_percent(None)
        time.sleep(IDLE_SAMPLE_SECONDS)
        if all(process.cpu_percent(None) < IDLE_CPU_PERCENT for process in processes):
            return


def run_wrk(arm: str, url: str, cookie: str, *, connections: int = CONNECTIONS) -> WrkResult:
    if shutil.which("wrk") is None:
        return WrkResult(arm=arm, status="wrk not installed")
    headers = {"Cookie": cookie} if cookie else {}
    # wrk counts a redirect to the login page as a success: check the cookie works first.
    check = httpx.get(url, headers=headers, timeout=120.0)
    if check.status_code != 200:
        return WrkResult(arm=arm, status=f"HTTP {check.status_code} before wrk")
    threads = min(THREADS, connections)  # wrk wants at least one connection per thread
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{DURATION_SECONDS}s", "--latency"]
    command += ["--timeout", REQUEST_TIMEOUT]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    completed = subprocess.run(
        [*command, url], capture_output=True, text=True, check=False, timeout=600
    )
    if completed.returncode != 0:
        return WrkResult(arm=arm, status=f"wrk failed: {completed.stderr.strip()[:100]}")
    return parse_wrk(arm, completed.stdout)
