/* O_DIRECT, fallocate past the limits, a setuid file, a FIFO, symlinks and a hardlink
 * attempt in the box: refused or harmless, and gone after the run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
    signal(SIGXFSZ, SIG_IGN);
    int fd = open("/box/direct", O_CREAT | O_WRONLY | O_DIRECT, 0644);
    int bad = 0;
    fd = open("/box/big", O_CREAT | O_WRONLY, 0755);
    if (fallocate(fd, 0, 0, 1LL << 40) == 0) { puts("fallocate 1 TB"); bad = 1; }
    if (posix_fallocate(fd, 0, 512 << 20) == 0) { puts("fallocate 512 MB"); bad = 1; }
    fchmod(fd, 04755);
    mkfifo("/box/fifo", 0666);
    symlink("/etc", "/box/etc-link");
    symlink("/", "/tmp/root-link");
    if (link("/usr/bin/gcc", "/box/gcc-hardlink") == 0) { puts("hardlink"); bad = 1; }
    puts(bad ? "escaped" : "contained");
    return 0;
}
