"""What a search returns is cut before it is stored on the submission or streamed."""

from __future__ import annotations

from algoitny.executor import Verdict
from algoitny.services.counterexample import SHOWN_CHARS, bounded
from algoitny.stress.engine import Counterexample, SearchOutcome


def test_a_megabyte_counterexample_is_cut_to_what_fits_in_an_item():
    huge = "1 " * (512 * 1024)  # a generated input of 1 MiB (no validator: never shrunk)
    found = Counterexample(huge, huge, huge, Verdict.WA, "wrong", size=12, tries=40, elapsed_ms=900)
    outcome = bounded(SearchOutcome(found, tries=40, elapsed_ms=900, exhausted=False))
    assert outcome.counterexample is not None
    texts = (outcome.counterexample.input, outcome.counterexample.expected, outcome.counterexample.output)
    assert all(len(t) < SHOWN_CHARS + 20 and t.startswith(huge[:SHOWN_CHARS]) for t in texts)
    assert all(t.endswith("(cut)\n") for t in texts)
    assert sum(len(t.encode()) for t in texts) < 100_000  # the item's other fields fit beside it


def test_a_small_counterexample_is_left_alone():
    found = Counterexample("1 1\n", "2\n", "3\n", Verdict.WA, "", size=1, tries=3, elapsed_ms=10)
    outcome = SearchOutcome(found, tries=3, elapsed_ms=10, exhausted=False)
    assert bounded(outcome) == outcome
