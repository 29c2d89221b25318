/* Socket families other than AF_UNIX: vsock (the VM's host channel on Firecracker-like
 * hosts, not isolated by network namespaces), netlink, packet, IPv6. All refused. */
#include <stdio.h>
#include <sys/socket.h>
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
int main(void) {
    int families[] = {AF_VSOCK, AF_NETLINK, AF_PACKET, AF_INET6, AF_INET, AF_BLUETOOTH, AF_ALG};
    int opened = 0;
    for (unsigned i = 0; i < sizeof families / sizeof *families; i++) {
        int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW};
        for (int t = 0; t < 3; t++)
            if (socket(families[i], types[t], 0) >= 0) { printf("family %d type %d\n", families[i], types[t]); opened = 1; }
    }
    int pair[2];
    if (socketpair(AF_INET, SOCK_STREAM, 0, pair) == 0) { puts("socketpair inet"); opened = 1; }
    puts(opened ? "escaped" : "blocked");
    return 0;
}
