"""Which stream records count as a finished submission (pure: no table)."""

from __future__ import annotations

import datetime as dt

from algoitny.indexer.records import ChangeRecord
from algoitny.indexer.statistics import finished_submission
from algoitny.table.stats import streaks

META = {"PK": "HIST#s1", "SK": "META"}
QUEUED = {
    "tp": "hist",
    "sid": "s1",
    "uid": "u1",
    "plt": "boj",
    "pno": "1000",
    "lng": "python",
    "crt": 5,
    "sts": "queued",
}
DONE = QUEUED | {"sts": "done", "res": "WA"}
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _record(event, old, new, keys=META) -> ChangeRecord:
    return ChangeRecord(event, keys, old, new, "1", "shard", NOW)


def test_the_change_to_done_counts_and_nothing_else():
    found = finished_submission(_record("MODIFY", QUEUED, DONE))
    assert found is not None and (found.submission_id, found.verdict, found.created_at) == ("s1", "WA", 5)
    assert finished_submission(_record("INSERT", None, DONE)) is not None, "an imported finished submission"
    assert finished_submission(_record("INSERT", None, QUEUED)) is None
    assert finished_submission(_record("MODIFY", DONE, DONE | {"hnt": "x"})) is None, "hints saved later"
    assert finished_submission(_record("REMOVE", QUEUED, None)) is None
    assert finished_submission(_record("MODIFY", QUEUED, DONE, {"PK": "HIST#s1", "SK": "RES#00001"})) is None
    assert finished_submission(_record("MODIFY", QUEUED, DONE | {"tp": "prob"})) is None


def test_a_finished_submission_without_its_keys_is_left_out_not_retried_forever():
    broken = {k: v for k, v in DONE.items() if k != "uid"}
    assert finished_submission(_record("MODIFY", QUEUED, broken)) is None


def test_streaks_count_consecutive_utc_days():
    days = {"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05", "2026-01-06"}
    assert streaks(days, dt.date(2026, 1, 6)) == (2, 3)
    assert streaks(days, dt.date(2026, 1, 7)) == (2, 3), "today is not over yet"
    assert streaks(days, dt.date(2026, 1, 8)) == (0, 3)
    assert streaks(set(), dt.date(2026, 1, 8)) == (0, 0)
