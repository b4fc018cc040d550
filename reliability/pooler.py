"""PgBouncer in transaction pooling mode in front of the local PostgreSQL, for the checks that
run the panel through a pooler (tests/test_pooler.py, `reliability.load --pooler`).

Debian's `pgbouncer` package (1.18) provides the binary; it refuses to run as root, so it is
started as the `postgres` user, with its configuration in a temporary folder. Clients connect
with the same user and database names as to the server; `connect_query` sets on every server
connection the lock wait the app would otherwise send as a startup option (PgBouncer refuses
startup options).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
RUN_AS = "postgres"
READY_TIMEOUT_SECONDS = 15.0
# As the app's DATABASE_LOCK_WAIT_SECONDS default: a locked row answers 503 after 5 s.
LOCK_TIMEOUT_MS = 5_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgBouncer:
    """`with PgBouncer() as pooler: pooler.url_for(database_url)`."""

    def __init__(self, *, upstream_port: int = 5432, pool_size: int = 10) -> None:
        self.upstream_port = upstream_port
        self.pool_size = pool_size
        self.port = 0
        self.folder = Path(tempfile.mkdtemp(prefix="events_pgbouncer_"))

    def url_for(self, database_url: str) -> str:
        """The same database, reached through the pooler."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    @property
    def log(self) -> Path:
        return self.folder / "pgbouncer.log"

    def __enter__(self) -> "PgBouncer":
        self.port = _free_port()
        (self.folder / "users.txt").write_text(f'"{RUN_AS}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.upstream_port} "
            f"connect_query='SET lock_timeout = {LOCK_TIMEOUT_MS}'\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"auth_type = trust\nauth_file = {self.folder / 'users.txt'}\n"
            f"pool_mode = transaction\ndefault_pool_size = {self.pool_size}\n"
            "max_client_conn = 500\nunix_socket_dir =\n"
            f"logfile = {self.log}\npidfile = {self.folder / 'pgbouncer.pid'}\n"
        )
        os.chmod(self.folder, 0o755)
        shutil.chown(self.folder, RUN_AS)
        for path in self.folder.iterdir():
            shutil.chown(path, RUN_AS)
        command = [PGBOUNCER, "-d", str(self.folder / "pgbouncer.ini")]
        if os.geteuid() == 0:
            command[1:1] = ["-u", RUN_AS]
        subprocess.run(command, check=True, capture_output=True, timeout=READY_TIMEOUT_SECONDS)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"PgBouncer did not listen on {self.port}; see {self.log}")

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        pid_file = self.folder / "pgbouncer.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                time.sleep(0.05)
        shutil.rmtree(self.folder, ignore_errors=True)
