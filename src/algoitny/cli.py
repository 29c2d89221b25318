"""``algoitny``: run the whole stack locally, or one part of it in production.

    algoitny run [--host H] [--port P] [--data-dir DIR]   everything, locally
    algoitny api [--host H] [--port P] [--workers N]      the HTTP/WebSocket API
    algoitny worker                                       one arq worker
    algoitny indexer                                      the table's stream consumer (statistics, search)
    algoitny migrate                                      apply pending table migrations
    algoitny reindex [--keep]                             rebuild the search index from the table
    algoitny judge ...                                    judge a program (see --help)
    algoitny import-legacy --source postgresql://...      import the old system's data

Table name, region and endpoint come from settings (``ALGOITNY_TABLE__*``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any


def shared_secrets_missing(settings) -> list[str]:
    """Settings every API process must agree on that default to a random per-process value:
    with more than one process, a token signed by one would not verify in another."""
    missing = []
    if "signing_keys" not in settings.auth.model_fields_set:
        missing.append("ALGOITNY_AUTH__SIGNING_KEYS (and ALGOITNY_AUTH__ACTIVE_KEY)")
    if "cursor_secret" not in settings.model_fields_set:
        missing.append("ALGOITNY_CURSOR_SECRET")
    return missing


def app_from_environment():
    """The app factory each of ``api --workers N``'s processes imports."""
    from algoitny.app import create_app
    from algoitny.heap import freeze_after_startup
    from algoitny.observability.logs import configure_logging
    from algoitny.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log)  # spawned worker processes do not run main()
    return freeze_after_startup(create_app(settings))


def _api(args: argparse.Namespace) -> int:
    from algoitny.observability import multiprocess

    # Before anything imports prometheus_client: several workers share one metrics directory.
    multiprocess.prepare(args.workers or 1)
    import uvicorn

    from algoitny.settings import get_settings

    settings = get_settings()
    workers = args.workers or 1
    missing = shared_secrets_missing(settings) if workers > 1 else []
    if missing:
        print(
            f"algoitny api --workers {workers}: set {' and '.join(missing)}; their defaults are random per "
            "process, so tokens and cursors from one process would not verify in another.",
            file=sys.stderr,
        )
        return 2
    options: dict[str, Any] = {
        "host": args.host or settings.api.host,
        "port": args.port or settings.api.port,
        "log_level": "info",
        "access_log": settings.api.access_log,
        "log_config": None,  # keep the structured logging set up in main()
        "ws": "websockets-sansio",
        # Named, not "auto": a missing uvloop or httptools fails the start instead of serving
        # at half the speed (docs/capacity.md).
        "loop": "uvloop",
        "http": "httptools",
        # Forwarded headers are judged by the app against clients.trusted_proxies, not by uvicorn.
        "proxy_headers": False,
    }
    if workers == 1:
        uvicorn.run(app_from_environment(), **options)
    else:
        uvicorn.run("algoitny.cli:app_from_environment", factory=True, workers=workers, **options)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from algoitny.observability import multiprocess

    multiprocess.for_worker()
    from algoitny.worker import run_worker

    run_worker()
    return 0


def _indexer(args: argparse.Namespace) -> int:
    from algoitny.indexer.run import main as indexer_main

    return indexer_main()


def _migrate(args: argparse.Namespace) -> int:
    from algoitny.migrate import migrate
    from algoitny.resources import open_dynamodb
    from algoitny.settings import get_settings

    async def main() -> None:
        settings = get_settings()
        async with open_dynamodb(settings.table) as client:
            ran = await migrate(client, settings.table.name)
        if not ran:
            print(f"table {settings.table.name}: up to date")
        for step in ran:
            print(f"table {settings.table.name}: applied {step.number:04d} {step.name}")
        await _ensure_search_index(settings)

    asyncio.run(main())
    return 0


async def _ensure_search_index(settings) -> None:
    """The search index (an OpenSearch index with its analyzers, or the FTS5 file's
    tables): created if missing, on every migrate, since it lives outside the table."""
    from algoitny.search import open_search_index

    async with open_search_index(settings.search, create=True) as index:
        print(f"search index ({index.name}): ready")


def _reindex(args: argparse.Namespace) -> int:
    import json

    from algoitny.resources import open_dynamodb
    from algoitny.search import open_search_index
    from algoitny.search.reindex import reindex
    from algoitny.settings import get_settings
    from algoitny.table import CursorCodec, ProblemRepository, Table

    async def main() -> None:
        settings = get_settings()
        async with (
            open_dynamodb(settings.table) as client,
            open_search_index(settings.search, create=True) as index,
        ):
            problems = ProblemRepository(Table(client, settings.table.name), CursorCodec("unused"))
            report = await reindex(problems, index, reset=not args.keep)
        print(
            json.dumps(
                {
                    "backend": index.name,
                    "problems": report.problems,
                    "indexed": report.indexed,
                    "seconds": round(report.seconds, 3),
                    "problems_per_s": round(report.per_second, 1),
                }
            )
        )

    asyncio.run(main())
    return 0


def _run(args: argparse.Namespace) -> int:
    from algoitny.local_run import run_local

    return asyncio.run(run_local(host=args.host, port=args.port, data_dir=Path(args.data_dir).resolve()))


def _judge(argv: list[str]) -> int:
    from algoitny.executor.cli import main as judge_main

    return judge_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["judge"]:
        return _judge(argv[1:])
    parser = argparse.ArgumentParser(prog="algoitny", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run API, worker, DynamoDB Local and Redis locally")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--data-dir", default="data", help="where the table and Redis keep data (default ./data)"
    )
    run.set_defaults(handler=_run)

    api = commands.add_parser("api", help="serve the HTTP/WebSocket API")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    api.add_argument(
        "--workers", type=int, help="serving processes on this host (default 1; >1 needs shared secrets)"
    )
    api.set_defaults(handler=_api)

    commands.add_parser("worker", help="run one arq worker").set_defaults(handler=_worker)
    commands.add_parser(
        "indexer", help="read the table's stream into the statistics and search"
    ).set_defaults(handler=_indexer)
    commands.add_parser("migrate", help="apply pending table migrations").set_defaults(handler=_migrate)
    reindex = commands.add_parser("reindex", help="rebuild the search index from the table (offline: a Scan)")
    reindex.add_argument(
        "--keep", action="store_true", help="do not empty the index first (documents the table lost stay)"
    )
    reindex.set_defaults(handler=_reindex)
    from algoitny.legacy import cli as legacy_cli

    legacy = commands.add_parser("import-legacy", help="import the old system's PostgreSQL data")
    legacy_cli.add_arguments(legacy)
    legacy.set_defaults(handler=legacy_cli.main)

    commands.add_parser(
        "judge", help="judge a program against a folder of tests (see 'algoitny judge --help')"
    )

    args = parser.parse_args(argv)
    from algoitny.observability.logs import configure_logging
    from algoitny.settings import get_settings

    configure_logging(get_settings().log)  # JSON lines, or readable text on a terminal
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
