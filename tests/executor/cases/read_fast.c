/* 10^6 integers with scanf. */
#include <stdio.h>
int main(void) {
    int n; long long s = 0;
    if (scanf("%d", &n) != 1) return 1;
    for (int i = 0; i < n; i++) { int x; if (scanf("%d", &x) != 1) return 1; s += x; }
    printf("%lld\n", s);
    return 0;
}
