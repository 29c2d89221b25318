import sys

chunk = "e" * 65536
while True:
    sys.stderr.write(chunk)
