"""A sweep's summary is gathered a batch of runs at a time: the same table, to the last bit, as
the summary of every run loaded at once, without ever holding every run."""

import pandas as pd
import pytest

from coprod.analysis.runs import parallel
from coprod.analysis.sweep import folder as sweep_folder
from coprod.analysis.sweep import run as sweep
from coprod.analysis.sweep import summary as sweep_summary
from coprod.analysis.sweep.run import load_results, run_sweep, summarise_sweep
from coprod.analysis.sweep.sensitivity import point_outputs
from coprod.analysis.sweep.summary import HorizonValues, point_means, summarise_folder

# 8 points x 3 replicates of 14 months: 24 runs of 15 rows, 360 rows; the horizon window (12)
# is shorter than a run, so it matters which months are averaged
SWEEP = """
name = "batched"
scenario = "coproduction"
design = "lhs"
samples = 8
replicates = 3
steps = 14
seed = 11
measures = ["effectiveness", "trust", "participation_rate"]
[set]
"population.citizens" = 60
[parameters]
"governance.budget" = { min = 0.6, max = 1.4 }
"governance.appeals" = [false, true]
"""
KEYS = ["governance.budget", "governance.appeals"]
MEASURES = ["effectiveness", "trust", "participation_rate"]
ROWS_PER_RUN = 15


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished sweep's folder and every run, loaded at once (the old way)."""
    folder = tmp_path_factory.mktemp("batched")
    path = folder / "s.toml"
    path.write_text(SWEEP)
    out = folder / "out"
    results = run_sweep(path, out=out, client="serial", progress=False)
    return path, out, results


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 40 rows (2 runs and a bit): 24 runs make a dozen batches."""
    real = HorizonValues.__init__

    def init(self, parameters, measures, window=12, batch_rows=40):
        real(self, parameters, measures, window, batch_rows)

    monkeypatch.setattr(HorizonValues, "__init__", init)


def test_the_folder_summary_is_the_summary_of_every_run_at_once(finished, small_batches):
    _, out, results = finished
    expected = summarise_sweep(results, KEYS, MEASURES)
    assert len(expected) == 8 * 3 and expected["n"].eq(3).all()
    pd.testing.assert_frame_equal(
        summarise_folder(out, KEYS, MEASURES), expected, check_exact=True
    )
    # what the sweep wrote as it ran, gathered as runs finished, is the same table
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet"), expected, check_exact=True
    )


def test_the_folder_summary_reads_runs_in_batches_never_all_at_once(
    finished, small_batches, monkeypatch
):
    _, out, _ = finished
    sizes = []
    real = sweep_summary.horizon_means

    def spy(frame, *args, **kwargs):
        sizes.append(len(frame))
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(sweep_summary, "horizon_means", spy)
    monkeypatch.setattr(sweep_folder, "load_results", _forbidden)
    summarise_folder(out, KEYS, MEASURES)
    assert sum(sizes) == 24 * ROWS_PER_RUN  # every month of every run, once
    assert len(sizes) >= 24 * ROWS_PER_RUN // (40 + ROWS_PER_RUN)  # in many batches
    assert max(sizes) < 40 + ROWS_PER_RUN  # none much larger than a batch


def test_a_sweep_without_load_returns_its_summary_and_never_loads_every_run(
    finished, small_batches, tmp_path, monkeypatch
):
    path, _, results = finished
    sizes = []
    real = sweep_summary.horizon_means

    def spy(frame, *args, **kwargs):
        sizes.append(len(frame))
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(sweep_summary, "horizon_means", spy)
    monkeypatch.setattr(sweep, "load_results", _forbidden)
    summary = run_sweep(path, out=tmp_path / "out", client="serial", progress=False, load=False)
    expected = summarise_sweep(results, KEYS, MEASURES)
    pd.testing.assert_frame_equal(summary, expected, check_exact=True)
    assert max(sizes) < 40 + ROWS_PER_RUN and sum(sizes) == 24 * ROWS_PER_RUN


def test_a_resumed_sweep_gathers_old_and_new_runs_into_the_same_summary(
    finished, small_batches, tmp_path, monkeypatch
):
    path, _, results = finished
    real, calls = parallel.run_task, []

    def stops_after_ten(scenario, steps, seed):
        if len(calls) == 10:
            raise KeyboardInterrupt
        calls.append(seed)
        return real(scenario, steps, seed)

    monkeypatch.setattr(parallel, "run_task", stops_after_ten)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(path, out=out, client="serial", progress=False)
    assert len(list((out / "runs").glob("run-*.parquet"))) == 10
    monkeypatch.setattr(parallel, "run_task", real)
    summary = run_sweep(path, out=out, client="serial", progress=False, load=False)
    expected = summarise_sweep(results, KEYS, MEASURES)
    pd.testing.assert_frame_equal(summary, expected, check_exact=True)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet"), expected, check_exact=True
    )
    # the runs written the fast way read back as the runs of an uninterrupted sweep
    pd.testing.assert_frame_equal(load_results(out), results, check_exact=True)


def test_point_means_of_a_summary_are_the_point_outputs_of_every_run(finished):
    _, out, results = finished
    summary = pd.read_parquet(out / "summary.parquet")
    pd.testing.assert_frame_equal(
        point_means(summary, MEASURES),
        point_outputs(results, MEASURES),
        check_exact=True,
        check_names=False,
    )


def _forbidden(*args, **kwargs):
    raise AssertionError("every run was loaded at once")


def test_a_parameter_given_as_whole_and_decimal_numbers_reads_back_as_before(tmp_path):
    """Runs of one parameter column may be written with two types (1, then 1.5)."""
    path = tmp_path / "mixed.toml"
    path.write_text(
        'name = "mixed"\nscenario = "coproduction"\nreplicates = 2\nsteps = 3\nseed = 2\n'
        'measures = ["trust"]\n[set]\n"population.citizens" = 60\n'
        '[parameters]\n"governance.budget" = [1, 1.5]\n'
    )
    in_memory = run_sweep(path, client="serial", progress=False)
    out = tmp_path / "out"
    summary = run_sweep(path, out=out, client="serial", progress=False, load=False)
    pd.testing.assert_frame_equal(load_results(out), in_memory, check_exact=True)
    expected = summarise_sweep(in_memory, ["governance.budget"], ["trust"])
    pd.testing.assert_frame_equal(summary, expected, check_exact=True)
    assert list(summary["governance.budget"]) == [1.0, 1.5]
