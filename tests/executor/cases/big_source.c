/* Padded to 10 MB by the test (one long comment line). */
#include <stdio.h>
int main(void) { puts("ok"); return 0; }
