/* Input: the TCP port of a listener on the worker's loopback (e.g. Redis). */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int port; if (scanf("%d", &port) != 1) return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) { puts("blocked"); return 0; }
    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    puts(connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? "escaped" : "blocked");
    return 0;
}
