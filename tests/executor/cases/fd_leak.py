# Lists its open descriptors: only stdin, stdout and stderr may be inherited (no
# socket of the worker's Redis or DynamoDB client, no pipe of another run).
import os

extra = []
for name in os.listdir("/proc/self/fd"):  # includes listdir's own, closed descriptor
    if int(name) > 2:
        try:
            extra.append(f"{name}->{os.readlink('/proc/self/fd/' + name)}")
        except FileNotFoundError:
            pass
kinds = [os.readlink(f"/proc/self/fd/{fd}") for fd in (1, 2)]
leaked = extra + [k for k in kinds if not k.startswith("pipe:")]
print("clean" if not leaked else "leaked: " + ", ".join(leaked))
