# Tries to write everywhere; only /box and /tmp (private tmpfs) may accept.

escaped = []
for path in (
    "/usr/escape",
    "/etc/escape",
    "/prog/escape",
    "/escape",
    "/proc/escape",
    "/dev/escape",
    "/var/tmp/escape",
    "/root/escape",
    "/home/escape",
):
    try:
        with open(path, "w") as f:
            f.write("x")
        escaped.append(path)
    except OSError:
        pass
for path in ("/tmp/algoitny-escape-marker", "/box/ok"):
    with open(path, "w") as f:
        f.write("inside the box only")
print("contained" if not escaped else "escaped: " + ", ".join(escaped))
