/* Leaves a daemonized grandchild behind that would write a marker much later. */
#include <stdio.h>
#include <unistd.h>
int main(void) {
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            for (int i = 0; i < 600; i++) sleep(1);
            FILE *f = fopen("/tmp/algoitny-background-marker", "w");
            if (f) fputs("survived", f);
            return 0;
        }
        return 0;
    }
    puts("ok");
    return 0;
}
