"""Faults done for real: lost Dask workers, read-only and full output folders.

Each test breaks something the way it breaks on a user's machine (SIGKILL to a Dask worker
process, a folder made read-only by chmod or by a read-only mount, a disk that fills up) while a
sweep or an ensemble runs on 127.0.0.1, then checks that coprod either carried on or stopped
with one line saying what failed, where and what to do; that no half-written result is left;
and that running the same command again resumes to exactly the data set of an undisturbed run.

The tests run as root in CI, and root ignores file permissions. The writer is then started
without the capabilities that let root do so (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``,
dropped from its bounding set before ``exec``), so a chmod'ed folder refuses it just as it
refuses an ordinary user. Full and read-only file systems are small tmpfs mounts, where
mounting is permitted; elsewhere a full disk is a file-size limit (``RLIMIT_FSIZE``).
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from coprod.analysis.cli import main
from coprod.analysis.runs.ensemble import run_ensemble
from coprod.analysis.sweep.run import load_results, run_sweep
from helpers import run_files, wait_for_runs

pytestmark = pytest.mark.slow

FAULT_SWEEP = """
name = "faults"
scenario = "coproduction"
design = "grid"
replicates = 2
steps = 40
seed = 5
measures = ["effectiveness", "trust"]

[set]
"population.citizens" = 400

[parameters]
"governance.budget" = [0.6, 0.8, 1.0, 1.2, 1.4]
"governance.capacity" = [0.5, 2.0]
"""
TOTAL = 5 * 2 * 2
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: Capabilities that let root read and write whatever the permissions say.
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
PR_CAPBSET_DROP = 24


# ---------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults") / "faults.toml"
    path.write_text(FAULT_SWEEP)
    return path


@pytest.fixture(scope="module")
def reference(sweep_file):
    """The undisturbed sweep: results and summary."""
    out = sweep_file.parent / "undisturbed"
    results = run_sweep(sweep_file, out=out, client="serial", progress=False)
    return results, pd.read_parquet(out / "summary.parquet")


def assert_same_dataset(out: Path, reference) -> None:
    results, summary = reference
    pd.testing.assert_frame_equal(load_results(out), results, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), summary)
    assert not list(out.rglob("*.tmp"))


def assert_nothing_half_written(out: Path) -> None:
    """Every result file on disk is whole: it reads back with a full run in it."""
    for path in run_files(out):
        frame = pd.read_parquet(path)
        assert len(frame) == 41 and frame["run"].nunique() == 1, path  # steps 0..40


def without_root_override() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def spawn_sweep(path, out, *extra, env=None, preexec_fn=None):
    return subprocess.Popen(
        [sys.executable, "-m", "coprod", "sweep", str(path), "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
    )


def finish(proc, timeout: float = 120) -> tuple[int, list[str]]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err.strip().splitlines()


def resume(path, out, capsys) -> None:
    """Run the same command again (in this process) and check it finished."""
    main(["sweep", str(path), "--out", str(out), "--scheduler", "serial", "--no-progress"])
    assert "wrote 20 runs" in capsys.readouterr().out


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def dask_workers(pid: int) -> list:
    """The Dask worker processes under process ``pid`` (multiprocessing spawns them)."""
    import psutil

    return [
        child
        for child in psutil.Process(pid).children(recursive=True)
        if any("spawn_main" in part for part in child.cmdline())
    ]


def kill_busy_worker(pid: int, timeout: float = 60) -> int:
    """SIGKILL a Dask worker process under ``pid`` that is computing; return its pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = dask_workers(pid)
        before = {w.pid: sum(w.cpu_times()[:2]) for w in workers}
        time.sleep(0.2)
        used = {}
        for w in workers:
            try:
                used[w.pid] = sum(w.cpu_times()[:2]) - before[w.pid]
            except Exception:  # ended meanwhile
                continue
        busy = [p for p, seconds in used.items() if seconds > 0.02]
        if busy:
            victim = max(busy, key=used.get)
            os.kill(victim, signal.SIGKILL)
            return victim
    pytest.fail("no busy Dask worker found")


# ---------------------------------------------------------------------- lost Dask workers
def test_sweep_survives_a_killed_dask_worker(sweep_file, reference, tmp_path):
    import psutil

    out = tmp_path / "out"
    proc = spawn_sweep(sweep_file, out, "--scheduler", "local", "--no-progress")
    try:
        wait_for_runs(proc, out, at_least=3)
        victim = kill_busy_worker(proc.pid)
        assert len(run_files(out)) < TOTAL, "the kill came too late"
        status, lines = finish(proc)
    finally:
        proc.kill()
    assert status == 0, lines  # Dask ran the lost run again on a fresh worker
    assert not psutil.pid_exists(victim)
    assert lines == []  # nothing alarming printed
    assert_same_dataset(out, reference)


def test_sweep_that_loses_a_worker_for_good_says_so_and_resumes(
    sweep_file, reference, tmp_path, capsys
):
    out = tmp_path / "out"
    no_retries = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    proc = spawn_sweep(sweep_file, out, "--scheduler", "local", "--no-progress", env=no_retries)
    try:
        wait_for_runs(proc, out, at_least=3)
        kill_busy_worker(proc.pid)
        status, lines = finish(proc)
    finally:
        proc.kill()
    kept = len(run_files(out))
    assert status == 1 and len(lines) == 1, lines
    assert lines[0].startswith("coprod: error: run ")
    assert "Dask worker" in lines[0] and "died" in lines[0]
    assert f"{kept} of {TOTAL} runs are kept in {out}" in lines[0]
    assert "run the same command again" in lines[0]
    assert 3 <= kept < TOTAL
    assert_nothing_half_written(out)
    resume(sweep_file, out, capsys)
    assert_same_dataset(out, reference)


ENSEMBLE = {"scenario": "coproduction", "replicates": 6, "steps": 360, "seed": 3}  # ~0.3 s a run


def ensemble_losing_a_worker() -> tuple[dict[str, object], bool]:
    """Run the ensemble on a local cluster and SIGKILL a worker mid-run.

    Returns what the ensemble gave (``frame`` or ``error``) and whether the scheduler and its
    workers listened on 127.0.0.1 only.
    """
    from distributed import default_client

    done: dict[str, object] = {}

    def ensemble():
        try:
            done["frame"] = run_ensemble(**ENSEMBLE, client="local")
        except BaseException as exc:  # reported by the caller
            done["error"] = exc

    thread = threading.Thread(target=ensemble)
    thread.start()
    deadline = time.monotonic() + 120
    victim, loopback = None, False
    while victim is None and thread.is_alive() and time.monotonic() < deadline:
        try:
            client = default_client()
            in_memory = sum(len(keys) for keys in client.has_what().values())
            processing = {a: ks for a, ks in client.processing().items() if ks}
            if in_memory >= 1 and processing:  # mid-run: some runs done, some running
                addresses = [client.scheduler.address, *client.processing()]
                loopback = all(a.startswith("tcp://127.0.0.1:") for a in addresses)
                address = next(iter(processing))
                victim = client.run(os.getpid, workers=[address])[address]
                os.kill(victim, signal.SIGKILL)
        except Exception:  # the cluster is not up yet, or closing
            pass
        time.sleep(0.02)
    thread.join(timeout=180)
    assert victim is not None, "the ensemble ended before a worker could be killed"
    return done, loopback


def test_ensemble_on_dask_survives_a_killed_worker():
    serial = run_ensemble(**ENSEMBLE, client="serial")
    done, loopback = ensemble_losing_a_worker()
    assert loopback, "the local cluster listens beyond 127.0.0.1"
    assert "error" not in done, done.get("error")
    pd.testing.assert_frame_equal(done["frame"], serial, check_exact=True)


def test_ensemble_whose_worker_dask_gives_up_on_says_so():
    import dask

    from coprod.analysis import WorkerLost

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        done, _ = ensemble_losing_a_worker()
    error = done.get("error")
    assert isinstance(error, WorkerLost), error
    # runs stream back as they finish, so the lost run is named
    assert re.fullmatch(
        r"run \d+: the Dask worker processes running it died \(killed, or out of memory\) "
        r"more often than Dask retries a run",
        str(error),
    ), error


# ---------------------------------------------------------------------- read-only folders
def test_read_only_folder_at_the_start(sweep_file, reference, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        proc = spawn_sweep(
            sweep_file, out, "--scheduler", "serial", preexec_fn=without_root_override
        )
        status, lines = finish(proc)
    finally:
        out.chmod(0o755)
    assert status == 1 and len(lines) == 1, lines
    assert lines[0] == (
        f"coprod: error: cannot write {out}: Permission denied; the folder is read-only: make "
        "it writable or choose another --out, then run the same command again"
    )
    assert list(out.iterdir()) == []
    resume(sweep_file, out, capsys)
    assert_same_dataset(out, reference)


def make_read_only(how: str, out: Path) -> None:
    if how == "chmod":
        (out / "runs").chmod(0o555)
        out.chmod(0o555)
        return
    # the runs folder mounted read-only over itself (a bind mount): writes fail with EROFS
    runs = str(out / "runs")
    assert mount("--bind", runs, runs), "could not bind-mount the runs folder"
    deadline = time.monotonic() + 10
    while not mount("-o", "remount,bind,ro", runs):  # busy while a file is open for writing
        assert time.monotonic() < deadline, "could not make the runs folder read-only"
        time.sleep(0.002)


def make_writable(how: str, out: Path) -> None:
    if how == "chmod":
        out.chmod(0o755)
        (out / "runs").chmod(0o755)
    else:
        umount(out / "runs")


def can_mount() -> bool:
    """Whether this process may mount file systems (root with CAP_SYS_ADMIN)."""
    if not IS_ROOT:
        return False
    with open("/proc/self/status") as status:
        caps = next(line for line in status if line.startswith("CapEff:")).split()[1]
    return bool(int(caps, 16) >> 21 & 1)  # CAP_SYS_ADMIN


@pytest.mark.parametrize("how", ["chmod", "read-only mount"])
def test_folder_turns_read_only_mid_sweep(sweep_file, reference, tmp_path, capsys, how):
    out = tmp_path / "out"
    out.mkdir()
    preexec = without_root_override if IS_ROOT else None
    if how == "read-only mount":
        if not can_mount():
            pytest.skip("mounting needs root with CAP_SYS_ADMIN; the chmod case still runs")
        preexec = None
    try:
        proc = spawn_sweep(
            sweep_file, out, "--scheduler", "serial", "--no-progress", preexec_fn=preexec
        )
        try:
            wait_for_runs(proc, out, at_least=4)
            make_read_only(how, out)
            status, lines = finish(proc)
        finally:
            proc.kill()
        kept = run_files(out)
        reason = "Permission denied" if how == "chmod" else "Read-only file system"
        assert status == 1 and len(lines) == 1, lines
        assert lines[0].startswith(f"coprod: error: cannot write {out}/")
        assert f": {reason}; the folder is read-only: make it writable" in lines[0]
        assert f"{len(kept)} of {TOTAL} runs are kept in {out}" in lines[0]
        assert 4 <= len(kept) < TOTAL
        assert_nothing_half_written(out)  # a temporary file may remain; the next run removes it
        kept_bytes = {p: p.read_bytes() for p in kept}
        make_writable(how, out)
        resume(sweep_file, out, capsys)
        assert all(p.read_bytes() == b for p, b in kept_bytes.items())  # kept, not redone
        assert_same_dataset(out, reference)
    finally:
        if how == "read-only mount":
            umount(out / "runs")


# ---------------------------------------------------------------------- a full disk
def test_full_disk_mid_sweep(sweep_file, reference, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    # room for the plan files and a few runs (each about 35 kB), not for all twenty
    mounted = can_mount() and mount("-t", "tmpfs", "-o", "size=256k", "coprod", str(out))
    limit = None
    if not mounted:  # no mounting here: a file-size limit fails writes the same way (EFBIG)
        limit = 16_000

        def limit_file_size():  # pragma: no cover - runs in the child before exec
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    try:
        proc = spawn_sweep(
            sweep_file,
            out,
            "--scheduler",
            "serial",
            "--no-progress",
            preexec_fn=None if mounted else limit_file_size,
        )
        status, lines = finish(proc)
        kept = run_files(out)
        reason = (
            "No space left on device; the disk is full: free some space"
            if mounted
            else "File too large; a file-size limit was reached: raise it (ulimit -f)"
        )
        assert status == 1 and len(lines) == 1, lines
        assert lines[0].startswith(f"coprod: error: cannot write {out}/")
        assert f": {reason} or choose another --out" in lines[0]
        assert f"{len(kept)} of {TOTAL} runs are kept in {out}" in lines[0]
        assert len(kept) < TOTAL
        if mounted:
            assert len(kept) >= 2  # it filled up mid-sweep, not at once
        assert_nothing_half_written(out)
        assert not list(out.rglob("*.tmp"))  # the cut-short file was removed
        if mounted:
            assert mount("-o", "remount,size=64m", str(out))  # room made
        resume(sweep_file, out, capsys)
        assert_same_dataset(out, reference)
    finally:
        if mounted:
            umount(out)


# ---------------------------------------------------------------------- a single run
def test_run_into_a_read_only_folder_says_so_and_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "measures.csv").write_text("an older result\n")
    out.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "coprod", "run", "coproduction", "--steps", "3", "--out", out],
            capture_output=True,
            text=True,
            preexec_fn=without_root_override if IS_ROOT else None,
            timeout=120,
        )
    finally:
        out.chmod(0o755)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, lines
    assert lines[0] == (
        f"coprod: error: cannot write {out / 'measures.csv'}: Permission denied; the folder is "
        "read-only: make it writable or choose another --out, then run the same command again"
    )
    assert [p.name for p in out.iterdir()] == ["measures.csv"]
    assert (out / "measures.csv").read_text() == "an older result\n"  # left as it was
