/* The parent prints and exits; its child waits until it is orphaned, then prints too. The
   run lasts until its last process exits, so both lines are judged, every time. */
#include <stdio.h>
#include <unistd.h>
int main(void) {
    pid_t parent = getpid();
    fflush(stdout);
    if (fork() == 0) {
        while (getppid() == parent) usleep(100);
        usleep(50000);
        puts("child");
        return 0;
    }
    puts("parent");
    return 0;
}
