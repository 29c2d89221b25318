"""heap.py: the serving app freezes the heap once started; a plain app does not."""

from __future__ import annotations

import gc

from algoitny.app import create_app
from algoitny.heap import freeze_after_startup


async def _run_lifespan(app) -> int:
    """The frozen object count while the app is started."""
    async with app.router.lifespan_context(app):
        return gc.get_freeze_count()


async def test_the_serving_app_freezes_the_heap_once_started(settings):
    gc.unfreeze()
    try:
        assert await _run_lifespan(freeze_after_startup(create_app(settings))) > 10_000
    finally:
        gc.unfreeze()  # the test process must not keep this app's objects forever


async def test_an_app_built_by_create_app_alone_leaves_the_heap_as_it_was(settings):
    gc.unfreeze()
    assert await _run_lifespan(create_app(settings)) == 0
