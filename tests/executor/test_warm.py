"""Warm boxes: nothing of one run reaches the next, and a run gives the cold path's facts.

Isolation (issue 14, item 1): run N (one submission) plants something, run N+1 (another
submission) in the same box looks for it, and must see exactly what a cold box shows. A
plant that leaves a trace must also have cost the box its life (a new supervisor); one
that cannot leave any (its own environment, rlimits, signal dispositions) must have
left the box in service, so that "a fresh fork of the supervisor" is what is proved.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics

import pytest

from algoitny.executor import Limits, TestCase, compile_source, run_once, run_tests
from algoitny.executor.verdicts import Verdict

from .conftest import cold, one_slot

KEY = "0x414c47"
LOOK = r"""
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
extern char **environ;
static void list(const char *d) {
    DIR *x = opendir(d);
    printf("%s:", d);
    if (!x) { printf(" unreadable\n"); return; }
    struct dirent *e;
    while ((e = readdir(x)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf(" %s", e->d_name);
    closedir(x);
    printf("\n");
}
static void lines(const char *path) {
    FILE *f = fopen(path, "r");
    int n = 0, c;
    if (f) { while ((c = fgetc(f)) != EOF) n += c == '\n'; fclose(f); }
    printf("%s %d\n", path, n);
}
int main(void) {
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    for (int r = 0; r < RLIM_NLIMITS; r++) {
        struct rlimit l;
        getrlimit(r, &l);
        printf("rlimit %d %llu %llu\n", r, (unsigned long long)l.rlim_cur, (unsigned long long)l.rlim_max);
    }
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    for (int s = 1; s < NSIG; s++) {
        struct sigaction a;
        if (sigaction(s, NULL, &a) == 0 && (a.sa_handler != SIG_DFL || sigismember(&mask, s)))
            printf("signal %d %s %d\n", s, a.sa_handler == SIG_IGN ? "ignored" : "other", sigismember(&mask, s));
    }
    mode_t u = umask(0);
    char cwd[256];
    printf("umask %03o cwd %s\n", u, getcwd(cwd, sizeof cwd));
    list("/box"); list("/tmp"); list("/dev/shm");
    DIR *p = opendir("/proc");
    struct dirent *e;
    printf("processes:");
    while ((e = readdir(p)))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && atoi(e->d_name) != getpid() && atoi(e->d_name) != 1)
            printf(" %s", e->d_name);
    printf("\n");
    printf("sysv %d %d %d\n", shmget(KEY, 0, 0) >= 0, msgget(KEY, 0) >= 0, semget(KEY, 0, 0) >= 0);
    lines("/proc/sysvipc/shm"); lines("/proc/sysvipc/msg"); lines("/proc/sysvipc/sem");
    lines("/proc/net/unix");
    printf("mqueue %d\n", mq_open("/algoitny-plant", O_RDONLY) != (mqd_t)-1);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, "\0algoitny-plant", 15);
    printf("abstract %d\n", connect(s, (struct sockaddr *)&a, sizeof(sa_family_t) + 15) == 0);
    return 0;
}
""".replace("KEY", KEY)

_HEAD = """#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
int main(void) {
"""
# name -> (body of the planting program's main, does it leave a trace the box must die for)
PLANTS = {
    "process": ("if (fork() == 0) { setsid(); for (;;) pause(); } return 0;", True),
    "box_file": ('close(creat("/box/planted", 0666)); return 0;', True),
    "tmp_file": ('close(creat("/tmp/planted", 0666)); mkdir("/tmp/dir", 0700); return 0;', True),
    "dev_shm_file": ('close(creat("/dev/shm/planted", 0666)); return 0;', True),
    "file_created_and_removed": ('close(creat("/tmp/x", 0666)); unlink("/tmp/x"); return 0;', True),
    "box_mode": ('return chmod("/box", 0700) != 0;', True),
    "sysv_shm": (f"return shmget({KEY}, 4096, IPC_CREAT | 0666) < 0;", True),
    "sysv_msg": (f"return msgget({KEY}, IPC_CREAT | 0666) < 0;", True),
    "sysv_sem": (f"return semget({KEY}, 1, IPC_CREAT | 0666) < 0;", True),
    # Created and removed: nothing left to see, but the namespace's id counter moved.
    "sysv_ids_moved": (
        "int q = msgget(IPC_PRIVATE, 0600); msgctl(q, IPC_RMID, 0); int m = shmget(IPC_PRIVATE, 1, 0600);"
        " shmctl(m, IPC_RMID, 0); return q < 0 || m < 0;",
        True,
    ),
    "posix_shm": ('return shm_open("/algoitny-plant", O_CREAT | O_RDWR, 0666) < 0;', True),
    "posix_sem": ('return sem_open("/algoitny-plant", O_CREAT, 0666, 1) == SEM_FAILED;', True),
    # RLIMIT_MSGQUEUE is 0: creating a queue must fail (exit 0 when it did fail).
    "posix_mqueue": ('return mq_open("/algoitny-plant", O_CREAT | O_RDWR, 0666, NULL) != (mqd_t)-1;', False),
    "abstract_socket": (
        "int s = socket(AF_UNIX, SOCK_STREAM, 0); struct sockaddr_un a = {.sun_family = AF_UNIX};"
        ' memcpy(a.sun_path, "\\0algoitny-plant", 15);'
        " if (bind(s, (struct sockaddr *)&a, sizeof(sa_family_t) + 15) || listen(s, 1)) return 1;"
        " if (fork() == 0) { setsid(); for (;;) pause(); } return 0;",
        True,
    ),
    "environment": ('setenv("PLANTED", "1", 1); unsetenv("PATH"); return 0;', False),
    "rlimits": (
        "struct rlimit r = {16, 16}; setrlimit(RLIMIT_NOFILE, &r); r.rlim_cur = r.rlim_max = 1;"
        " setrlimit(RLIMIT_CORE, &r); r.rlim_cur = r.rlim_max = 1 << 20; setrlimit(RLIMIT_STACK, &r); return 0;",
        False,
    ),
    "signals": (
        "signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN); signal(SIGPIPE, SIG_IGN);"
        " sigset_t m; sigemptyset(&m); sigaddset(&m, SIGUSR1); sigprocmask(SIG_BLOCK, &m, 0);"
        " umask(077); kill(1, SIGSTOP); kill(1, SIGKILL); kill(-1, SIGSTOP); return 0;",
        False,
    ),
}
LIMITS = Limits(time_limit_s=0.25, wall_time_s=1.0, memory_mb=64)


@pytest.fixture
async def look(runtime):
    compiled = await compile_source("c", LOOK)
    assert compiled.ok, compiled.message
    yield compiled
    await compiled.cleanup()


def supervisor(runtime, slot) -> int | None:
    box = runtime.warm.boxes.get(slot.uid)
    return box.pid if box is not None else None


@pytest.mark.parametrize("name", sorted(PLANTS))
async def test_nothing_of_a_run_reaches_the_next(name, warm, look):
    body, leaves_trace = PLANTS[name]
    plant = await compile_source("c", _HEAD + body + "\n}\n")
    assert plant.ok, plant.message
    async with plant, one_slot(warm) as slot:
        with cold(warm):
            baseline = await run_once(look, b"", LOOK_LIMITS)
        assert baseline.verdict is Verdict.AC, baseline
        await run_once(look, b"", LOOK_LIMITS)  # the box is up and known clean
        before = supervisor(warm, slot)
        planted = await run_once(plant, b"", LIMITS)
        assert planted.verdict is Verdict.AC and planted.exit_code == 0, planted
        after = supervisor(warm, slot)
        seen = await run_once(look, b"", LOOK_LIMITS)
        assert seen.verdict is Verdict.AC, seen
        assert seen.stdout.decode() == baseline.stdout.decode()
        if leaves_trace:
            assert before is not None and after is None, "the planting run's box was not replaced"
        else:
            assert before is not None and after == before, "a box was replaced for a run that left no trace"
    await warm.idle()


LOOK_LIMITS = Limits(time_limit_s=1, memory_mb=64)


async def test_a_box_whose_supervisor_died_is_replaced(warm, look):
    async with one_slot(warm) as slot:
        assert (await run_once(look, b"", LOOK_LIMITS)).verdict is Verdict.AC
        box = warm.warm.boxes[slot.uid]
        os.kill(box.pid, signal.SIGKILL)
        result = await run_once(look, b"", LOOK_LIMITS)
        # The run that finds the dead box is lost (IE, never a wrong verdict); the next is fine.
        assert result.verdict in (Verdict.AC, Verdict.IE), result
        assert (await run_once(look, b"", LOOK_LIMITS)).verdict is Verdict.AC
        assert warm.warm.boxes[slot.uid].pid != box.pid
    await warm.idle()


FIGURES = {
    "cpu": "int main(void) { volatile unsigned long x = 0; for (unsigned long i = 0; i < 300000000UL; i++) x += i; "
    "return 0; }",
    "memory": "#include <stdlib.h>\nint main(void) { volatile char *p = malloc(48 << 20); "
    "for (long i = 0; i < (48 << 20); i += 4096) p[i] = 1; return p[4096] != 1; }",
    "ab": '#include <stdio.h>\nint main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; '
    'printf("%ld\\n", a + b); return 0; }',
}
# The same three for Python: forked from a zygote (warm) or a fresh interpreter (cold).
PY_FIGURES = {
    "cpu": "x = 0\nfor i in range(4_000_000):\n    x += i\n",
    "memory": "p = bytearray(48 << 20)\nfor i in range(0, len(p), 4096):\n    p[i] = 1\n",
    "ab": "a, b = map(int, input().split())\nprint(a + b)",
}


@pytest.mark.parametrize(
    "language, name", [("c", n) for n in sorted(FIGURES)] + [("python", n) for n in sorted(PY_FIGURES)]
)
async def test_warm_and_cold_give_the_same_figures(language, name, warm):
    """CPU time, wall time and peak memory agree within generous bounds (a shared, noisy
    machine): the same program measured both ways, three times each, medians compared."""
    compiled = await compile_source(language, (FIGURES if language == "c" else PY_FIGURES)[name] + "\n")
    assert compiled.ok, compiled.message
    limits = Limits(time_limit_s=5, memory_mb=128)
    figures = {}
    async with compiled:
        for path in ("warm", "cold"):
            with contextlib.ExitStack() as stack:
                if path == "cold":
                    stack.enter_context(cold(warm))
                tests = [TestCase(str(i), b"1 2\n", b"3\n" if name == "ab" else b"") for i in range(3)]
                forks = warm.warm.forks
                results = [r async for r in run_tests(compiled, tests, limits, slots=1)]
                if language == "python":  # the warm path of Python is the zygote
                    assert warm.warm.forks == forks + (3 if path == "warm" else 0)
            assert {r.verdict for r in results} == {Verdict.AC}, results
            figures[path] = {
                key: statistics.median(getattr(r, key) for r in results)
                for key in ("cpu_ms", "wall_ms", "memory_kb")
            }
    w, c = figures["warm"], figures["cold"]
    assert abs(w["cpu_ms"] - c["cpu_ms"]) <= max(60, 0.4 * c["cpu_ms"]), figures
    assert abs(w["memory_kb"] - c["memory_kb"]) <= 4096 + 0.1 * c["memory_kb"], figures
    assert w["wall_ms"] <= 2 * c["wall_ms"] + 300 and c["wall_ms"] <= 2 * w["wall_ms"] + 300, figures
    if name == "memory":
        assert w["memory_kb"] >= 48 * 1024 and c["memory_kb"] >= 48 * 1024, figures
    await warm.idle()


async def test_a_clean_box_serves_run_after_run(warm, look):
    """70 runs that leave no trace share one box: past the SysV probes' 64-index cycle,
    so the id check raises no false alarm."""
    tests = [TestCase(str(i), b"", b"") for i in range(70)]
    async with one_slot(warm) as slot:
        assert (await run_once(look, b"", LOOK_LIMITS)).verdict is Verdict.AC
        box = supervisor(warm, slot)
        results = [r async for r in run_tests(look, tests, LOOK_LIMITS, slots=1)]
        assert {r.verdict for r in results} == {Verdict.WA}  # it prints; the answer is empty
        assert supervisor(warm, slot) == box
