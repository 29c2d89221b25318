"""The seccomp filter every sandboxed process runs under, built once per process.

Blocked calls fail with EPERM instead of killing the process, so runtimes that probe
for a feature (libuv tries io_uring, glibc tries clone3) fall back quietly, and a
program that tries to open a socket sees an ordinary error it can print. Syscalls of
a foreign architecture (int 0x80, x32) kill the process: the filter cannot vet them.

The filter is exported as BPF into a memfd; each run gets its own read-only
descriptor on it (bwrap reads the descriptor to its end, so it cannot be shared).
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import threading

import pyseccomp as sc

# Calls no judged program needs, each of which widens the kernel attack surface or
# lets a program observe or influence something outside its box.
DENIED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "syslog",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "iopl",
    "ioperm",
    "lookup_dcookie",
    "name_to_handle_at",
    "open_by_handle_at",
    "fanotify_init",
    "personality",
    "vhangup",
    "nfsservctl",
    "uselib",
    "ustat",
    "sysfs",
    "_sysctl",
    "create_module",
    "get_kernel_syms",
    "query_module",
    "landlock_create_ruleset",
    "memfd_secret",
)

# clone() flags that would create namespaces inside the box.
_CLONE_NEW = 0x7E020000  # NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
_TIOCSTI = 0x5412

SEALS = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
_lock = threading.Lock()
_memfd: int | None = None


def build_filter() -> sc.SyscallFilter:
    f = sc.SyscallFilter(sc.ALLOW)
    eperm = sc.ERRNO(errno.EPERM)
    for name in DENIED:
        try:
            f.add_rule(eperm, name)
        except (OSError, ValueError):
            pass  # not a syscall on this architecture / libseccomp version
    # Sockets: only AF_UNIX (runtimes use socketpair for internal plumbing).
    f.add_rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    f.add_rule(sc.ERRNO(errno.EACCES), "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
    # clone3 passes its flags in memory the filter cannot read: make libc fall back.
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    for bit in _bits(_CLONE_NEW):
        f.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, bit, bit))
    f.add_rule(eperm, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, _TIOCSTI))
    return f


def _bits(mask: int) -> list[int]:
    return [1 << i for i in range(32) if mask & (1 << i)]


def filter_fd() -> int:
    """A fresh read-only descriptor on the exported BPF program. Caller closes it."""
    global _memfd
    with _lock:
        if _memfd is None:
            fd = os.memfd_create("algoitny-seccomp", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
            with os.fdopen(os.dup(fd), "wb") as sink:
                build_filter().export_bpf(sink)
            # Shared by every run: sealed so that no descriptor on it can ever change it.
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, SEALS)
            _memfd = fd
    return os.open(f"/proc/self/fd/{_memfd}", os.O_RDONLY | os.O_CLOEXEC)
