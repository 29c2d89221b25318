/* Memory hidden in in-memory files (memfd, /tmp): still charged to the run: MLE. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
    signal(SIGXFSZ, SIG_IGN);
    static char buf[1 << 20];
    memset(buf, 'm', sizeof buf);
    for (int i = 0; i < 64; i++) {
        int fd = memfd_create("hoard", 0);
        for (int mb = 0; mb < 60; mb++)
            if (write(fd, buf, sizeof buf) != sizeof buf) break;
    }
    puts("survived");
    return 0;
}
