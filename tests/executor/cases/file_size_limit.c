/* Writes one file past the box size: SIGXFSZ (RLIMIT_FSIZE), an RE. */
#define _GNU_SOURCE
#include <fcntl.h>
int main(void) { int fd = open("/tmp/huge", O_CREAT | O_WRONLY, 0644); return fallocate(fd, 0, 0, 1LL << 40); }
