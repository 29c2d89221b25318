/* The host kernel's command line must not be visible: /proc/cmdline is an empty file. */
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/proc/cmdline", "rb");
    long n = 0;
    if (f) while (fgetc(f) != EOF) n++;
    printf("%s %ld\n", f ? "open" : "missing", n);
    return 0;
}
