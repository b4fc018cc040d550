"""Work handed to a thread of its own, a few items behind the caller: a job reads its rows while
this thread writes what it read (each on its own connection), so the two waits overlap instead
of adding up. At most `depth` items wait in between (flat memory); the first failure is raised
in the caller, at its next `put` or when it leaves."""

import queue
import threading
from collections.abc import Callable
from typing import Any

_DONE = object()


class Beside:
    """`with Beside(work) as beside: beside.put(item)`: `work(item)` runs in order, in another
    thread, or in the caller's with `threaded=False` (where a second thread would only wait for
    the interpreter: a driver that binds each value in Python)."""

    def __init__(
        self, work: Callable[[Any], None], *, depth: int = 1, threaded: bool = True
    ) -> None:
        self._work = work
        self._items: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True) if threaded else None

    def __enter__(self) -> "Beside":
        if self._thread is not None:
            self._thread.start()
        return self

    def put(self, item: Any) -> None:
        self._raise()
        if self._thread is None:
            self._work(item)
        else:
            self._items.put(item)

    def __exit__(self, *exc: object) -> None:
        """Wait until every item is done; a failure is raised unless one is already on its
        way out."""
        if self._thread is not None:
            self._items.put(_DONE)
            self._thread.join()
        if exc[0] is None:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._items.get()) is not _DONE:
            if self._error is None:
                try:
                    self._work(item)
                except BaseException as error:  # handed to the caller's thread
                    self._error = error
