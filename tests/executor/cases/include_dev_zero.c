/* An endless include: the compile limit stops it (CE). */
#include </dev/zero>
int main(void) { return 0; }
