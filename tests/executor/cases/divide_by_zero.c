/* Integer division by zero: SIGFPE. */
#include <stdio.h>
int main(void) { volatile int zero = 0; printf("%d\n", 5 / zero); return 0; }
