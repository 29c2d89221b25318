/* Runs a shell that copies a binary into /tmp and /box and executes it. */
#include <stdlib.h>
int main(void) {
    return system("cp /bin/true /tmp/t && /tmp/t && cp /bin/true /box/t && /box/t "
                  "&& chmod u+s /box/t && echo from-shell") == 0 ? 0 : 1;
}
