"""Verdict precedence when several conditions hold at once."""

import dataclasses

import pytest

from algoitny.executor.verdicts import RunFacts, Verdict, classify

CLEAN = RunFacts(
    internal_error=None,
    cpu_ms=10,
    wall_timed_out=False,
    oom_killed=False,
    memory_kb=1000,
    output_exceeded=False,
    exit_code=0,
    signal=None,
)


def judge(**changes):
    return classify(dataclasses.replace(CLEAN, **changes), time_limit_ms=1000, memory_limit_kb=65536)


def test_a_clean_run_leaves_the_verdict_to_the_checker():
    assert judge() is None


@pytest.mark.parametrize(
    "changes, verdict",
    [
        ({"internal_error": "boom", "cpu_ms": 5000, "oom_killed": True}, Verdict.IE),
        ({"cpu_ms": 1000, "oom_killed": True, "signal": "SIGKILL"}, Verdict.TLE),
        ({"wall_timed_out": True, "exit_code": None, "signal": "SIGKILL"}, Verdict.TLE),
        ({"oom_killed": True, "signal": "SIGKILL", "exit_code": None, "output_exceeded": True}, Verdict.MLE),
        ({"runtime_out_of_memory": True, "exit_code": 1}, Verdict.MLE),
        # The peak alone (page cache counts) is no OOM kill: the kernel's word decides.
        ({"memory_kb": 65536, "signal": "SIGSEGV", "exit_code": None}, Verdict.RE),
        ({"memory_kb": 65536, "signal": "SIGKILL", "exit_code": None}, Verdict.RE),
        ({"output_exceeded": True, "signal": "SIGKILL", "exit_code": None}, Verdict.OLE),
        ({"exit_code": 1}, Verdict.RE),
        ({"exit_code": None, "signal": "SIGSEGV"}, Verdict.RE),
    ],
)
def test_precedence(changes, verdict):
    assert judge(**changes) is verdict


def test_a_big_but_successful_run_is_not_mle():
    assert judge(memory_kb=65536) is None


def test_cpu_just_under_the_limit_is_not_tle():
    assert judge(cpu_ms=999) is None
