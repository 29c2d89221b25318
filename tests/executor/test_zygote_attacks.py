"""A hostile outside tester's attacks on the Python zygote and the warm box it lives in.

Each test is a reproducer: a run does something a program may do (same uid, no ptrace),
and a later run (of the same submission, or of another one in the same slot) or the
run's own verdict must show exactly what the cold path shows.
"""

from __future__ import annotations

import pytest

from algoitny.executor import Limits, compile_source, run_once
from algoitny.executor.verdicts import Verdict

from .conftest import cold, one_slot

LIMITS = Limits(time_limit_s=1, wall_time_s=3, memory_mb=256)

# What a process inherits from its parent without asking and a run cannot set back:
# every rlimit, niceness, scheduling policy, CPU affinity, I/O priority, autogroup nice.
LOOK = r"""
import os, resource, sys
limits = {n: resource.getrlimit(getattr(resource, n)) for n in sorted(dir(resource)) if n.startswith("RLIMIT_")}
try:
    autogroup = open("/proc/self/autogroup").read().split()[-1]
except OSError:
    autogroup = None
slice_ = [line.split()[-1] for line in open("/proc/self/sched") if line.startswith("se.slice")]
print(limits, os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0), sorted(os.sched_getaffinity(0)),
      autogroup, slice_)
"""

LOOK_C = r"""
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
int main(void) {
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        struct rlimit l;
        getrlimit(r, &l);
        printf("rlimit %d %llu %llu\n", r, (unsigned long long)l.rlim_cur, (unsigned long long)l.rlim_max);
    }
    cpu_set_t set;
    sched_getaffinity(0, sizeof set, &set);
    printf("nice %d policy %d cpus %d\n", getpriority(PRIO_PROCESS, 0), sched_getscheduler(0), CPU_COUNT(&set));
    return 0;
}
"""

# Changes a run can make to another process of its uid: ``target`` is 1 (the box's
# supervisor, parent of every later run) or the zygote (``os.getppid()``).
PLANTS = {
    "prlimit": "resource.prlimit(target, resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
    "resource.prlimit(target, resource.RLIMIT_SIGPENDING, (7, 7))\n",
    "nice": "os.setpriority(os.PRIO_PROCESS, target, 19)\n",
    "affinity": "os.sched_setaffinity(target, {0})\n",
    "sched_idle": "os.sched_setscheduler(target, os.SCHED_IDLE, os.sched_param(0))\n",
    # sched_setattr (x86-64: 314): SCHED_OTHER with a custom 0.1 ms slice (kernel 6.12+)
    "slice": "import ctypes, struct\n"
    "attr = ctypes.create_string_buffer(struct.pack('IIQiIQQQ', 48, 0, 0, 0, 0, 100_000, 0, 0))\n"
    "assert ctypes.CDLL(None).syscall(314, target, attr, 0) == 0\n",
}


def plant_source(name: str, target: str) -> str:
    return (
        "import os, resource, sys\n"
        f"target = {target}\n"
        "if sys.stdin.read() == 'plant':\n"
        + "".join(f"    {line}\n" for line in PLANTS[name].splitlines())
        + "    print('planted')\n"
        "else:\n" + "".join(f"    {line}\n" for line in LOOK.strip().splitlines())
    )


@pytest.mark.parametrize("name", sorted(PLANTS))
async def test_a_test_cannot_change_the_supervisor_for_another_submission(name, warm):
    """A Python test changes the box's PID 1 (same uid: prlimit, setpriority,
    sched_setaffinity, sched_setscheduler need no ptrace access); the box was reported
    clean, so the next run of another submission in the slot (a C program) inherited it."""
    plant = await compile_source("python", plant_source(name, "1"))
    look = await compile_source("c", LOOK_C)
    assert plant.ok and look.ok, (plant.message, look.message)
    async with plant, look, one_slot(warm):
        with cold(warm):
            fresh = await run_once(look, b"", LIMITS)
        planted = await run_once(plant, b"plant", LIMITS)
        assert (planted.verdict, planted.stdout) == (Verdict.AC, b"planted\n"), planted
        seen = await run_once(look, b"", LIMITS)
    assert seen.stdout.decode() == fresh.stdout.decode()


@pytest.mark.parametrize("name", sorted(PLANTS))
async def test_a_test_cannot_change_the_zygote_for_the_next_test(name, warm):
    """Test "plant" changes its zygote (its parent); the next test of the submission is forked
    from it and must still see what a cold run sees."""
    compiled = await compile_source("python", plant_source(name, "os.getppid()"))
    assert compiled.ok, compiled.message
    async with compiled, one_slot(warm):
        with cold(warm):
            fresh = await run_once(compiled, b"look", LIMITS)
        forks = warm.warm.forks
        planted = await run_once(compiled, b"plant", LIMITS)
        seen = await run_once(compiled, b"look", LIMITS)
        assert warm.warm.forks == forks + 2
    assert (planted.verdict, planted.stdout) == (Verdict.AC, b"planted\n"), planted
    assert seen.stdout.decode() == fresh.stdout.decode()


async def test_a_test_cannot_make_the_next_test_fail_through_its_zygotes_limits(warm):
    """A lowered hard RLIMIT_CPU on the zygote made every later test of the submission in
    that slot exit 127 (its setrlimit fails): RE for a correct program."""
    source = (
        "import os, resource, sys\n"
        "if sys.stdin.read() == 'plant':\n"
        "    resource.prlimit(os.getppid(), resource.RLIMIT_CPU, (1, 1))\n"
        "print('ok')\n"
    )
    compiled = await compile_source("python", source)
    async with compiled, one_slot(warm):
        first = await run_once(compiled, b"plant", LIMITS)
        second = await run_once(compiled, b"", LIMITS)
    assert (first.verdict, second.verdict, second.stdout) == (Verdict.AC, Verdict.AC, b"ok\n"), second


@pytest.mark.parametrize(
    "source, verdict",
    [
        ("import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\nprint('alive')\n", Verdict.AC),
        ("import os, signal\nos.kill(os.getppid(), signal.SIGTSTP)\nprint('alive')\n", Verdict.AC),
        ("import os, signal, time\nos.kill(0, signal.SIGSTOP)\nprint('alive')\n", Verdict.TLE),
    ],
    ids=["sigstop_zygote", "sigtstp_zygote", "sigstop_group"],
)
async def test_a_stopped_zygote_gives_the_cold_verdict(warm, source, verdict):
    """The zygote, stopped, never reports the test's exit: that was IE; a lost zygote must
    mean "run it cold", whose verdict is AC (or TLE, when the program stopped itself too)."""
    compiled = await compile_source("python", source)
    async with compiled, one_slot(warm):
        result = await run_once(compiled, b"", LIMITS)
        with cold(warm):
            fresh = await run_once(compiled, b"", LIMITS)
    assert fresh.verdict is verdict, fresh
    assert (result.verdict, result.stdout) == (fresh.verdict, fresh.stdout), result


@pytest.mark.parametrize(
    "what",
    ["/proc/self/comm", "/proc/self/environ"],
)
async def test_the_program_sees_what_a_cold_interpreter_sees_in_proc(warm, what):
    """/proc/self/comm was the O_PATH-resolved binary's name (python3.11; cold: python3);
    /proc/self/environ still held ALGOITNY_ZYGOTE=3 (os.environ.pop does not reach it)."""
    compiled = await compile_source("python", f"print(open({what!r}, 'rb').read())\n")
    async with compiled, one_slot(warm):
        forks = warm.warm.forks
        result = await run_once(compiled, b"", LIMITS)
        assert warm.warm.forks == forks + 1
        with cold(warm):
            fresh = await run_once(compiled, b"", LIMITS)
    assert result.stdout == fresh.stdout


async def test_a_test_cannot_renice_its_zygotes_autogroup_for_the_next_test(warm):
    """The child stays in the zygote's session, so in its autogroup: writing its own
    /proc/self/autogroup renices every later test of the submission (cold: a new session
    and autogroup per run)."""
    source = (
        "import sys\n"
        "if sys.stdin.read() == 'plant':\n"
        "    open('/proc/self/autogroup', 'w').write('19')\n"
        "print(open('/proc/self/autogroup').read().split()[-1])\n"
    )
    compiled = await compile_source("python", source)
    async with compiled, one_slot(warm):
        with cold(warm):
            fresh = await run_once(compiled, b"", LIMITS)
        planted = await run_once(compiled, b"plant", LIMITS)
        seen = await run_once(compiled, b"", LIMITS)
    assert planted.verdict is Verdict.AC, planted
    assert seen.stdout == fresh.stdout


async def test_a_warm_c_run_cannot_change_the_supervisor_for_another_submission(warm):
    """The same attack from the warm C path: prlimit and setpriority on PID 1."""
    plant = await compile_source(
        "c",
        "#include <sys/resource.h>\nint main(void) { struct rlimit r = {1 << 30, 1 << 30};\n"
        "return prlimit(1, RLIMIT_AS, &r, 0) != 0 || setpriority(PRIO_PROCESS, 1, 19) != 0; }\n",
    )
    look = await compile_source("c", LOOK_C)
    assert plant.ok and look.ok, (plant.message, look.message)
    async with plant, look, one_slot(warm):
        with cold(warm):
            fresh = await run_once(look, b"", LIMITS)
        await run_once(look, b"", LIMITS)  # the box is up
        planted = await run_once(plant, b"", LIMITS)
        assert (planted.verdict, planted.exit_code) == (Verdict.AC, 0), planted
        seen = await run_once(look, b"", LIMITS)
    assert seen.stdout.decode() == fresh.stdout.decode()


async def test_a_programs_own_python_with_a_socket_on_fd_3_is_no_zygote(warm):
    """The zygote is told by its channel on descriptor 3 (peer outside the box): a program's
    python3 subprocess given a SOCK_SEQPACKET socket of its own there runs as in a cold box."""
    source = (
        "import os, socket, subprocess, sys\n"
        "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
        "os.dup2(b.fileno(), 3, inheritable=True)\n"
        "done = subprocess.run([sys.executable, '-I', '-c', 'import sys; print(7, sorted(sys.modules))'],\n"
        "                      pass_fds=(3,), capture_output=True, timeout=5)\n"
        "print(done.returncode, done.stdout, done.stderr)\n"
    )
    compiled = await compile_source("python", source)
    async with compiled, one_slot(warm):
        result = await run_once(compiled, b"", LIMITS)
        with cold(warm):
            fresh = await run_once(compiled, b"", LIMITS)
    assert fresh.stdout.startswith(b'0 b"7 ['), fresh
    assert (result.verdict, result.stdout) == (fresh.verdict, fresh.stdout), result


@pytest.mark.parametrize("target", ["os.getppid()", "0"])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGALRM", "SIGCONT", "SIGPIPE"])
async def test_signals_to_the_zygote_or_the_group_give_the_cold_verdict(warm, target, sig):
    source = f"import os, signal, time\nos.kill({target}, signal.{sig})\ntime.sleep(0.05)\nprint('alive')\n"
    compiled = await compile_source("python", source)
    async with compiled, one_slot(warm):
        result = await run_once(compiled, b"", LIMITS)
        again = await run_once(compiled, b"", LIMITS)
        with cold(warm):
            fresh = await run_once(compiled, b"", LIMITS)
    facts = lambda r: (r.verdict, r.exit_code, r.signal, r.stdout)  # noqa: E731
    assert facts(result) == facts(again) == facts(fresh)


async def test_a_test_cannot_change_the_supervisors_io_priority_for_another_submission(warm):
    """ioprio_set(IOPRIO_WHO_PROCESS, 1, IDLE) needs no privilege for a process of one's uid."""
    plant = await compile_source(
        "python", "import ctypes\nprint(ctypes.CDLL(None).syscall(251, 1, 1, 3 << 13))\n"
    )
    look = await compile_source("python", "import ctypes\nprint(ctypes.CDLL(None).syscall(252, 1, 0))\n")
    assert plant.ok and look.ok
    async with plant, look, one_slot(warm):
        with cold(warm):
            fresh = await run_once(look, b"", LIMITS)
        planted = await run_once(plant, b"", LIMITS)
        assert planted.stdout == b"0\n", planted
        seen = await run_once(look, b"", LIMITS)
    assert seen.stdout == fresh.stdout == b"0\n"


async def test_importing_sitecustomize_fails_as_in_a_cold_box(warm):
    """The hook is bound over sitecustomize: a program importing it must get what a cold box
    gives (ModuleNotFoundError, "No module named 'sitecustomize'"), not the hook's ImportError."""
    source = (
        "try:\n    import sitecustomize\nexcept ImportError as exc:\n"
        "    print(type(exc).__name__, exc, exc.name)\n"
    )
    compiled = await compile_source("python", source)
    async with compiled, one_slot(warm):
        result = await run_once(compiled, b"", LIMITS)
        with cold(warm):
            fresh = await run_once(compiled, b"", LIMITS)
    assert fresh.stdout == b"ModuleNotFoundError No module named 'sitecustomize' sitecustomize\n", fresh
    assert result.stdout == fresh.stdout
