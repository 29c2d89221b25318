#include <errno.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    int escaped = 0;
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0) escaped = 1;
    pid_t child = fork();
    if (child == 0) { pause(); return 0; }
    if (ptrace(PTRACE_ATTACH, child, 0, 0) == 0) escaped = 1;
    if (ptrace(PTRACE_ATTACH, 1, 0, 0) == 0) escaped = 1;
    puts(escaped ? "escaped" : "blocked");
    return 0;
}
