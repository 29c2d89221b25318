# UTF-8 text out, with trailing spaces the lines checker ignores.
import sys

sys.stdout.buffer.write("안녕하세요 세계  \nñandú ☃\n".encode())
