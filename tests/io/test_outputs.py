"""Outputs that survive a kill (paceline.io.outputs): folders swapped in whole, leftovers repaired, exclusive locks.

The kill tests SIGKILL a writer at random moments and check what a reader finds: nothing (before the first
complete write), or one complete version, never a mix, never a partial folder; the next run leaves nothing beside.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cli_runner import PACELINE
from paceline.errors import ScenarioError
from paceline.io.outputs import MARKER, exclusive, is_output, recover, write_atomic, write_folder, write_text_atomic


def _files(version: int, n: int = 5) -> dict[str, str]:
    return {**{f"sub/f{i}.txt": f"version {version}\n" for i in range(n)}, "plan.json": json.dumps({"v": version})}


def _versions(folder: Path) -> set[str]:
    return {p.read_text() for p in folder.rglob("*.txt")}


def test_write_replace_and_no_mix(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_folder(out, {**_files(1), "only-in-1.txt": "version 1\n"}, kind="plan")
    assert is_output(out, "plan") and _versions(out) == {"version 1\n"}
    written = write_folder(out, _files(2), kind="plan")
    assert _versions(out) == {"version 2\n"}
    assert not (out / "only-in-1.txt").exists()  # a reused folder never mixes two plans
    assert sorted(written) == sorted(out / rel for rel in _files(2))
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # nothing left beside it


def test_foreign_folder_is_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(ScenarioError, match="not a paceline output"):
        write_folder(out, _files(1), kind="plan")
    assert (out / "holiday.jpg").exists()
    write_folder(out, _files(1), kind="plan", force=True)
    assert not (out / "holiday.jpg").exists() and is_output(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    write_folder(empty, _files(1), kind="plan")  # an empty folder is fine
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScenarioError, match="not a folder"):
        write_folder(tmp_path / "file", _files(1), kind="plan")


def test_a_folder_that_cannot_be_made_is_refused_naming_the_option(tmp_path: Path) -> None:
    # `paceline plan --out FILE/sub` (or under /proc, /sys) was exit 1 with an OSError; now exit 2 naming --out,
    # before any work, and nothing is left behind
    from paceline.io.outputs import check_folder

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ScenarioError, match=r"^--out: .*file' is a file, not a folder"):
        check_folder(blocker / "sub", field="--out")
    with pytest.raises(ScenarioError, match=r"^out: .*file' is a file, not a folder"):
        write_folder(blocker / "sub" / "deeper", _files(1), kind="plan")
    with pytest.raises(ScenarioError, match=r"^out: a name in .* is longer than the 255 bytes"):
        write_folder(tmp_path / ("p" * 300), _files(1), kind="plan")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    r = subprocess.run([*PACELINE, "plan", "--out", str(blocker / "sub")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith("paceline: error: --out: ") and len(r.stderr.splitlines()) == 1


def test_a_path_outside_the_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="outside"):
        write_folder(tmp_path / "out", {"../escape.txt": "x"}, kind="plan")
    assert not (tmp_path / "escape.txt").exists()


def test_recover_puts_back_an_old_folder_and_removes_half_written_ones(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    old = tmp_path / ".plan.paceline-old-abc"
    write_folder(old, _files(1), kind="plan")
    half = tmp_path / ".plan.paceline-new-xyz"
    (half / "sub").mkdir(parents=True)
    (half / "sub" / "f0.txt").write_text("version 2\n")
    recover(out)
    assert _versions(out) == {"version 1\n"}  # killed between the two renames: the old folder is back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


WRITER = textwrap.dedent(
    """
    import sys
    from paceline.io.outputs import write_folder
    out, n_files = sys.argv[1], int(sys.argv[2])
    v = 0
    while True:
        v += 1
        files = {f"d{i % 7}/f{i}.txt": f"version {v}\\n" * 50 for i in range(n_files)}
        write_folder(out, files, kind="plan")
        print(v, flush=True)
    """
)


@pytest.mark.slow
def test_killed_writer_leaves_a_whole_folder(tmp_path: Path) -> None:
    """SIGKILL a process that rewrites a 120-file folder in a loop, at random moments, 8 times."""
    rng = random.Random(17)
    out = tmp_path / "plan"
    seen_complete = False
    for _ in range(8):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(out), "120"], stdout=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.2))
        p.send_signal(signal.SIGKILL)
        p.wait()
        if out.exists():
            seen_complete = True
            marker = json.loads((out / MARKER).read_text())
            files = sorted(str(f.relative_to(out)) for f in out.rglob("*") if f.is_file() and f.name != MARKER)
            assert files == sorted(marker["files"])  # complete
            assert len({f.read_text() for f in out.rglob("*.txt")}) == 1  # one version
        recover(out)
        assert [q.name for q in tmp_path.iterdir()] == (["plan"] if out.exists() else [])
    assert seen_complete


@pytest.mark.slow
def test_killed_plan_out_leaves_the_old_plan_or_the_new_one(tmp_path: Path) -> None:
    """``plan --out D`` killed at random moments (5 times) over D holding another plan: D is always one whole plan."""
    out = tmp_path / "D"
    r = subprocess.run([*PACELINE, "plan", "breaking4-optimal", "--out", str(out)], capture_output=True, check=False)
    assert r.returncode == 0, r.stderr
    old_files = sorted(json.loads((out / MARKER).read_text())["files"])
    rng = random.Random(4)
    names = set()
    for _ in range(5):
        p = subprocess.Popen([*PACELINE, "plan", "breaking4", "--out", str(out)], stdout=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 3.0))
        p.send_signal(signal.SIGKILL)
        p.wait()
        marker = json.loads((out / MARKER).read_text())
        files = sorted(str(f.relative_to(out)) for f in out.rglob("*") if f.is_file() and f.name != MARKER)
        assert files == sorted(marker["files"])
        name = json.loads((out / "plan.json").read_text())["scenario"]
        names.add(name)
        assert (name == "breaking4-optimal") == (files == old_files)  # never a mix of the two plans
    r = subprocess.run([*PACELINE, "plan", "breaking4", "--out", str(out)], capture_output=True, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "plan.json").read_text())["scenario"] == "breaking4"
    assert [q.name for q in tmp_path.iterdir()] == ["D"]  # the leftovers of the killed runs are gone


HOLDER = textwrap.dedent(
    """
    import sys, time
    from paceline.io.outputs import exclusive
    with exclusive(sys.argv[1]):
        print("held", flush=True)
        time.sleep(60)
    """
)


def test_exclusive_lock_refuses_a_second_writer_and_dies_with_its_holder(tmp_path: Path) -> None:
    target = tmp_path / "sweep.parquet"
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout is not None and p.stdout.readline().strip() == "held"
        with pytest.raises(ScenarioError, match="another run"), exclusive(target):
            pass
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        if p.stdout is not None:
            p.stdout.close()
    with exclusive(target):  # the kernel released the dead holder's lock
        pass


def test_figure_paths_are_checked_and_figures_written_whole(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from paceline.io.outputs import check_figure_path, save_figure

    with pytest.raises(ScenarioError, match=r"^--plot: .*must be .png or .svg or .pdf"):
        check_figure_path(tmp_path / "x.gif")
    (tmp_path / "d.png").mkdir()
    with pytest.raises(ScenarioError, match=r"^--svg: .*is a folder"):
        check_figure_path(tmp_path / "d.png", "--svg")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    out = save_figure(fig, tmp_path / "new" / "deeper" / "f.svg")  # the folder is created
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml") and "<svg" in out.read_text(encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ScenarioError, match=r"^--plot: .*file' is a file, not a folder"):
        check_figure_path(blocker / "sub" / "f.png")  # before any work
    with pytest.raises(ScenarioError, match=r"^--plot: a name in .* is longer than the 255 bytes"):
        check_figure_path(tmp_path / ("b" * 252 + ".png"))
    long_ok = save_figure(fig, tmp_path / ("b" * 251 + ".png"))  # the longest legal name: the temporary is short
    assert long_ok.stat().st_size > 0
    # writers of the same figure at once: each writes a temporary of its own, and the last rename wins whole
    from matplotlib.figure import Figure

    def write(_: int) -> Path:
        own = Figure()
        own.add_subplot().plot([0, 1], [1, 0])
        return save_figure(own, tmp_path / "same.png")

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        done = list(pool.map(write, range(8)))
    assert done == [tmp_path / "same.png"] * 8 and (tmp_path / "same.png").read_bytes().startswith(b"\x89PNG")
    plt.close(fig)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []  # no temporary left
    pipe = tmp_path / "pipe.svg"
    os.mkfifo(pipe)
    with pytest.raises(ScenarioError, match=r"^--plot: .*is not a regular file"):
        check_figure_path(pipe)  # a pipe or a device (/dev/stdout) is never renamed over
    with pytest.raises(ScenarioError, match=r"^report: .*is not a regular file"):
        write_text_atomic(pipe, "x", "report")
    assert pipe.is_fifo()


def test_the_report_must_be_html_and_is_refused_before_any_work(tmp_path: Path) -> None:
    # `report -o r.txt` wrote HTML into a .txt file; now the suffix is checked first and nothing is written
    from cli_runner import run
    from paceline.io.outputs import check_report_path

    assert check_report_path(tmp_path / "r.HTML") == tmp_path / "r.HTML"
    with pytest.raises(ScenarioError) as exc:
        check_report_path(tmp_path / "r.txt")
    assert exc.value.field == "--output" and ".html or .htm" in str(exc.value)
    for args in (["report", "kram2025", "-o"], ["plan", "kram2025", "--report"]):
        r = run(*args, str(tmp_path / "r.txt"))
        assert r.returncode == 2 and "the report must be .html or .htm" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_writes_bytes_and_parquet_whole_or_not_at_all(tmp_path: Path) -> None:
    # the one atomic writer (text, bytes, a Parquet table): a failing writer leaves the old file and no temporary
    import pandas as pd

    out = tmp_path / "sub" / "rows.parquet"
    write_atomic(out, lambda fh: pd.DataFrame({"key": ["a", "b"], "t_s": [1.0, 2.0]}).to_parquet(fh), suffix=".parquet")
    assert pd.read_parquet(out)["t_s"].tolist() == [1.0, 2.0]

    def broken(fh: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(ScenarioError, match="No space left"):
        write_atomic(out, broken, "out")
    assert pd.read_parquet(out)["key"].tolist() == ["a", "b"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["rows.parquet"]
    blob = tmp_path / "blob.bin"
    write_atomic(blob, lambda fh: fh.write(b"\x00\x01"))
    assert blob.read_bytes() == b"\x00\x01"
