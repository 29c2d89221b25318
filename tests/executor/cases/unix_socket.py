# Input: the path of a Unix socket on the host and the name of an abstract socket.
import socket
import sys

path, abstract = sys.stdin.read().split()
escaped = []
for address in (path, "\0" + abstract):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
        escaped.append(repr(address))
    except OSError:
        pass
print("blocked" if not escaped else "escaped: " + ", ".join(escaped))
