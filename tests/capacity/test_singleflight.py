"""SingleFlight: concurrent misses of one key share one load."""

from __future__ import annotations

import asyncio

import pytest

from algoitny.singleflight import SingleFlight


async def test_concurrent_callers_share_one_load_and_its_failure():
    flight = SingleFlight()
    release = asyncio.Event()
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        if calls == 2:
            raise LookupError("second load fails")
        return calls

    waiting = [asyncio.ensure_future(flight.run("k", load)) for _ in range(10)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == [1] * 10 and calls == 1

    failing = [asyncio.ensure_future(flight.run("k", load)) for _ in range(3)]  # done: a new load
    results = await asyncio.gather(*failing, return_exceptions=True)
    assert calls == 2 and all(isinstance(r, LookupError) for r in results)


async def test_a_caller_that_gives_up_does_not_cancel_the_others():
    flight = SingleFlight()
    release = asyncio.Event()

    async def load() -> str:
        await release.wait()
        return "value"

    impatient = asyncio.ensure_future(flight.run("k", load))
    patient = asyncio.ensure_future(flight.run("k", load))
    await asyncio.sleep(0)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient
    release.set()
    assert await patient == "value"
