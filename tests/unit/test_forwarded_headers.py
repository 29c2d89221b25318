"""X-Forwarded-For sent as several header lines (RFC 9110: the same as one comma-joined
line): the client's own line comes first, the trusted proxy's last, so reading only the
first line would let the client pick its quota key (hostile review of issue 10, item 7)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from algoitny.client_identity import request_address
from algoitny.settings import ClientSettings


def _connection(peer: str, forwarded: list[str]) -> HTTPConnection:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return HTTPConnection({"type": "http", "headers": headers, "client": (peer, 5000)})


def test_every_forwarded_line_is_read_and_the_proxys_own_entry_wins():
    settings = ClientSettings(trusted_proxies=["10.0.0.0/8"])
    forged_then_real = _connection("10.0.0.2", ["1.2.3.4", "203.0.113.9"])
    assert request_address(forged_then_real, settings) == "203.0.113.9"


def test_odd_forwarded_values_from_an_untrusted_peer_leave_the_peer_as_the_key():
    settings = ClientSettings(trusted_proxies=["10.0.0.0/8"])
    for values in (["1.2.3.4", "5.6.7.8"], ["::1"], ["garbage, ,,"], ["1.1.1.1," * 20_000]):
        assert request_address(_connection("198.51.100.1", values), settings) == "198.51.100.1"
