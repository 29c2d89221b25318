// ~300 bytes of source, a 240 MB binary: an initialised array lives in .data, in the file.
int a[60000000] = {1};
int main() { return a[12345]; }
