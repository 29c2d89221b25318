"""The counterexample finder: the smallest input a submission gets wrong.

See ``engine`` for the contract between the search (run in the worker's sandbox) and
the service that stores and streams what it finds.
"""
