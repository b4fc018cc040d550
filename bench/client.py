"""The harness's HTTP side: log in like a browser, time one request, read the server's stats."""

import http.client
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.stats import STATS_PATH

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
STATS_WAIT = 2.0


class LoginFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Timed:
    status: int
    seconds: float
    size: int
    body: bytes


def _csrf_from(html: str) -> str:
    match = CSRF_META.search(html)
    return match.group(1) if match else ""


class ArmClient:
    """One logged-in session against one server; sequential requests on a kept-alive connection."""

    def __init__(self, base_url: str, *, needs_login: bool) -> None:
        self.base_url = base_url
        self.needs_login = needs_login
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=60.0)
        self._stats = httpx.Client(base_url=base_url, timeout=10.0)
        self.csrf = ""
        self._seen_requests = 0

    def close(self) -> None:
        self.http.close()
        self._stats.close()

    def login(self, email: str, password: str) -> None:
        if not self.needs_login:
            return
        self.http.cookies.clear()
        page = self.http.get("/admin/login")
        form = {"username": email, "password": password, "csrf_token": _csrf_from(page.text)}
        response = self.http.post("/admin/login", data=form)
        if response.status_code != 302:
            raise LoginFailed(f"login answered {response.status_code} at {self.base_url}")
        # The login rotates the session, so the CSRF token comes from the next page.
        self.csrf = _csrf_from(self.http.get("/admin/").text)

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.http.cookies.jar)

    def request(self, method: str, path: str, *, timeout: float) -> Timed:
        self.sync_stats()
        if method != "GET":
            return self._plain_request(method, path, timeout=timeout)
        started = time.perf_counter()
        response = self.http.request(method, path, timeout=timeout)
        body = response.content
        seconds = time.perf_counter() - started
        return Timed(status=response.status_code, seconds=seconds, size=len(body), body=body)

    def _plain_request(self, method: str, path: str, *, timeout: float) -> Timed:
        """Through http.client: httpx refuses URLs over 64 KiB, like a 10,000-id delete."""
        url = httpx.URL(self.base_url)
        headers = {"X-CSRF-Token": self.csrf, "Cookie": self.cookie_header()}
        connection = http.client.HTTPConnection(url.host, url.port, timeout=timeout)
        try:
            started = time.perf_counter()
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            seconds = time.perf_counter() - started
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"{method} timed out after {timeout:.0f} s") from exc
        finally:
            connection.close()
        return Timed(status=response.status, seconds=seconds, size=len(body), body=body)

    def last_statements(self) -> int | None:
        """Statements the server ran for the request just answered (None if it did not say)."""
        deadline = time.monotonic() + STATS_WAIT
        while True:
            stats: dict[str, Any] = self._stats.get(STATS_PATH).json()
            if stats["requests"] > self._seen_requests or time.monotonic() > deadline:
                fresh = stats["requests"] > self._seen_requests
                self._seen_requests = int(stats["requests"])
                return int(stats["last_statements"]) if fresh else None
            time.sleep(0.005)

    def sync_stats(self) -> None:
        """Forget requests made outside the timed ones (login, restores)."""
        self._seen_requests = int(self._stats.get(STATS_PATH).json()["requests"])
