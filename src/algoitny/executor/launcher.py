"""A tiny static helper that starts bwrap for one run: the fast path of the sandbox.

Starting bwrap straight from Python as another uid costs a fork of the whole worker
plus Python code in the child (rlimits): ~2.5 ms a run. Instead the worker
``posix_spawn``s this helper (vfork-fast), which, still root:

1. joins the slot's network namespace (an empty one, made once per slot), so bwrap
   need not build a new one each run (~2 ms);
2. sets the run's rlimits (lowering needs no privilege, and we may lack
   CAP_SYS_RESOURCE to set another process's);
3. drops every group, then to the slot's gid and uid, then asks for SIGKILL when the
   worker dies (the parent-death signal is cleared by a uid change, so it comes after,
   and it survives the exec of bwrap);
4. closes every descriptor above the ones bwrap needs, and execs bwrap.

It is compiled once per host with the system C compiler into
``<box_root>/bin`` (root only). Without a compiler the sandbox falls back to
``subprocess.Popen`` and a new network namespace per run: same isolation, slower.
"""

from __future__ import annotations

from pathlib import Path

from .helpers import build_helper

SOURCE = r"""
#define _GNU_SOURCE
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* launch UID GID NETNS_FD MAX_FD N [RESOURCE VALUE]*N BWRAP ARGS... */
static void die(const char *what) { perror(what); _exit(127); }

int main(int argc, char **argv) {
    if (argc < 7) { fputs("launch: bad arguments\n", stderr); return 127; }
    pid_t parent = getppid();
    uid_t uid = (uid_t)atol(argv[1]);
    gid_t gid = (gid_t)atol(argv[2]);
    int netns = atoi(argv[3]);
    int max_fd = atoi(argv[4]);
    int n = atoi(argv[5]);
    int i = 6;
    if (uid == 0 || gid == 0 || argc < i + 2 * n + 1) { fputs("launch: refused\n", stderr); return 127; }
    if (netns >= 0 && setns(netns, CLONE_NEWNET) != 0) die("launch: setns");
    for (int k = 0; k < n; k++, i += 2) {
        rlim_t value = (rlim_t)strtoull(argv[i + 1], NULL, 10);
        struct rlimit r = {value, value};
        if (setrlimit(atoi(argv[i]), &r) != 0) die("launch: setrlimit");
    }
    if (setgroups(0, NULL) != 0) die("launch: setgroups");
    if (setresgid(gid, gid, gid) != 0) die("launch: setresgid");
    if (setresuid(uid, uid, uid) != 0) die("launch: setresuid");
    if (getuid() != uid || geteuid() != uid) { fputs("launch: uid\n", stderr); return 127; }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("launch: pdeathsig");
    if (getppid() != parent) { fputs("launch: worker gone\n", stderr); return 127; }
    if (close_range((unsigned)max_fd + 1, ~0U, 0) != 0) die("launch: close_range");
    execv(argv[i], argv + i);
    die("launch: exec bwrap");
    return 127;
}
"""


def build(box_root: Path) -> Path | None:
    """Compile the helper once (cached by content hash); None without a C compiler."""
    return build_helper(box_root, "launch", SOURCE, link=(("-static",), ()), mode=0o700)
