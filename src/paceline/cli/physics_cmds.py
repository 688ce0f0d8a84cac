"""``paceline track`` and ``paceline air``: the physics core from the command line."""

from __future__ import annotations

import typer

from paceline.cli.app import app, console, emit_json, kv_table


@app.command()
def track(
    event: str = typer.Option("mile", help="Event: 800m, 1000m, 1500m, mile, 2000m, 3000m, 5000m, 10000m, or metres."),
    lane: int | None = typer.Option(None, help="Run the whole event on this lane's running line (1-8)."),
    offset_m: float | None = typer.Option(None, "--offset-m", help="Run at this lateral offset from the kerb [m]."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Lap length, start position and distance actually run for an event on a standard 400 m track."""
    from paceline.errors import ScenarioError
    from paceline.physics import track as trk

    if lane is not None and offset_m is not None:
        raise ScenarioError("give either --lane or --offset-m, not both", "--lane/--offset-m")
    if event in trk.EVENTS_M:
        event_m = trk.EVENTS_M[event]
    else:
        try:
            event_m = float(event)
        except ValueError:
            raise ScenarioError(
                f"{event!r} is not an event; allowed {', '.join(trk.EVENTS_M)} or a distance in metres",
                "--event",
            ) from None
        if not event_m > 0:
            raise ScenarioError(f"{event_m} is not allowed; a distance must be positive", "--event")
    if offset_m is not None and offset_m < 0:
        raise ScenarioError(f"{offset_m} is inside the kerb; allowed >= 0 m", "--offset-m")
    geom = trk.STANDARD_TRACK
    offset = (
        trk.lane_offset_m(lane, geom) if lane is not None else (offset_m if offset_m is not None else geom.lane1_line_m)
    )
    out = {
        "event_m": event_m,
        "lap_m": round(float(trk.lap_length_m(offset, geom)), 4),
        "lane1_lap_m": round(geom.lap_m, 4),
        "offset_m": offset,
        "start_before_finish_m": round(trk.start_before_finish_m(event_m, geom), 4),
        "start_position_m": round(trk.start_position_m(event_m, geom), 4),
        "laps": event_m / geom.lap_m,
        "distance_run_m": round(float(trk.distance_run_m(event_m, offset, geom)), 3),
        "extra_per_lap_m": round(float(trk.extra_distance_per_lap_m(offset, geom)), 3),
        "straight_fraction": round(2 * geom.straight_m / geom.lap_m, 4),
    }
    if as_json:
        emit_json(out)
        return
    rows = [
        ("event [m]", f"{event_m:g}"),
        ("offset from kerb [m]", f"{offset:.2f}"),
        ("lap at this offset [m]", f"{out['lap_m']:.2f}"),
        ("extra per lap [m]", f"{out['extra_per_lap_m']:.2f}"),
        ("start before finish line [m]", f"{out['start_before_finish_m']:.3f}"),
        ("laps", f"{out['laps']:.4f}"),
        ("distance actually run [m]", f"{out['distance_run_m']:.2f}"),
    ]
    console().print(kv_table("Standard 400 m track", rows))


@app.command()
def air(
    temperature_c: float = typer.Option(..., "--temperature-c", help="Air temperature [degC]."),
    relative_humidity: float = typer.Option(0.5, "--relative-humidity", help="Relative humidity [0-1]."),
    altitude_m: float = typer.Option(0.0, "--altitude-m", help="Altitude [m] (standard atmosphere)."),
    pressure_pa: float | None = typer.Option(None, "--pressure-pa", help="Station pressure [Pa]; overrides altitude."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Density of moist air from temperature, humidity and altitude or pressure."""
    from paceline.physics import air as air_mod

    rho = float(air_mod.air_density(temperature_c, relative_humidity, altitude_m, pressure_pa))
    p = pressure_pa if pressure_pa is not None else float(air_mod.pressure_at_altitude_pa(altitude_m))
    e = relative_humidity * float(air_mod.saturation_vapour_pressure_pa(temperature_c))
    out = {
        "temperature_c": temperature_c,
        "relative_humidity": relative_humidity,
        "altitude_m": altitude_m,
        "pressure_pa": round(p, 1),
        "vapour_pressure_pa": round(e, 1),
        "density_kg_m3": round(rho, 5),
        "density_vs_isa": round(rho / 1.225, 5),
    }
    if as_json:
        emit_json(out)
        return
    rows = [
        ("temperature [degC]", f"{temperature_c:g}"),
        ("relative humidity", f"{relative_humidity:.2f}"),
        ("pressure [Pa]", f"{p:.0f}"),
        ("vapour pressure [Pa]", f"{e:.0f}"),
        ("density [kg/m^3]", f"{rho:.4f}"),
        ("vs ISA sea level (1.225)", f"{rho / 1.225:.3f}"),
    ]
    console().print(kv_table("Moist air", rows))
