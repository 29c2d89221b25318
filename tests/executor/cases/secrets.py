# Looks for the worker's secret and for files it must not read.
import os

found = []
if any("ALGOITNY_TEST_SECRET" in k for k in os.environ):
    found.append("own environment")
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if b"ALGOITNY_TEST_SECRET" in f.read():
                    found.append(f"/proc/{pid}/environ")
        except OSError:
            pass
for path in (
    "/etc/shadow",
    "/etc/passwd",
    "/root/.bashrc",
    "/proc/1/root/etc/shadow",
    "/home",
    "/var/lib",
    "/work",
    "/sys/kernel",
):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        found.append(path)
    except OSError:
        pass
if len([p for p in os.listdir("/proc") if p.isdigit()]) > 5:
    found.append("sees host processes")
print("clean" if not found else "leaked: " + ", ".join(found))
