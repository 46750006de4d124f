"""Shared helpers: small ensembles, a significance check with a stated margin, the CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from coprod import Scenario, run_ensemble

#: Small but not tiny: enough citizens for quintiles and neighbourhoods to mean something.
SMALL = {"population.citizens": 800, "population.businesses": 20}


def scenario(name: str = "coproduction", events=None, **overrides) -> Scenario:
    """A named scenario at test size, with dotted overrides given as keyword dicts."""
    merged = dict(SMALL)
    merged.update({k.replace("__", "."): v for k, v in overrides.items()})
    if events is not None:
        merged["events"] = events
    return Scenario.load(name).with_overrides(merged)


def outcome(
    s: Scenario,
    measure: str,
    steps: int = 60,
    replicates: int = 8,
    window: tuple[int, int] | None = None,
    seed: int = 11,
) -> np.ndarray:
    """Per-replicate mean of ``measure`` over steps ``window`` (default: the last 12 steps)."""
    frame = run_ensemble(s, replicates=replicates, steps=steps, seed=seed)
    lo, hi = window if window else (steps - 11, steps)
    sub = frame[(frame.step >= lo) & (frame.step <= hi)]
    return sub.groupby("replicate")[measure].mean().to_numpy()


def assert_greater(
    a: np.ndarray,
    b: np.ndarray,
    min_diff: float = 0.0,
    alpha: float = 0.01,
    paired: bool = False,
):
    """``a`` exceeds ``b`` by more than ``min_diff`` on average, and significantly.

    Welch's t-test by default; ``paired=True`` tests the replicate-by-replicate differences, for
    ensembles run with the same seeds (replicate ``i`` of both starts from the same world), where
    the variation between worlds cancels out.
    """
    diff = a.mean() - b.mean()
    assert diff > min_diff, f"mean {a.mean():.4f} vs {b.mean():.4f}: difference {diff:.4f}"
    if np.allclose(a.std(), 0) and np.allclose(b.std(), 0):
        return
    if paired:
        t = stats.ttest_rel(a, b, alternative="greater")
    else:
        t = stats.ttest_ind(a, b, equal_var=False, alternative="greater")
    assert t.pvalue < alpha, f"difference {diff:.4f} not significant (p = {t.pvalue:.3g})"


def coprod(*args, cwd=None) -> subprocess.CompletedProcess:
    """Run the ``coprod`` command in a new process, as a user would; output captured."""
    return subprocess.run(
        [sys.executable, "-m", "coprod", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def cli_error(capsys, *args) -> tuple[int, list[str]]:
    """Run the CLI in this process on bad input; return (exit status, stderr lines)."""
    from coprod.analysis.cli import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    return info.value.code, capsys.readouterr().err.strip().splitlines()


def run_files(out: Path) -> list[Path]:
    """The run files a sweep has written to ``out`` so far."""
    return sorted((out / "runs").glob("run-*.parquet")) if (out / "runs").exists() else []


def wait_for_runs(
    proc, out: Path, at_least: int, timeout: float = 120, before: str = "the fault"
) -> None:
    """Wait until the sweep process ``proc`` has ``at_least`` runs on disk, to strike it then.

    Fails the test if the sweep ends first (``before`` says what it should have waited for) or
    makes no progress within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while len(run_files(out)) < at_least:
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended before {before}: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the sweep made no progress")
        time.sleep(0.005)
