"""A throwaway PostgreSQL 15 server (tests and the benchmark): ``initdb`` + ``pg_ctl`` in a
temporary directory owned by the ``postgres`` system user, on a free loopback port."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from algoitny.localstack import free_port

BIN = Path(os.environ.get("ALGOITNY_PG_BIN", "/usr/lib/postgresql/15/bin"))
SYSTEM_USER = "postgres"


def _as_postgres(*argv: str) -> list[str]:
    return ["runuser", "-u", SYSTEM_USER, "--", *argv] if os.geteuid() == 0 else list(argv)


@dataclass
class PostgresServer:
    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls) -> PostgresServer:
        if not (BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL binaries not found in {BIN} (apt-get install postgresql)")
        root = Path(tempfile.mkdtemp(prefix="algoitny-pg-"))
        (root / "sock").mkdir()
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SYSTEM_USER)
            for path in (root, root / "sock"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        server = cls(root, free_port())
        subprocess.run(
            _as_postgres(str(BIN / "initdb"), "-D", str(server.data_dir), "-A", "trust", "-U", "postgres"),
            check=True,
            capture_output=True,
        )
        options = f"-p {server.port} -k {root / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                str(BIN / "pg_ctl"),
                "-D",
                str(server.data_dir),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
        )
        return server

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)
