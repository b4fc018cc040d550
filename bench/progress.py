"""A one-line progress bar on stderr (no dependency)."""

import sys
import time

BAR_WIDTH = 30
# Seconds between redraws, so a million updates cost nothing.
REDRAW_EVERY = 0.2


class ProgressBar:
    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = max(total, 1)
        self.started = time.perf_counter()
        self._drawn_at = 0.0

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if done < self.total and now - self._drawn_at < REDRAW_EVERY:
            return
        self._drawn_at = now
        share = min(done / self.total, 1.0)
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        elapsed = now - self.started
        sys.stderr.write(
            f"\r  {self.label:<8} [{bar}] {share:6.1%} {done:>12,}/{self.total:,} {elapsed:6.1f} s"
        )
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
