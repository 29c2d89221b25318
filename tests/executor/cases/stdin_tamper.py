# Reopens its stdin (an in-memory file the worker made) for writing, directly and
# through the box's PID 1: the file is sealed, nothing can change it.
import os

changed = []
for path in ("/proc/self/fd/0", "/proc/1/fd/0"):
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        continue
    for attempt in (
        lambda: os.write(fd, b"tampered"),
        lambda: os.ftruncate(fd, 0),
        lambda: os.ftruncate(fd, 1 << 20),
    ):
        try:
            attempt()
            changed.append(path)
        except OSError:
            pass
print("sealed" if not changed else "changed: " + ", ".join(changed))
