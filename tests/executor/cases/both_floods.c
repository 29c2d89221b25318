/* Floods stdout and stderr at once from two threads: OLE, never a hung reader. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>
static char buf[1 << 16];
static void *flood_stderr(void *arg) { (void)arg; for (;;) write(2, buf, sizeof buf); return 0; }
int main(void) {
    memset(buf, 'x', sizeof buf);
    pthread_t t;
    pthread_create(&t, 0, flood_stderr, 0);
    for (;;) write(1, buf, sizeof buf);
}
