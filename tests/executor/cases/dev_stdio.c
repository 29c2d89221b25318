/* Reads and writes through /dev/stdin and /dev/stdout by name (fopen), as some
 * accepted solutions do: the pipes must be reopenable by the program's uid. */
#include <stdio.h>
int main(void) {
    FILE *in = fopen("/dev/stdin", "r"), *out = fopen("/dev/stdout", "w");
    long a, b;
    if (!in || !out || fscanf(in, "%ld %ld", &a, &b) != 2) return 5;
    fprintf(out, "%ld\n", a + b);
    return 0;
}
