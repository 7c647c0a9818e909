"""`make run` checks its port before setup: a taken port fails at once with the way out."""

import socket
import subprocess
import sys

from web.config import ROOT

SCRIPT = ROOT / "scripts" / "check_port.py"


def _listening() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, sock.getsockname()[1]


def test_a_taken_port_fails_with_the_hint():
    sock, port = _listening()
    with sock:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "127.0.0.1", str(port)], capture_output=True, text=True, timeout=30
        )
    assert result.returncode != 0
    assert f"port {port} is in use: try make run PORT={port + 10}" in result.stderr


def test_a_free_port_passes():
    sock, port = _listening()
    sock.close()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "127.0.0.1", str(port)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and result.stderr == ""


def test_make_run_checks_the_port_before_setup():
    sock, port = _listening()
    with sock:
        result = subprocess.run(
            ["make", "-n", "run", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    lines = result.stdout.splitlines()
    check = next(i for i, line in enumerate(lines) if "check_port.py" in line)
    upgrade = next(i for i, line in enumerate(lines) if "db upgrade" in line)
    assert check < upgrade


def test_make_check_port_stops_on_a_taken_port():
    sock, port = _listening()
    with sock:
        result = subprocess.run(
            ["make", "check-port", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    assert result.returncode != 0 and f"try make run PORT={port + 10}" in result.stderr
