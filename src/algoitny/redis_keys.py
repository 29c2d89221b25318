"""Every Redis key the service writes, in one place (arq keeps its own ``arq:*``).

algoitny:events:{task_id}   stream   the task's events, in order; ids are the stream ids
algoitny:results:{task_id}  hash     index → finished test result (JSON): the worker's
                                     write-ahead log, written in the same MULTI as the
                                     test's event, so a rerun after a crash skips
                                     exactly the tests whose events were published
algoitny:task:{task_id}     hash     a custom run: its owner, language, code and stdin
algoitny:lease:{task_id}    string   the worker holding the task; expires unless renewed
algoitny:workers:{queue}    zset     worker id → when its announcement expires (epoch s): who to
                                     read without SCAN; members past their score are dead
algoitny:worker:{queue}:{worker_id}
                            string   the worker's announcement (JSON: languages, slots, version);
                                     TTL 3 heartbeats, so a dead worker disappears by itself
algoitny:pcache:{table}:{kind}:{platform}#{identifier}
                            string   the problem cache (``services/problem_cache.py``): kind
                                     ``problem`` (its item) or ``samples``, JSON, short TTL
"""

from __future__ import annotations

PREFIX = "algoitny:"
EVENTS = PREFIX + "events:"
RESULTS = PREFIX + "results:"
TASK = PREFIX + "task:"
LEASE = PREFIX + "lease:"
WORKERS = PREFIX + "workers:"
WORKER = PREFIX + "worker:"
PROBLEM_CACHE = PREFIX + "pcache:"
PROBLEM_CACHE_KINDS = ("problem", "samples")

# Arq's own prefix for "a worker is running this job" (arq.constants.in_progress_key_prefix).
ARQ_IN_PROGRESS = "arq:in-progress:"
# Arq's own prefix for a job's definition (arq.constants.job_key_prefix).
ARQ_JOB = "arq:job:"

# How long a finished task's events stay in Redis for late WebSocket clients;
# after that the stream is rebuilt from the table.
FINISHED_TTL_S = 3600
# A task not finished after this long is forgotten by Redis (the table keeps it).
TASK_TTL_S = 24 * 3600


def events(task_id: str) -> str:
    return EVENTS + task_id


def results(task_id: str) -> str:
    return RESULTS + task_id


def task(task_id: str) -> str:
    return TASK + task_id


def lease(task_id: str) -> str:
    return LEASE + task_id


def workers(queue_name: str) -> str:
    return WORKERS + queue_name


def worker(queue_name: str, worker_id: str) -> str:
    return f"{WORKER}{queue_name}:{worker_id}"


def problem_cache(table_name: str, kind: str, platform: str, identifier: str) -> str:
    return f"{PROBLEM_CACHE}{table_name}:{kind}:{platform}#{identifier}"
