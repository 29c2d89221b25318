# About 10 MB of output in one write.
import sys

sys.stdout.write("\n".join(str(i * 1000003 % 998244353) for i in range(1000000)) + "\n")
