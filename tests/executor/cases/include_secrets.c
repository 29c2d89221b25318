/* The compiler is asked to include the host's secrets: none is visible in the box. */
#include </etc/shadow>
int main(void) { return 0; }
