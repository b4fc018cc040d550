"""Start, stop and restart one arm's uvicorn server in a subprocess on a free port."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from bench.stats import STATS_PATH
from bench.targets import BENCH_DIR

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ArmServer:
    def __init__(
        self, arm: str, database_url: str, log_dir: Path, *, checkout: Path | None = None
    ) -> None:
        self.arm = arm
        # Another checkout of the project (bench/throughput.py): its code serves the arm.
        self.checkout = checkout or BENCH_DIR.parent
        self.database_url = database_url
        self.log_path = log_dir / f"{arm}{'' if checkout is None else '_' + checkout.name}.log"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> None:
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "bench.serve", "--arm", self.arm]
        command += ["--url", self.database_url, "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            # PORT: the project arm answers Host headers on the port it is served at only.
            self._process = subprocess.Popen(
                command,
                cwd=self.checkout,
                # PYTHONPATH: the checkout's own package, before the one installed in the venv.
                env={**os.environ, "PORT": str(self.port), "PYTHONPATH": str(self.checkout)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"{self.arm} server exited; see {self.log_path}")
            try:
                httpx.get(self.base_url + STATS_PATH, timeout=1.0).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.arm} server did not start in {READY_TIMEOUT:.0f} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """A fresh process, e.g. after a timed-out request it is still working on."""
        self.stop()
        self.start()

    def __enter__(self) -> "ArmServer":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
