"""AlgoItny: judge competitive-programming solutions against large test sets, live."""

__version__ = "0.1.0"
