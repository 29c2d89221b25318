/* Opens inotify instances and watches until refused; the limits are per uid and are
 * released when the run ends (the next case on this slot would fail otherwise). */
#include <stdio.h>
#include <sys/inotify.h>
int main(void) {
    int instances = 0;
    for (;;) {
        int fd = inotify_init1(0);
        if (fd < 0) break;
        instances++;
        for (int i = 0; i < 1000; i++) inotify_add_watch(fd, "/usr", IN_ALL_EVENTS);
    }
    puts(instances > 0 ? "refused" : "none");
    return 0;
}
