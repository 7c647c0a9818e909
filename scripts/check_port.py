"""Exit 1 with a hint when HOST:PORT is already taken, before `make run` spends a minute on setup.

Standard library only: it runs with the system Python before the virtualenv exists.
Usage: python3 scripts/check_port.py HOST PORT
"""

from __future__ import annotations

import socket
import sys


def port_in_use(host: str, port: int) -> bool:
    """Whether binding HOST:PORT fails (another process listens there)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def main(argv: list[str]) -> int:
    """Print the hint and return 1 when the port is taken, else 0."""
    host, port = argv[0], int(argv[1])
    if port_in_use(host, port):
        print(f"port {port} is in use: try make run PORT={port + 10}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
