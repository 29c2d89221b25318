/* A clean exit with status 3: RE carrying the exit code. */
int main(void) { return 3; }
