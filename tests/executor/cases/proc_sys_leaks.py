# Looks for the host through /proc, /sys and /dev/mqueue; writes into /dev/shm (private).
import os

found = []
pids = [p for p in os.listdir("/proc") if p.isdigit()]
for pid in pids:
    for what in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{what}", "rb") as f:
                data = f.read()
        except OSError:
            continue
        for secret in (b"ALGOITNY_TEST_SECRET", b"pytest", b"algoitny judge", b"redis", b"/work/"):
            if secret in data:
                found.append(f"/proc/{pid}/{what} has {secret.decode()}")
for path in ("/proc/self/mountinfo", "/proc/1/mountinfo"):
    with open(path) as f:
        text = f.read()
    for host in ("/root", "/home", "/work", "/var/lib/docker", "/run/"):
        if host in text:
            found.append(f"{path} shows {host}")
for path in ("/sys", "/dev/mqueue", "/run", "/var"):
    if os.path.exists(path):
        found.append(f"{path} exists")
for path in ("/dev/mqueue/x", "/sys/fs/cgroup/x", "/proc/sys/kernel/hostname"):
    try:
        with open(path, "w") as f:
            f.write("x")
        found.append(f"wrote {path}")
    except OSError:
        pass
try:  # /dev/shm is the box's own tmpfs: writable, gone with the box
    with open("/dev/shm/algoitny-escape-marker", "w") as f:
        f.write("box only")
    os.mkfifo("/tmp/fifo")
    os.symlink("/etc/passwd", "/box/passwd-link")
except OSError as exc:
    found.append(f"fifo/symlink in the box failed: {exc}")
print("clean" if not found else "leaked: " + "; ".join(found))
