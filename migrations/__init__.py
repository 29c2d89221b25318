"""Numbered, re-runnable steps that create and evolve the single table.

Each step is a module ``NNNN_what_it_does.py`` with ``NAME`` and
``async def apply(client, table_name)``. ``apply`` must be safe to run again
on a table where it already ran (it checks before it changes). The runner
(``algoitny.migrate``) records every applied step in the table itself under
``PK=MIGRATION`` and skips recorded ones, so ``algoitny migrate`` twice is a
no-op the second time.
"""
