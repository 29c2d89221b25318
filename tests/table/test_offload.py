"""Compressing, hashing and decompressing big test cases happens off the event loop."""

from __future__ import annotations

import threading

from algoitny.table import payloads


async def test_big_payload_work_runs_in_another_thread():
    loop_thread = threading.get_ident()
    small = await payloads.offload(payloads.OFFLOAD_CHARS, threading.get_ident)
    big = await payloads.offload(payloads.OFFLOAD_CHARS + 1, threading.get_ident)
    assert small == loop_thread, "small work is cheaper inline than a thread hop"
    assert big != loop_thread
