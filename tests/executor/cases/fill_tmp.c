/* Writes files into /tmp until the box's tmpfs says no. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    signal(SIGXFSZ, SIG_IGN);
    static char buf[1 << 20]; memset(buf, 'f', sizeof buf);
    for (int n = 0; n < 100000; n++) {
        char name[64]; snprintf(name, sizeof name, "/tmp/fill-%d", n);
        FILE *f = fopen(name, "w");
        if (!f) { puts("full"); return 0; }
        for (int i = 0; i < 16; i++) {
            if (fwrite(buf, 1, sizeof buf, f) != sizeof buf) { fclose(f); puts("full"); return 0; }
        }
        if (fclose(f) != 0) { puts("full"); return 0; }
    }
    puts("never full");
    return 0;
}
