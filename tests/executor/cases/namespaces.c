/* Tries to build its own namespaces, chroot and mount: all refused. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
static char stack[1 << 16];
static int child(void *arg) { (void)arg; return 0; }
int main(void) {
    int escaped = 0;
    if (unshare(CLONE_NEWUSER) == 0) { puts("unshare(CLONE_NEWUSER)"); escaped = 1; }
    if (unshare(CLONE_NEWNS) == 0) { puts("unshare(CLONE_NEWNS)"); escaped = 1; }
    if (clone(child, stack + sizeof stack, CLONE_NEWUSER | SIGCHLD, 0) >= 0) { puts("clone(CLONE_NEWUSER)"); escaped = 1; }
    if (clone(child, stack + sizeof stack, CLONE_NEWNET | SIGCHLD, 0) >= 0) { puts("clone(CLONE_NEWNET)"); escaped = 1; }
    struct { unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; }
        args = {CLONE_NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0};
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) _exit(0);
    if (pid > 0) { puts("clone3(CLONE_NEWUSER)"); escaped = 1; }
    if (chroot("/tmp") == 0) { puts("chroot"); escaped = 1; }
    if (mount("none", "/tmp", "tmpfs", 0, 0) == 0) { puts("mount"); escaped = 1; }
    if (umount2("/prog", MNT_DETACH) == 0) { puts("umount"); escaped = 1; }
    if (syscall(SYS_setns, 0, 0) == 0) { puts("setns"); escaped = 1; }
    puts(escaped ? "escaped" : "blocked");
    return 0;
}
