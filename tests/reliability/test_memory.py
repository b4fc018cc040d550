"""The soak's memory trace: the resident set of a process group, read from /proc."""

import os
import subprocess
import sys

from reliability.memory import MemoryTrace, group_rss_bytes


def test_a_process_group_is_summed_and_a_gone_one_is_zero() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; print('up', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        # Read once the interpreter is up: just after the fork it is a megabyte or two.
        assert child.stdout is not None and child.stdout.readline() == b"up\n"
        alone = group_rss_bytes(child.pid)
        # A Python interpreter holds megabytes; this test's own group is another group.
        assert 4 * 2**20 < alone < 200 * 2**20
        assert group_rss_bytes(os.getpgrp()) > 0
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
        assert child.stdout is not None
        child.stdout.close()
    assert group_rss_bytes(child.pid) == 0


def test_a_trace_answers_with_the_first_sample_at_or_after_a_time() -> None:
    trace = MemoryTrace(pgid=os.getpgrp())
    trace.samples = [(0.0, 100), (10.0, 150), (20.0, 160)]
    assert trace.at(5.0) == 150 and trace.at(10.0) == 150 and trace.at(99.0) == 160
