"""``paceline sweep --out F.parquet`` on an installation without a Parquet engine (``pip install -e .`` has none:
pyarrow comes with the ``dist`` extra) is bad input naming ``--out`` and the extra, before any work; it was an
internal error (exit 1) after the solves, with a ``.lock`` file left beside the output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from paceline.cli import main


def test_sweep_without_a_parquet_engine_exits_2_naming_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for engine in ("pyarrow", "fastparquet"):
        monkeypatch.setitem(sys.modules, engine, None)  # `import pyarrow` raises ImportError, as when not installed
    out = tmp_path / "b4.parquet"
    with pytest.raises(SystemExit) as stop:
        main(["sweep", "breaking4", "--vary", "conditions.wind_speed_m_s=0:3:1", "--out", str(out)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--out" in err and "paceline[dist]" in err and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []  # nothing written, no lock file
