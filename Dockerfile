# The API and worker image. The worker needs bubblewrap and the compilers it judges with;
# run it with --privileged (or CAP_SYS_ADMIN + a writable cgroup) so the sandbox can
# create namespaces and cgroups.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tini bubblewrap libseccomp2 gcc g++ openjdk-17-jdk-headless nodejs \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
RUN pip install --no-cache-dir .

ENV ALGOITNY_API__HOST=0.0.0.0
EXPOSE 8000
# `algoitny api`, `algoitny worker` or `algoitny migrate`. tini is PID 1: it forwards signals
# and reaps any orphan that is not ours (the executor reaps its own boxes as a subreaper).
ENTRYPOINT ["tini", "--", "algoitny"]
CMD ["api"]
