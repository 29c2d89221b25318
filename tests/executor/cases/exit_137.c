/* Fills the page cache up to the memory limit (reading the libraries the box sees), then
   exits with 137, which reads as "killed by SIGKILL": no OOM kill happened, so RE, not MLE. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
static char buf[1 << 16];
int main(void) {
    long total = 0;
    const char *dirs[] = {"/usr/lib/x86_64-linux-gnu", "/usr/lib/jvm", "/usr/bin"};
    for (int i = 0; i < 3; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dirs[i], e->d_name);
            FILE *f = fopen(path, "rb");
            if (!f) continue;
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, f)) > 0) total += (long)got;
            fclose(f);
            if (total > (128L << 20)) exit(137);
        }
        if (d) closedir(d);
    }
    exit(137);
}
