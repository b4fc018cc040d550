"""The server's memory over a long run: the resident set of every process in its process group
(uvicorn's supervisor and workers), read from /proc every few seconds (no psutil needed)."""

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
PAGE_FIELD = "VmRSS:"


def group_rss_bytes(pgid: int) -> int:
    """The summed resident set of the processes in process group `pgid` (0 if none is left)."""
    total = 0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # /proc/PID/stat: "pid (comm) state ppid pgrp ...": comm may hold spaces.
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith(PAGE_FIELD):
                    total += int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue  # the process ended while it was read
    return total


@dataclass
class MemoryTrace:
    """(seconds since the start, bytes) samples of one process group's resident set."""

    pgid: int
    every_seconds: float = 10.0
    started: float = field(default_factory=time.monotonic)
    samples: list[tuple[float, int]] = field(default_factory=list)

    def sample(self) -> None:
        self.samples.append((time.monotonic() - self.started, group_rss_bytes(self.pgid)))

    async def follow(self, seconds: float) -> None:
        """Sample until `seconds` have passed (run beside the clients)."""
        deadline = self.started + seconds
        while time.monotonic() < deadline:
            self.sample()
            await asyncio.sleep(min(self.every_seconds, max(0.0, deadline - time.monotonic())))
        self.sample()

    def at(self, seconds: float) -> int:
        """The first sample taken at or after `seconds` (the last one if none is)."""
        later = [value for at, value in self.samples if at >= seconds]
        return later[0] if later else self.samples[-1][1]
