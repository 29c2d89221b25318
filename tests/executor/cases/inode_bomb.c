/* Creates empty files in /tmp until refused: inodes are kernel memory charged to the
 * run, so the memory limit stops it (MLE), not the host. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
    char name[64];
    long n = 0;
    mkdir("/tmp/d", 0755);
    for (;;) {
        snprintf(name, sizeof name, "/tmp/d/%ld", n);
        int fd = open(name, O_CREAT | O_WRONLY, 0644);
        if (fd < 0) break;
        close(fd);
        n++;
    }
    printf("stopped after %ld\n", n);
    return 0;
}
