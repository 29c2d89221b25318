"""Python zygotes (issue 14, item 2): a test forked from the submission's zygote is, to the
program, a fresh ``python3 -I /prog/main.pyc``; nothing of one test reaches the next; the
zygote never runs the submission's code; its figures are the cold path's.

Each comparison runs the same compiled program on the zygote path and on the cold path
(a new bwrap and interpreter) in one test, and compares what the program saw or did.
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from algoitny.executor import Limits, TestCase, compile_source, run_once, run_tests
from algoitny.executor.verdicts import Verdict

from .conftest import cold, one_slot

LIMITS = Limits(time_limit_s=2, wall_time_s=5, memory_mb=256)

# Everything about its own start a program can cheaply look at, one JSON object.
PROBE = r"""
import io, json, os, resource, signal, sys

def depth(n=0):
    try:
        return depth(n + 1)
    except RecursionError:
        return n

def stream(s):
    return [s.encoding, s.errors, s.line_buffering, s.write_through, s.seekable(), s.isatty(),
            type(s.buffer).__name__, s.buffer.raw.name, s.buffer.raw.mode]

seen = {
    "argv": sys.argv, "orig_argv": sys.orig_argv, "path": sys.path, "flags": list(sys.flags),
    "executable": sys.executable, "name": __name__, "file": __file__, "spec": repr(__spec__),
    "loader": type(__loader__).__name__, "cached": __cached__, "globals": sorted(globals()),
    "modules": sorted(sys.modules), "recursion_limit": sys.getrecursionlimit(), "depth": depth(),
    "frames": len(__import__("traceback").extract_stack()),
    "stdin": stream(sys.stdin), "stdout": stream(sys.stdout), "stderr": stream(sys.stderr),
    "env": sorted(os.environ.items()), "cwd": os.getcwd(), "session_leader": os.getsid(0) == os.getpid(),
    "group_leader": os.getpgrp() == os.getpid(),
    "umask": os.umask(0o22),
    "rlimits": {n: resource.getrlimit(getattr(resource, n)) for n in dir(resource) if n.startswith("RLIMIT_")},
    "handlers": {s.name: repr(signal.getsignal(s)) for s in signal.valid_signals() if isinstance(s, signal.Signals)},
    "blocked": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
    "fds": sorted(os.listdir("/proc/self/fd")),
    "dumpable": open("/proc/self/status").read().count("Uid:"),
    "prog": sorted(os.listdir("/prog")), "box": os.listdir("/box"), "tmp": os.listdir("/tmp"),
    "input": sys.stdin.read(),
}
print(json.dumps(seen, sort_keys=True))
"""


@pytest.fixture
async def forked(warm):
    assert warm.warm.hook is not None, warm.warm_reason
    yield warm


def zygote_of(runtime, slot):
    box = runtime.warm.boxes.get(slot.uid)
    return box.zygote if box is not None else None


async def both(runtime, source: str, stdin: bytes = b"", limits: Limits = LIMITS):
    """The same program's result on the zygote path, then cold."""
    compiled = await compile_source("python", source)
    assert compiled.ok, compiled.message
    async with compiled, one_slot(runtime):
        forks = runtime.warm.forks
        warm = await run_once(compiled, stdin, limits)
        assert runtime.warm.forks == forks + 1, "the run was not forked from a zygote"
        with cold(runtime):
            cold_result = await run_once(compiled, stdin, limits)
    return warm, cold_result


async def test_a_forked_test_sees_what_a_fresh_interpreter_sees(forked):
    warm, cold_result = await both(forked, PROBE, b"1 2\n")
    assert warm.verdict is cold_result.verdict is Verdict.AC, (warm, cold_result)
    seen_warm, seen_cold = json.loads(warm.stdout), json.loads(cold_result.stdout)
    assert seen_warm["argv"] == ["/prog/main.pyc"] and seen_warm["input"] == "1 2\n"
    assert {k: v for k, v in seen_warm.items() if seen_cold[k] != v} == {}


@pytest.mark.parametrize(
    "source, exit_code",
    [
        ("import sys\nprint('out')\nsys.exit(3)\n", 3),
        ("import sys\nsys.exit('a message on stderr')\n", 1),
        ("print('unflushed', end='')\nraise ValueError('boom')\n", 1),
        ("def f(n):\n    return f(n + 1)\nf(0)\n", 1),
        ("import os\nprint('lost')\nos._exit(7)\n", 7),
        ("raise KeyboardInterrupt\n", None),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", None),
        ("import atexit\natexit.register(lambda: print('at exit'))\nprint('main')\n", 0),
    ],
    ids=[
        "exit_3",
        "exit_message",
        "exception",
        "recursion",
        "os_exit",
        "keyboard_interrupt",
        "signal",
        "atexit",
    ],
)
async def test_exits_and_tracebacks_are_the_interpreters_own(forked, source, exit_code):
    warm, cold_result = await both(forked, source)
    facts = lambda r: (r.verdict, r.exit_code, r.signal, r.stdout, r.stderr_excerpt)  # noqa: E731
    assert facts(warm) == facts(cold_result)
    if exit_code is not None:
        assert warm.exit_code == exit_code
    if "ValueError" in source:
        assert warm.stdout == b"unflushed"
        assert 'File "/prog/main.py", line 2, in <module>' in warm.stderr_excerpt
        assert "zygote" not in warm.stderr_excerpt and "sitecustomize" not in warm.stderr_excerpt


# Test "plant" changes what a process can change about itself and its interpreter; the next
# test of the same submission, forked from the same zygote, looks.
PLANT_LOOK = r"""
import json, os, resource, signal, sys
if sys.stdin.read().strip() == "plant":
    os.environ["PLANTED"] = "1"
    os.environ.pop("PATH")
    sys.setrecursionlimit(50)
    sys.path.insert(0, "/tmp")
    import json as j
    j.PLANTED = True
    sys.modules["planted"] = j
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
    os.umask(0o077)
    print("planted")
else:
    print(json.dumps([sorted(os.environ), sys.getrecursionlimit(), sys.path[0], hasattr(json, "PLANTED"),
                      "planted" in sys.modules, repr(signal.getsignal(signal.SIGTERM)),
                      sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
                      resource.getrlimit(resource.RLIMIT_NOFILE), os.umask(0)]))
"""


async def test_nothing_a_test_changes_in_its_process_reaches_the_next(forked):
    compiled = await compile_source("python", PLANT_LOOK)
    assert compiled.ok, compiled.message
    async with compiled, one_slot(forked) as slot:
        with cold(forked):
            fresh = await run_once(compiled, b"look", LIMITS)
        tests = [TestCase("plant", b"plant", b"planted\n"), TestCase("look", b"look", fresh.stdout)]
        results = [r async for r in run_tests(compiled, tests, LIMITS, slots=1)]
        zygote = zygote_of(forked, slot)
        assert [r.verdict for r in results] == [Verdict.AC, Verdict.AC], results
        assert zygote is not None
        again = await run_once(compiled, b"look", LIMITS)
        assert zygote_of(forked, slot) is zygote, "both looks were forked from one zygote"
        assert again.stdout == fresh.stdout


async def test_the_zygote_runs_nothing_of_the_submission(forked):
    """Its module code runs once per test, in the test: never in the zygote, whose own
    stdout and stderr (pipes we hold) stay empty."""
    source = "import sys\nprint('ran', file=sys.stderr)\nprint('ran')\n"
    compiled = await compile_source("python", source)
    async with compiled, one_slot(forked) as slot:
        results = [await run_once(compiled, b"", LIMITS) for _ in range(3)]
        zygote = zygote_of(forked, slot)
        assert [r.stdout for r in results] == [b"ran\n"] * 3
        assert zygote is not None
        for fd in zygote.stdio[1:]:
            with pytest.raises(BlockingIOError):
                os.read(fd, 1)


async def test_another_submission_gets_another_zygote_and_only_its_own_files(forked):
    first = await compile_source("python", "import os\nopen('/tmp/planted', 'w').close()\nprint(1)\n")
    second = await compile_source(
        "python", "import os\nprint(sorted(os.listdir('/tmp')), open('/prog/main.py').read())\n"
    )
    async with first, second, one_slot(forked) as slot:
        assert (await run_once(first, b"", LIMITS)).stdout == b"1\n"
        first_zygote = zygote_of(forked, slot)
        seen = await run_once(second, b"", LIMITS)
        assert zygote_of(forked, slot) is not first_zygote
    assert seen.verdict is Verdict.AC, seen
    assert seen.stdout.decode().startswith("[] import os\nprint(sorted(")


async def test_the_zygote_is_out_of_reach_of_its_tests(forked):
    """Same uid, but not dumpable: no /proc/<zygote>/mem, fds or environ. Killing it costs
    the test nothing: it runs again cold, with the cold path's result."""
    peek = (
        "import os\nout = []\nfor what in ('mem', 'environ', 'fd'):\n"
        "    try:\n        os.listdir(f'/proc/{os.getppid()}/fd') if what == 'fd' else open(f'/proc/{os.getppid()}/{what}', 'rb').read(1)\n"
        "        out.append(what)\n    except OSError:\n        pass\nprint(out)\n"
    )
    warm, _ = await both(forked, peek)
    assert warm.stdout == b"[]\n", warm
    kill = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('alive')\n"
    warm, cold_result = await both(forked, kill)
    assert (
        (warm.verdict, warm.stdout) == (cold_result.verdict, cold_result.stdout) == (Verdict.AC, b"alive\n")
    )


async def test_threads_and_subprocesses_cost_the_box_not_the_verdict(forked):
    source = (
        "import subprocess, sys, threading\nt = threading.Thread(target=print, args=('thread',))\n"
        "t.start(); t.join()\nprint(subprocess.run([sys.executable, '-c', 'print(2)'], capture_output=True).stdout)\n"
    )
    warm, cold_result = await both(forked, source)
    assert (warm.verdict, warm.stdout) == (cold_result.verdict, cold_result.stdout), (warm, cold_result)
    assert warm.stdout == b"thread\nb'2\\n'\n"


async def test_memory_is_the_cold_paths(forked):
    """Peak memory of a 40 MiB program: the test's cgroup is charged with what the child
    writes, which is nearly all of its interpreter too."""
    source = (
        "x = bytearray(40 * 1024 * 1024)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\nprint(len(x))\n"
    )
    warm, cold_result = await both(forked, source)
    assert warm.verdict is cold_result.verdict is Verdict.AC
    assert abs(warm.memory_kb - cold_result.memory_kb) <= max(2048, cold_result.memory_kb // 10), (
        warm.memory_kb,
        cold_result.memory_kb,
    )
    over = Limits(time_limit_s=2, wall_time_s=5, memory_mb=32)
    warm, cold_result = await both(forked, source, limits=over)
    assert warm.verdict is cold_result.verdict is Verdict.MLE, (warm, cold_result)


async def test_a_zygote_that_ended_between_tests_costs_a_box_not_a_verdict(forked):
    """It ends on its own while idle (killed here from the host): the supervisor's report of
    it is left unread on the box's channel, and the next run must not take it for its own."""
    compiled = await compile_source("python", "print(sum(map(int, input().split())))\n")
    async with compiled, one_slot(forked) as slot:
        assert (await run_once(compiled, b"1 2\n", LIMITS)).stdout == b"3\n"
        zygote = zygote_of(forked, slot)
        assert zygote is not None
        os.kill(zygote.pid, 9)
        box = forked.warm.boxes[slot.uid]
        for _ in range(500):  # the supervisor's X and I arrive
            if not box.quiet():
                break
            await asyncio.sleep(0.01)
        again = await run_once(compiled, b"2 3\n", LIMITS)
        assert (again.verdict, again.stdout) == (Verdict.AC, b"5\n"), again
        assert forked.warm.boxes[slot.uid] is not box, "the box with unread reports was replaced"
        c = await compile_source("c", '#include <stdio.h>\nint main(void){puts("c");return 0;}\n')
        async with c:
            os.kill(zygote_of(forked, slot).pid, 9)
            for _ in range(500):
                if not forked.warm.boxes[slot.uid].quiet():
                    break
                await asyncio.sleep(0.01)
            assert (await run_once(c, b"", LIMITS)).stdout == b"c\n"


async def test_a_test_cancelled_anywhere_leaves_the_slot_fit_for_the_next(forked):
    """A judge that gives up (a job's timeout, a closed stream) cancels the run wherever it
    is, starting or retiring a zygote included: the slot's next run is judged as usual, on
    the zygote path."""
    sources = ["print(sum(map(int, input().split())))\n", "a, b = map(int, input().split())\nprint(a + b)\n"]
    compiled = [await compile_source("python", source) for source in sources]
    try:
        async with one_slot(forked):
            for steps in range(0, 40):
                task = asyncio.ensure_future(run_once(compiled[steps % 2], b"1 2\n", LIMITS))
                await asyncio.sleep(steps / 1000)  # 0 to 40 ms: starting, running or retiring
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                forks = forked.warm.forks
                after = await run_once(compiled[(steps + 1) % 2], b"2 3\n", LIMITS)
                assert (after.verdict, after.stdout) == (Verdict.AC, b"5\n"), (steps, after)
                # forked, not sent cold: a zygote that started but whose "R" was never read
                # (a stale reader registration on a reused descriptor number) runs it cold
                assert forked.warm.forks == forks + 1, steps
    finally:
        for c in compiled:
            await c.cleanup()
