"""Work done beside the caller: in order, a few items behind, and a failure raised in the
caller's thread (at its next put, or when it leaves), never lost."""

import threading

import pytest

from admin_app.jobs.beside import Beside


@pytest.mark.parametrize("threaded", [True, False])
def test_items_are_worked_in_order_and_all_before_leaving(threaded: bool) -> None:
    done: list[int] = []
    threads: set[int] = set()

    def work(item: int) -> None:
        done.append(item)
        threads.add(threading.get_ident())

    with Beside(work, depth=2, threaded=threaded) as beside:
        for item in range(50):
            beside.put(item)
    assert done == list(range(50))
    assert (threading.get_ident() in threads) is not threaded


def test_a_failure_is_raised_in_the_caller_and_stops_the_work() -> None:
    done: list[int] = []

    def work(item: int) -> None:
        if item == 3:
            raise ValueError("disk full")
        done.append(item)

    with pytest.raises(ValueError, match="disk full"), Beside(work) as beside:
        for item in range(10):
            beside.put(item)
    assert done == [0, 1, 2]  # nothing after the failure was worked


def test_a_failure_in_flight_is_not_hidden_by_the_work_s() -> None:
    def work(item: int) -> None:
        raise ValueError("the work's")

    with pytest.raises(KeyError), Beside(work) as beside:
        beside.put(1)
        raise KeyError("the caller's")
