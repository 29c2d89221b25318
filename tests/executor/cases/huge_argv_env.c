/* Re-executes itself with a 20 MB argument list and environment: refused (E2BIG) or
 * run, never harmful. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc > 1) { puts("ok"); return 0; }
    size_t n = 20000;
    char *s = malloc(1000); memset(s, 'a', 999); s[999] = 0;
    char **a = malloc((n + 2) * sizeof *a);
    a[0] = argv[0];
    for (size_t i = 1; i <= n; i++) a[i] = s;
    a[n + 1] = NULL;
    execve("/proc/self/exe", a, a + 1);
    puts(errno == E2BIG ? "ok" : "unexpected");
    return 0;
}
