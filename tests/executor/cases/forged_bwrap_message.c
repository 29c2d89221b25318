/* Pretends the sandbox failed: bwrap's own message on stderr, exit 1. Must be RE, not IE. */
#include <stdio.h>
int main(void) {
    fputs("bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n", stderr);
    return 1;
}
