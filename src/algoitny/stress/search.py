"""The search itself: find the first failing (size, seed), then shrink it.

1. **Find.** Sizes from ``size_min`` up to ``size_max``; at each, ``seeds_per_size``
   seeds (``seed``: a hash of (size, index), the same on every run). The first size where
   some seed fails wins; among its seeds, the lowest index. Each size gets up to
   ``rounds`` rounds of new seeds, the next round of a size once the search is
   ``DEEPEN_AFTER`` sizes past it (``_schedule``).
2. **Smaller sizes, other seeds.** Every size below the hit gets ``extra_seeds`` more
   seeds, smallest size first; the first that fails replaces the hit. A size where all
   seeds printed the same input (the generator ignores the seed there) is skipped; below
   a TLE, MLE or OLE only the two sizes under it are tried (resources grow with size).
3. **Shrink the input** (only with a validator: without one nothing says a mutated input
   is still valid): the passes of ``shrink`` in turn, until none of them finds a lighter
   variant that the validator accepts, the reference solves and the candidate fails.
   Without a validator, ``extra_seeds`` other seeds at the best's own size instead: the
   shortest failing input wins.

Runs go out in windows as wide as the slot count (of (size, seed) keys in schedule
order; of variants) and the winner of a window is always its first failing entry in
order, so the outcome is the same whatever the slot count or the order runs finish in —
only where the budget cuts it may differ.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass

from algoitny.executor import Verdict

from . import shrink
from .models import Progress, ProgressCallback, StressSetup
from .trials import Lab, Status, Trial, digest

Key = tuple[int, int]  # (size, seed index)

RESOURCE_FAILURES = frozenset({Verdict.TLE, Verdict.MLE, Verdict.OLE})
RESOURCE_SIZES_BELOW = 2  # sizes below a TLE/MLE/OLE hit that get more seeds
DEEPEN_AFTER = 5  # sizes between one round of a size and the next
MAX_SHRINK_BYTES = 64 * 1024  # bigger inputs are shown as found: re-rendering each variant costs O(input)


class OutOfBudget(Exception):
    """The budget ran out; the best found so far stands."""


class BrokenSetup(Exception):
    """The generator, validator or reference cannot produce one usable input."""


def seed(size: int, index: int) -> int:
    digest = hashlib.blake2b(f"{size}:{index}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


@dataclass(frozen=True, slots=True)
class Found:
    trial: Trial
    size: int
    tries: int  # runs spent when it was found
    elapsed_ms: int


class Search:
    def __init__(
        self,
        lab: Lab,
        setup: StressSetup,
        *,
        seeds_per_size: int,
        rounds: int,
        extra_seeds: int,
        on_progress: ProgressCallback | None,
        progress_interval_s: float,
    ) -> None:
        self.lab = lab
        self.setup = setup
        self.seeds_per_size = seeds_per_size
        self.rounds = rounds
        self.extra_seeds = extra_seeds
        self.on_progress = on_progress
        self.progress_interval_s = progress_interval_s
        self.best: Found | None = None
        self.first_hit: Found | None = None  # before any shrinking
        self._last_progress: float | None = None
        self._seedless: set[int] = set()  # sizes where every seed gave the same input
        self._first_round: dict[int, list[bytes]] = {}  # size -> digests of its round-0 inputs

    async def run(self) -> None:
        """Raises ``OutOfBudget`` or ``BrokenSetup``; ``best`` holds what was found."""
        hit = await self._find()
        if hit is None:
            return
        self.first_hit = hit
        self.best = hit
        smaller = await self._smaller(hit)
        if smaller is not None:
            self.best = smaller
        if self.setup.validator is None:
            await self._shorter()
        elif len(self.best.trial.input) <= MAX_SHRINK_BYTES:
            await self._shrink_input()

    async def _find(self) -> Found | None:
        per_round = self.seeds_per_size

        def keys() -> Iterator[Key]:
            for size, round in self._schedule():
                if round == 0 or size not in self._seedless:  # read as the search goes
                    yield from ((size, i) for i in range(round * per_round, (round + 1) * per_round))

        hit = await self._first_failure(keys(), check_setup=True)
        if hit is None:
            self._check_setup(final=True)
        return hit

    def _schedule(self) -> Iterator[tuple[int, int]]:
        """(size, round) in the order tried: round r of a size comes after round 0 of the
        size ``r * DEEPEN_AFTER`` above it — small sizes get new seeds long before the
        search reaches the large ones (most bugs show on small inputs with the right values).
        Lazy: a size range of any width costs nothing until the search gets there."""
        low, high = self.setup.size_min, self.setup.size_max
        for step in itertools.count():
            if step - DEEPEN_AFTER * (self.rounds - 1) > high - low:
                return
            for round in range(self.rounds):
                size = low + step - DEEPEN_AFTER * round
                if low <= size <= high:
                    yield size, round

    async def _smaller(self, hit: Found) -> Found | None:
        first = self.rounds * self.seeds_per_size  # seed indices no round used
        low = self.setup.size_min
        assert hit.trial.result is not None
        if hit.trial.result.verdict in RESOURCE_FAILURES:
            # Time and memory grow with the size: far below the hit nothing runs out.
            low = max(low, hit.size - RESOURCE_SIZES_BELOW)
        keys = (
            (size, i)
            for size in range(low, hit.size)
            if size not in self._seedless
            for i in range(first, first + self.extra_seeds)
        )
        return await self._first_failure(keys, check_setup=False)

    async def _shorter(self) -> None:
        """Without a validator inputs are never mutated: the best's own size gets the
        ``extra_seeds`` other seeds too, and the shortest failing input among them wins."""
        assert self.best is not None
        size = self.best.size
        if size in self._seedless:
            return
        first = self.rounds * self.seeds_per_size
        keys = iter([(size, i) for i in range(first, first + self.extra_seeds)])
        while batch := list(itertools.islice(keys, self.lab.slots)):
            for hit in await self._try_keys(batch):
                if hit.trial.status is Status.FAILED and len(hit.trial.input) < len(self.best.trial.input):
                    self.best = hit
            if self.lab.meter.exhausted:
                raise OutOfBudget

    async def _first_failure(self, keys: Iterator[Key], *, check_setup: bool) -> Found | None:
        """The first (size, seed index) of ``keys`` the candidate fails, tried a window of
        ``slots`` keys at a time: a hit early in the order costs no more than its window."""
        while batch := list(itertools.islice(keys, self.lab.slots)):
            for hit in await self._try_keys(batch):
                if hit.trial.status is Status.FAILED:
                    return hit
            if self.lab.meter.exhausted:
                raise OutOfBudget
            if check_setup:
                self._check_setup()
        return None

    async def _try_keys(self, batch: list[Key]) -> list[Found]:
        """Generate and try each key's input (at once); in key order, without the keys the
        generator failed on."""
        lab = self.lab
        generated = await asyncio.gather(*(lab.generate(size, seed(size, i)) for size, i in batch))
        for (size, i), data in zip(batch, generated, strict=True):
            self._note_seed(size, i, data)
        found = [(key, data) for key, data in zip(batch, generated, strict=True) if data is not None]
        trials = await lab.try_inputs([data for _, data in found], validate_first=False)
        await self._progress(batch[-1][0])
        runs, elapsed = lab.meter.runs, lab.meter.elapsed_ms
        return [
            Found(trial, size, runs, elapsed) for ((size, _), _), trial in zip(found, trials, strict=True)
        ]

    def _note_seed(self, size: int, index: int, data: bytes | None) -> None:
        """Marks a size seedless once all its first-round seeds printed the same input."""
        if index >= self.seeds_per_size or self.seeds_per_size < 2:
            return
        seen = self._first_round.setdefault(size, [])
        seen.append(digest(data) if data is not None else b"")
        if len(seen) == self.seeds_per_size and len(set(seen)) == 1 and seen[0]:
            self._seedless.add(size)

    def _check_setup(self, *, final: bool = False) -> None:
        """Stop early when the setup cannot produce one usable input (a broken generator
        would otherwise eat the whole budget); ``final``: the sizes are all tried."""
        counts = self.lab.counts
        enough = 4 * self.seeds_per_size
        if counts.generated == 0 and (final or counts.generator_failed >= enough):
            raise BrokenSetup(
                f"the generator failed on every input tried ({counts.generator_failed}); "
                f"last: {counts.last_generator_error}"
            )
        if counts.validated == 0 and (final or counts.rejected >= enough) and counts.rejected:
            raise BrokenSetup(f"the validator rejected every generated input ({counts.rejected})")
        if counts.solved == 0 and (final or counts.unsolved >= enough) and counts.unsolved:
            raise BrokenSetup(
                f"the reference failed on every generated input ({counts.unsolved}); "
                f"last: {counts.last_reference_error}"
            )

    async def _shrink_input(self) -> None:
        assert self.best is not None
        size = self.best.size
        doc = shrink.parse(self.best.trial.input)
        if shrink.render(doc) != self.best.trial.input:
            # Shrinking works on the re-spaced text: it must be a counterexample too.
            hit = await self._first_interesting(iter([((), doc)]), None, size)
            if hit is None:
                return
        changed = True
        while changed:
            changed = False
            for make in shrink.PASSES:
                cursor: shrink.Cursor = ()
                while True:
                    hit = await self._first_interesting(make(doc, cursor), shrink.weight(doc), size)
                    if hit is None:
                        break
                    cursor, doc = hit
                    changed = True

    async def _first_interesting(
        self, variants: shrink.Variants, bound: tuple[int, int] | None, size: int
    ) -> tuple[shrink.Cursor, shrink.Doc] | None:
        """The first variant (lighter than ``bound``) that is still a counterexample;
        ``best`` becomes it. Variants are tried a window at a time."""
        window = self.lab.slots  # wider wastes runs: only the first hit of a window counts
        lighter = ((cursor, doc) for cursor, doc in variants if bound is None or shrink.weight(doc) < bound)
        while batch := list(itertools.islice(lighter, window)):
            trials = await self.lab.try_inputs([shrink.render(doc) for _, doc in batch])
            await self._progress(size)
            for (cursor, doc), trial in zip(batch, trials, strict=True):
                if trial.status is Status.FAILED:
                    self.best = Found(trial, size, self.lab.meter.runs, self.lab.meter.elapsed_ms)
                    return cursor, doc
            if self.lab.meter.exhausted:
                raise OutOfBudget
        return None

    async def _progress(self, size: int) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if self._last_progress is not None and now - self._last_progress < self.progress_interval_s:
            return
        self._last_progress = now
        await self.on_progress(Progress(size=size, tries=self.lab.meter.runs))
