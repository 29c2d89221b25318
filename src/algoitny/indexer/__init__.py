"""The table's change-stream consumer: feeds the search index and the statistics.

DynamoDB is the source of truth; no request handler writes to the index or the
aggregates. ``records`` is the contract between the stream reader and the sinks.
"""
