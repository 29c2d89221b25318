"""Thin HTTP/WebSocket adapters: parse, call a repository or service, shape the answer."""
