# Input: the TCP port and UDP port of listeners on the worker's loopback.
import socket
import sys

tcp_port, udp_port = map(int, sys.stdin.read().split())
escaped = []
for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(1)
        s.connect((host, tcp_port))
        escaped.append(f"tcp {host}")
    except OSError:
        pass
    try:
        u = socket.socket(family, socket.SOCK_DGRAM)
        u.sendto(b"hello", (host, udp_port))
        escaped.append(f"udp {host}")
    except OSError:
        pass
for kind in (socket.SOCK_RAW,):
    try:
        socket.socket(socket.AF_PACKET, kind)
        escaped.append("packet")
    except OSError:
        pass
print("blocked" if not escaped else "escaped: " + ", ".join(escaped))
