/* Source in cp1251, not UTF-8: привет */
#include <stdio.h>
int main(void) { puts("ok"); return 0; }
