"""``paceline serve`` that cannot start its server: the README's exit 3, with one line naming the flag and nothing
said about serving (it printed "serving on http://...", then uvicorn's own error line)."""

from __future__ import annotations

import socket

from cli_runner import run


def test_a_port_in_use_is_one_line_naming_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run("serve", "--port", str(port), timeout=60)
    assert r.returncode == 3, r.stderr
    assert r.stderr.startswith("paceline: error: --port: cannot listen on port") and "serving" not in r.stderr
    assert "address already in use" in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_an_address_not_of_this_machine_is_one_line_naming_host() -> None:
    r = run("serve", "--host", "192.0.2.1", "--port", "0", timeout=60)  # TEST-NET-1 (RFC 5737): never local
    assert r.returncode == 3, r.stderr
    assert r.stderr.startswith("paceline: error: --host: '192.0.2.1' is not an address of this machine")
    assert len(r.stderr.splitlines()) == 1
