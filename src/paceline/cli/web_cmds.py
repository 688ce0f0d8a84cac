"""``paceline serve`` (the web app) and ``paceline report`` (the self-contained HTML report)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from paceline.cli.app import app, console, emit_json

if TYPE_CHECKING:  # pragma: no cover
    import socket


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        help="A Host name clients may use besides 127.0.0.1/localhost (repeat; e.g. the machine's name when --host "
        "exposes it). Other Host headers get 400 (DNS rebinding).",
    ),
) -> None:
    """Run the web app: the animated top-down replay and the scenario editor (needs the `web` extra)."""
    from paceline.errors import ScenarioError

    try:
        import uvicorn

        from paceline.web import create_app
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ScenarioError(
            f"the web app needs the 'web' extra (pip install 'paceline[web]'): {exc}", "serve"
        ) from None
    names = [*allow_host, *([host] if host not in ("0.0.0.0", "::") else [])]
    for name in names:
        if not name or any(c in name for c in "/ @?#"):
            raise ScenarioError(f"{name!r} is not a host name; give a name or an address", "--allow-host")
    try:
        sock = _listening_socket(host, port)
    except ScenarioError as exc:  # the README's exit 3: the server could not start (one line, nothing served)
        typer.echo(f"paceline: error: {exc}", err=True)
        raise typer.Exit(3) from None
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"paceline: serving on http://{shown}:{sock.getsockname()[1]}/ (Ctrl+C to stop)", err=True)
    server = uvicorn.Server(uvicorn.Config(create_app(allow_hosts=names), log_level="warning"))
    server.run(sockets=[sock])


def _listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (what uvicorn would bind), or a :class:`ScenarioError` naming the flag."""
    import socket  # here, not at the top: ``paceline report`` shares this module and needs no socket

    from paceline.errors import ScenarioError

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ScenarioError(f"{host!r} is not an address of this machine: {exc}", "--host") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ScenarioError(f"{host!r} is not an address of this machine ({exc.strerror})", "--host") from None
        why = "address already in use by another program" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ScenarioError(f"cannot listen on port {port} of {host}: {why}; give another --port", "--port") from None
    return sock


@app.command()
def report(
    scenario: str = typer.Argument(
        "breaking4",
        help="Bundled scenario name or scenario .toml; a race run (bundled, e.g. breaking4_2025, or a CSV of splits: "
        "adds the time-lost waterfall); or a race .json (Race.to_json).",
    ),
    output: Path = typer.Option(Path("report.html"), "-o", "--output", help="HTML file to write."),
    model: str | None = typer.Option(None, "--model", help="Model (default: the scenario's)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (what was written)."),
) -> None:
    """Write one self-contained HTML report (plots inline, opens offline) for a scenario or a race."""
    from paceline.io.outputs import check_report_path
    from paceline.render.report import write_report
    from paceline.studies.analysis.report_inputs import report_inputs

    check_report_path(output, "--output")  # before the work
    info = write_report(report_inputs(scenario, model=model), output)
    if as_json:
        emit_json(info)
        return
    console().print(
        f"wrote {info['path']} ({info['bytes'] / 1024:.0f} kB): {info['scenario']}, "
        f"{info['model']} {info['time']}; sections: {', '.join(info['sections'])}"
    )
