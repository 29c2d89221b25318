"""``algoitny import-legacy``: the old system's PostgreSQL data into the table.

    source.py    psycopg 3 reader: named cursors, batches, import windows
    context.py   entities, deterministic ids, what the run has imported so far
    accounts.py  plans, users          problems.py  problems, test cases
    history.py   submissions           usage.py     quota counters, daily totals
    jobs.py      generation jobs       importer.py  the run, checkpoints, verification
    report.py    the JSON report       progress.py  the terminal progress line
    cli.py       the subcommand

See docs/legacy-import.md.
"""
