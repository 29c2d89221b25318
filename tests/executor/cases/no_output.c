/* Prints nothing; the expected output is empty. */
int main(void) { return 0; }
