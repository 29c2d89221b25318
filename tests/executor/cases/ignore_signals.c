/* Ignores every catchable signal and spins: only SIGKILL ends it. TLE. */
#include <signal.h>
int main(void) {
    for (int s = 1; s < 65; s++) signal(s, SIG_IGN);
    volatile unsigned long x = 0;
    for (;;) x++;
}
