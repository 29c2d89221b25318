/* About 10 MB of output, one number a line. */
#include <stdio.h>
int main(void) {
    for (long long i = 0; i < 1000000; i++) printf("%lld\n", i * 1000003 % 998244353);
    return 0;
}
