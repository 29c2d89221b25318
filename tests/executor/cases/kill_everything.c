/* kill(-1), the box's PID 1 (its parent) and every pid it can name. Nothing outside
 * the box may notice: not the worker, not another slot. The program itself survives
 * (kill(-1) spares the caller; the box's init ignores signals from inside). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    kill(-1, SIGKILL);
    kill(getppid(), SIGKILL);
    kill(1, SIGTERM);
    for (int pid = 2; pid < 70000; pid++)
        if (pid != getpid()) kill(pid, SIGKILL);
    puts("alive");
    return 0;
}
