# The answer without a final newline (and with CRLF inside).
import sys

sys.stdout.write("1 2\r\n3")
