"""The warm box's supervisor: a small static C program, PID 1 of a long-lived box.

It is trusted code that never runs anything of a submission itself. It waits on its
control socket (a ``SOCK_SEQPACKET`` socketpair with the executor) for one request at a
time: the artifact as an ``O_PATH`` descriptor, the run's stdin/stdout/stderr and a
block pipe (``SCM_RIGHTS``), then rlimits, argv and environment. For each request it:

1. forks; the child resets every signal disposition and the signal mask, starts a new
   session, takes the three stdio descriptors and waits on the block pipe, while
2. the supervisor sends the executor a pidfd of the child (``P``): the executor reads the
   child's host PID from the pidfd's fdinfo and moves it into the run's cgroup, then
   writes the block pipe; the child sets the run's rlimits, enters ``/box``, marks every
   other descriptor close-on-exec and ``execveat``s the artifact (a failed exec is
   reported through a close-on-exec pipe: ``X`` carries the errno, the run is IE);
3. the supervisor reaps the main process (``X`` + its wait status), then every orphan
   re-parented to it, and once it has no child left (``I``) checks that the run left no
   trace: no process but itself in its PID namespace, the namespace's last PID is the
   main process's (so no task at all was started: no pid-counter channel to the next
   run), ``/box``, ``/tmp`` and ``/dev/shm`` unchanged since the box started (their
   ctime and mtime: any file created or removed changes them, so no inode-counter
   channel either) and empty, no SysV IPC object, no unix socket in the box's own network
   namespace (``/proc/net/unix``: abstract names live in the network namespace), and the
   SysV ids have not moved (one object of each kind created and removed after each run:
   its id must be the one after the previous probe's). ``I0`` means clean, ``I1<why>``
   dirty: the executor then destroys the box and starts another.

It runs as the slot's uid with the box's seccomp filter, as PID 1 of the box's PID
namespace (``bwrap --as-pid-1``), so a program cannot kill it (signals without a handler
do not reach a namespace's init) and it is not dumpable (no ``/proc/1/fd``, no
``/proc/1/mem``). End of file on the control socket (the worker died) makes it exit,
and the whole namespace with it.
"""

from __future__ import annotations

from pathlib import Path

from .helpers import build_helper

SOURCE = r"""
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_REQUEST 65536
#define NFDS 5 /* exe, stdin, stdout, stderr, block; a persistent run adds its channel */
#define MAX_ITEMS 4096

static const char *DIRS[] = {"/box", "/tmp", "/dev/shm"};
static struct stat base[3];
static int ctl;
static int last_ids[3];

/* Create and remove one SysV object of each kind; their ids. In an IPC namespace the ids
   of each kind follow one another (the index cycles through 64, then the sequence moves),
   so a run that created any object in between, even one it removed, moves them. */
/* Whether ``id`` is the one created right after ``prev`` with nothing in between: the
   next index, or once the index has cycled through 64 (an empty namespace's cycle),
   index 0 of the next sequence (ids are seq << 15 | index; << 24 with ipcmni_extend). */
static int follows(int prev, int id) {
    if ((prev & 0x7fff) + 1 < 64) return id == prev + 1;
    return id == ((prev >> 15) + 1) << 15 || id == ((prev >> 24) + 1) << 24;
}

static void probe_ids(int ids[3]) {
    ids[0] = msgget(IPC_PRIVATE, 0600);
    if (ids[0] >= 0) msgctl(ids[0], IPC_RMID, NULL);
    ids[1] = shmget(IPC_PRIVATE, 1, 0600);
    if (ids[1] >= 0) shmctl(ids[1], IPC_RMID, NULL);
    ids[2] = semget(IPC_PRIVATE, 1, 0600);
    if (ids[2] >= 0) semctl(ids[2], 0, IPC_RMID);
}

static void send_msg(const char *data, size_t len, int fd) {
    struct iovec iov = {(void *)data, len};
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(cbuf, 0, sizeof cbuf);
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof cbuf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    if (sendmsg(ctl, &msg, MSG_NOSIGNAL) < 0) _exit(3);
}

static void send_text(const char *text) { send_msg(text, strlen(text), -1); }

static int dir_empty(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 0;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) { empty = 0; break; }
    closedir(d);
    return empty;
}

static int same(const struct stat *a, const struct stat *b) {
    return a->st_ino == b->st_ino && a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
           a->st_gid == b->st_gid && a->st_nlink == b->st_nlink &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int only_header(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT;
    char buf[4096];
    ssize_t n, total = 0;
    int lines = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        total += n;
        for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
    }
    close(fd);
    return n == 0 && lines <= 1;
}

/* Whether a process other than us and ``keep`` (0: none) is in the box. */
static int others(pid_t keep) {
    DIR *proc = opendir("/proc");
    if (!proc) return 1;
    struct dirent *e;
    int other = 0;
    while ((e = readdir(proc)) != NULL)
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && strcmp(e->d_name, "1") &&
            atoi(e->d_name) != keep)
            other = 1;
    closedir(proc);
    return other;
}

/* Empty when the run left no trace; else why not. ``keep``: a persistent run still alive. */
static const char *leftover(pid_t main_pid, pid_t keep) {
    if (others(keep)) return "a process is left in the box";
    FILE *f = fopen("/proc/loadavg", "re");
    long last = -1;
    if (!f || fscanf(f, "%*s %*s %*s %*s %ld", &last) != 1) last = -1;
    if (f) fclose(f);
    if (last != main_pid) return "the run started other tasks (the pid counter moved)";
    for (int i = 0; i < 3; i++) {
        struct stat st;
        if (lstat(DIRS[i], &st) != 0 || !same(&st, &base[i]) || !dir_empty(DIRS[i]))
            return "the run changed /box, /tmp or /dev/shm";
    }
    if (!only_header("/proc/sysvipc/shm") || !only_header("/proc/sysvipc/msg") ||
        !only_header("/proc/sysvipc/sem"))
        return "the run left a SysV IPC object";
    if (!only_header("/proc/net/unix")) return "the run left a unix socket (abstract ones included)";
    int ids[3], moved = 0;
    probe_ids(ids);
    for (int i = 0; i < 3; i++) {
        moved |= ids[i] < 0 || !follows(last_ids[i], ids[i]);
        last_ids[i] = ids[i];
    }
    if (moved) return "SysV IPC ids moved (the run created an object)";
    return "";
}

static void child(int *fds, int nfds, char **argv, char **envp, int nrl, long long *rl, int err_w) {
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid() < 0) _exit(126);
    /* Lift the five descriptors out of the way, then put stdio in place. */
    int hi[NFDS + 1];
    for (int i = 0; i < nfds; i++)
        if ((hi[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 100)) < 0) _exit(126);
    for (int i = 1; i <= 3; i++)
        if (dup2(hi[i], i - 1) < 0) _exit(126);
    if (nfds > NFDS && dup2(hi[NFDS], 3) < 0) _exit(126); /* a persistent run's channel */
    char go;
    if (read(hi[4], &go, 1) != 1) _exit(126); /* abandoned before the go */
    for (int i = 0; i < nrl; i++) {
        struct rlimit r = {(rlim_t)rl[2 * i + 1], (rlim_t)rl[2 * i + 1]};
        if (setrlimit((int)rl[2 * i], &r) != 0) goto fail;
    }
    if (chdir("/box") != 0) goto fail;
    if (syscall(SYS_close_range, nfds > NFDS ? 4U : 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) != 0)
        goto fail;
    syscall(SYS_execveat, hi[0], "", argv, envp, AT_EMPTY_PATH);
fail:;
    int e = errno;
    if (write(err_w, &e, sizeof e) < 0) _exit(127);
    _exit(127);
}

static char *next_item(char **cur, char *end) {
    char *item = *cur;
    char *nul = memchr(item, 0, (size_t)(end - item));
    if (!nul) return NULL;
    *cur = nul + 1;
    return item;
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    ctl = atoi(argv[1]);
    close(atoi(argv[2])); /* our own executable's descriptor */
    prctl(PR_SET_DUMPABLE, 0);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int i = 0; i < 3; i++) dup2(devnull, i);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) return 2;
    for (int i = 0; i < 3; i++)
        if (lstat(DIRS[i], &base[i]) != 0) return 2;
    probe_ids(last_ids);
    static char buf[MAX_REQUEST];
    static char *items[MAX_ITEMS + 2];
    static long long rl[64];
    send_text("R");
    for (;;) {
        struct iovec iov = {buf, sizeof buf - 1};
        char cbuf[CMSG_SPACE((NFDS + 1) * sizeof(int))];
        struct msghdr msg = {0};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof cbuf;
        ssize_t n = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC);
        if (n <= 0) _exit(0); /* the executor is gone */
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !c || c->cmsg_type != SCM_RIGHTS ||
            (c->cmsg_len != CMSG_LEN(NFDS * sizeof(int)) &&
             c->cmsg_len != CMSG_LEN((NFDS + 1) * sizeof(int))))
            _exit(4);
        int nfds = c->cmsg_len == CMSG_LEN(NFDS * sizeof(int)) ? NFDS : NFDS + 1;
        int persistent = nfds > NFDS;
        int fds[NFDS + 1];
        memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
        /* payload: NRL \0 (RES \0 VALUE \0)*NRL ARGC \0 ARGV.. ENVC \0 ENV.. */
        char *cur = buf, *end = buf + n, *it;
        if (!(it = next_item(&cur, end))) _exit(4);
        int nrl = atoi(it);
        if (nrl < 0 || nrl > 32) _exit(4);
        for (int i = 0; i < 2 * nrl; i++) {
            if (!(it = next_item(&cur, end))) _exit(4);
            rl[i] = strtoll(it, NULL, 10);
        }
        char **args = items, **env = NULL;
        int k = 0;
        for (int part = 0; part < 2; part++) {
            if (!(it = next_item(&cur, end))) _exit(4);
            int count = atoi(it);
            if (count < 0 || k + count > MAX_ITEMS) _exit(4);
            if (part == 1) env = items + k;
            for (int i = 0; i < count; i++)
                if (!(items[k++] = next_item(&cur, end))) _exit(4);
            items[k++] = NULL;
        }
        int errp[2];
        if (pipe2(errp, O_CLOEXEC) != 0) _exit(5);
        pid_t pid = fork();
        if (pid < 0) _exit(5);
        if (pid == 0) {
            close(ctl);
            close(sfd);
            close(errp[0]);
            child(fds, nfds, args, env, nrl, rl, errp[1]);
        }
        for (int i = 0; i < nfds; i++) close(fds[i]);
        close(errp[1]);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) _exit(5);
        send_msg("P", 1, pidfd);
        close(pidfd);
        int main_done = 0, exec_errno = 0;
        pid_t last = pid, check = 0; /* the newest task a check expects; a check waiting */
        for (;;) {
            struct pollfd p[2] = {{ctl, POLLIN, 0}, {sfd, POLLIN, 0}};
            if (poll(p, 2, -1) < 0) {
                if (errno == EINTR) continue;
                _exit(5);
            }
            if (p[0].revents) {
                /* During a run only a persistent one takes a request: "C<pid>", check the box
                   after one of its tasks, <pid> the newest it started; anything else (end of
                   file: the executor is gone) ends the box. */
                char req[32];
                ssize_t got = recv(ctl, req, sizeof req - 1, MSG_DONTWAIT);
                if (got <= 1 || !persistent || main_done || check || req[0] != 'C') _exit(0);
                req[got] = 0;
                check = (pid_t)atol(req + 1);
                if (check <= pid) _exit(4);
                last = check;
            }
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) > 0) {}
            int status;
            pid_t w;
            while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
                if (w == pid) {
                    int e = 0;
                    if (read(errp[0], &e, sizeof e) == sizeof e) exec_errno = e;
                    close(errp[0]);
                    char text[64];
                    snprintf(text, sizeof text, "X%d %d", status, exec_errno);
                    send_text(text);
                    main_done = 1;
                }
            }
            if (w < 0 && errno == ECHILD) break;
            if (check && !main_done && !others(pid)) { /* the task's processes are all gone */
                const char *why = leftover(check, pid);
                char text[128];
                snprintf(text, sizeof text, "I%s%s", *why ? "1" : "0", why);
                send_text(text);
                check = 0;
            }
        }
        if (!main_done) _exit(6);
        const char *why = leftover(last, 0);
        char text[128];
        snprintf(text, sizeof text, "I%s%s", *why ? "1" : "0", why);
        send_text(text);
    }
}
"""


def build(box_root: Path) -> Path | None:
    """Compile the supervisor once (cached by content hash); None without a C compiler."""
    # Executed inside the box as the slot's uid through a descriptor (the directory stays 0700).
    return build_helper(box_root, "warm", SOURCE, link=(("-static",),), mode=0o755)
