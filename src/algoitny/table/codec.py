"""Long (domain) ↔ short (stored) attribute names, declared once per entity.

Stored items use the seeds' short names (``tit``, ``url``, ``tag``, ``inp``,
``out`` …) to keep items small, and every item carries its entity type under
``tp``. A short name is never renamed once written; add new ones instead.
Values are converted to and from DynamoDB's typed JSON here, so repositories
work with plain Python values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer

ENTITY_TYPE = "tp"
# Key and index attributes pass through unrenamed.
KEY_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "ttl"})

_serializer = TypeSerializer()


def to_dynamo(value: Any) -> dict[str, Any]:
    return _serializer.serialize(_decimals(value))


def _decimals(value: Any) -> Any:
    """DynamoDB numbers are Decimals; floats anywhere inside become exact Decimals."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    return value


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def from_dynamo(value: dict[str, Any]) -> Any:
    """Typed JSON → plain Python (numbers as int or float, not Decimal).

    Hand-written rather than boto3's TypeDeserializer: it runs for every
    attribute of every item read, and this is ~4x faster.
    """
    ((kind, raw),) = value.items()
    if kind == "S" or kind == "BOOL":
        return raw
    if kind == "N":
        return _number(raw)
    if kind == "M":
        return {k: from_dynamo(v) for k, v in raw.items()}
    if kind == "L":
        return [from_dynamo(v) for v in raw]
    if kind == "B":
        return bytes(raw)
    if kind == "NULL":
        return None
    if kind == "SS" or kind == "BS":
        return set(raw)
    if kind == "NS":
        return {_number(n) for n in raw}
    raise ValueError(f"unknown DynamoDB type {kind!r}")


@dataclass(frozen=True)
class EntityCodec:
    """One entity's name map: ``{"title": "tit", ...}`` (long → short)."""

    entity_type: str
    names: dict[str, str]
    _short_to_long: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        shorts = list(self.names.values())
        if len(set(shorts)) != len(shorts):
            raise ValueError(f"{self.entity_type}: two fields share a short name")
        if ENTITY_TYPE in shorts or KEY_ATTRIBUTES & set(shorts):
            raise ValueError(f"{self.entity_type}: short name collides with a reserved one")
        object.__setattr__(self, "_short_to_long", {short: long for long, short in self.names.items()})

    def short(self, name: str) -> str:
        return self.names[name]

    def encode(self, fields: dict[str, Any], keys: dict[str, str] | None = None) -> dict[str, Any]:
        """Domain fields (+ key attributes) → a typed DynamoDB item. ``None`` is dropped."""
        item = {k: {"S": v} for k, v in (keys or {}).items()}
        item[ENTITY_TYPE] = {"S": self.entity_type}
        for name, value in fields.items():
            if value is not None:
                item[self.names[name]] = to_dynamo(value)
        return item

    def update_expression(self, changes: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
        """``SET``/``REMOVE`` for domain-named ``changes`` (``None`` removes): the expression,
        its attribute names (``#fN``) and values (``:vN``)."""
        names, values, sets, removes = {}, {}, [], []
        for index, (name, value) in enumerate(changes.items()):
            names[f"#f{index}"] = self.names[name]
            if value is None:
                removes.append(f"#f{index}")
            else:
                values[f":v{index}"] = to_dynamo(value)
                sets.append(f"#f{index} = :v{index}")
        expression = " ".join(
            part
            for part in (
                "SET " + ", ".join(sets) if sets else "",
                "REMOVE " + ", ".join(removes) if removes else "",
            )
            if part
        )
        return expression, names, values

    def shorten(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Plain domain fields → a plain map with short names (a nested map's contents)."""
        return {self.names[name]: value for name, value in fields.items() if value is not None}

    def lengthen(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The inverse of ``shorten`` (unknown names are left out)."""
        return {self._short_to_long[k]: v for k, v in stored.items() if k in self._short_to_long}

    def decode(self, item: dict[str, Any]) -> dict[str, Any]:
        """A typed DynamoDB item → domain fields; keys and unknown names are left out."""
        return {
            self._short_to_long[short]: from_dynamo(value)
            for short, value in item.items()
            if short in self._short_to_long
        }


PROBLEM = EntityCodec(
    "prob",
    {
        "platform": "plt",
        "identifier": "pno",
        "legacy_id": "lid",
        "title": "tit",
        "url": "url",
        "tags": "tag",
        "statement": "stm",
        "constraints": "con",
        "time_limit_ms": "tlm",
        "memory_limit_mb": "mlm",
        "checker": "chk",
        "solution_code": "sol",
        "solution_language": "lng",
        "status": "sts",
        "review_flags": "rvf",
        "created_by": "cby",
        "deleted": "del",
        "execution_count": "exc",
        "test_case_count": "tcc",
        "created_at": "crt",
        "updated_at": "upd",
    },
)

PROBLEM_TAG = EntityCodec("ptag", {"tag": "tag"})

LEGACY_ID = EntityCodec("lid", {"platform": "plt", "identifier": "pno", "legacy_id": "lid"})

TEST_CASE = EntityCodec(
    "tc",
    {
        "test_case_id": "tid",
        "kind": "knd",
        "position": "ord",
        "input": "inp",
        "output": "out",
        "input_size": "isz",
        "output_size": "osz",
        "input_chunks": "inc",
        "output_chunks": "onc",
        "input_preview": "ipv",
        "output_preview": "opv",
        "created_at": "crt",
    },
)

TEST_CASE_CHUNK = EntityCodec("tcch", {"data": "dat"})

MIGRATION = EntityCodec("mig", {"number": "num", "name": "nam", "applied_at": "apl"})

SUBMISSION = EntityCodec(
    "hist",
    {
        "submission_id": "sid",
        "user_id": "uid",
        "platform": "plt",
        "identifier": "pno",
        "problem_title": "ptt",
        "language": "lng",
        "code": "cod",
        "public": "pub",
        "status": "sts",
        "verdict": "res",
        "passed": "psc",
        "failed": "fsc",
        "total": "toc",
        "max_cpu_ms": "mxt",
        "max_memory_kb": "mxm",
        "compile_message": "cer",
        "created_at": "crt",
        "finished_at": "fin",
        "counterexample_status": "cxs",
        "counterexample_started_at": "cxt",
        "counterexample": "cxe",
    },
)

# The ``counterexample`` map on a submission (a ``stress.engine.Counterexample``).
COUNTEREXAMPLE = EntityCodec(
    "hist.cx",
    {
        "input": "inp",
        "expected": "exp",
        "output": "out",
        "verdict": "res",
        "checker_message": "msg",
        "size": "siz",
        "tries": "try",
        "elapsed_ms": "ems",
    },
)

# A problem's stress setup (table/stress.py): its own item, never read with the problem.
# A search that is running (or queued): one item per search, in one partition, so workers
# find the searches whose job was lost without a Scan (``services/search_recovery.py``).
RUNNING_SEARCH = EntityCodec("cxrun", {"submission_id": "sid", "started_at": "cxt"})

STRESS_SETUP = EntityCodec(
    "pstress",
    {
        "platform": "plt",
        "identifier": "pno",
        "generator": "gen",
        "validator": "val",
        "size_min": "smn",
        "size_max": "smx",
        "source": "src",
        "updated_at": "upd",
    },
)

TEST_RECORD = EntityCodec(
    "trs",
    {
        "index": "idx",
        "test_case_id": "tid",
        "verdict": "sts",
        "passed": "pas",
        "cpu_ms": "cpu",
        "wall_ms": "wal",
        "memory_kb": "mem",
        "exit_code": "ext",
        "signal": "sig",
        "output": "out",
        "error": "err",
        "checker_message": "msg",
        "input_excerpt": "inx",
        "expected_excerpt": "exx",
        "full_output": "fou",
        "output_truncated": "otr",
        "first_difference": "fdf",
    },
)

GENERATION_JOB = EntityCodec(
    "genjob",
    {
        "job_id": "jid",
        "kind": "knd",
        "platform": "plt",
        "identifier": "pno",
        "created_by": "own",
        "status": "sts",
        "step": "stp",
        "done": "dne",
        "total": "tot",
        "script": "scr",
        "script_source": "ssr",
        "counts": "cts",
        "attempts": "att",
        "max_attempts": "mxa",
        "error": "err",
        "previous_error": "per",
        "previous_answer": "pan",
        "added": "add",
        "existing": "exi",
        "dropped": "drp",
        "cancel_requested": "cxl",
        "tokens": "tok",
        "retry_of": "rto",
        "worker": "wrk",
        "created_at": "crt",
        "updated_at": "upd",
        "finished_at": "fin",
    },
)

# Written onto the submission's own item (entity ``hist``) by the hints service.
SUBMISSION_HINTS = EntityCodec(
    "hist", {"hints": "hnt", "source": "hns", "tokens": "htk", "created_at": "hat", "provisional": "hpv"}
)

PROBLEM_HINTS = EntityCodec(
    "phint",
    {
        "platform": "plt",
        "identifier": "pno",
        "levels": "lvl",
        "source": "src",
        "tokens": "tok",
        "updated_at": "upd",
    },
)

# ``legacy_window``: the last legacy-import window added to the counter (see table/legacy_import.py).
USAGE = EntityCodec("usage", {"action": "act", "count": "cnt", "day": "day", "legacy_window": "lgw"})

USER = EntityCodec(
    "user",
    {
        "user_id": "uid",
        "email": "eml",
        "name": "nam",
        "google_id": "gid",
        "role": "rol",
        "plan": "pln",
        "privacy_consent_at": "cpr",
        "terms_consent_at": "ctr",
        "code_ownership_consent_at": "ccd",
        "created_at": "crt",
        "last_login_at": "lli",
        "active": "act",
    },
)

USER_POINTER = EntityCodec("uptr", {"user_id": "uid"})

PLAN = EntityCodec(
    "plan",
    {
        "name": "nam",
        "display_name": "dnm",
        "daily_executions": "dex",
        "daily_hints": "dhn",
        "can_register_problems": "crp",
        "paid": "pad",
        "daily_stress": "dst",
        "created_at": "crt",
        "updated_at": "upd",
    },
)

TOKEN_FAMILY = EntityCodec(
    "tokfam", {"user_id": "uid", "current": "cur", "revoked": "rev", "created_at": "crt"}
)

DAILY_STATS = EntityCodec("dstats", {"day": "day", "legacy_window": "lgw"})

IMPORT_CHECKPOINT = EntityCodec(
    "impchk", {"entity": "ent", "done": "dne", "high": "hig", "position": "pos", "updated_at": "upd"}
)

# The stream indexer (docs/indexer.md). Statistics items also hold per-key counters named
# ``{prefix}:{key}`` (``lng:python``, ``plt:boj``, ``vrd:WA``), decoded in ``table/stats.py``.
SHARD_STATE = EntityCodec(
    "shard",
    {
        "shard_id": "sid",
        "stream_arn": "str",
        "owner": "own",
        "lease_expires_at": "exp",
        "sequence": "seq",
        "finished": "fin",
        "lag_ms": "lag",
        "lag_measured_at": "lat",
    },
)

STATS_COUNTED = EntityCodec("counted", {"submission_id": "sid"})

USER_PROBLEM = EntityCodec(
    "uprob", {"user_id": "uid", "platform": "plt", "identifier": "pno", "solved": "sol"}
)

USER_COUNTS = EntityCodec(
    "ucounts",
    {
        "user_id": "uid",
        "submissions": "sub",
        "accepted": "acc",
        "problems_tried": "ptr",
        "problems_solved": "pso",
        "accepted_days": "acd",
        "first_activity_at": "fst",
        "last_activity_at": "lst",
    },
)

PROBLEM_STATS = EntityCodec(
    "pstats",
    {
        "platform": "plt",
        "identifier": "pno",
        "submissions": "sub",
        "accepted": "acc",
        "users_tried": "utr",
        "users_solved": "uso",
    },
)

SUBMISSION_TOTALS = EntityCodec("totals", {"submissions": "sub", "accepted": "acc"})
