# 10^6 integers through sys.stdin.buffer, the fast Python idiom.
import sys

data = sys.stdin.buffer.read().split()
print(sum(map(int, data[1:])))
