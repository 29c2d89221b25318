/* Tries to lift its limits; lowering is allowed, raising must fail. */
#include <stdio.h>
#include <sys/resource.h>
int main(void) {
    int raised = 0;
    int which[] = {RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CORE, RLIMIT_STACK};
    for (int i = 0; i < 5; i++) {
        struct rlimit r; getrlimit(which[i], &r);
        struct rlimit up = {RLIM_INFINITY, RLIM_INFINITY};
        if (r.rlim_max != RLIM_INFINITY && setrlimit(which[i], &up) == 0) raised = 1;
    }
    puts(raised ? "raised" : "blocked");
    return 0;
}
