import numpy as np
import pandas as pd
import pytest

from coprod import Scenario, run_ensemble, run_scenario
from coprod.analysis import AnalysisError
from coprod.analysis.runs import parallel
from coprod.analysis.runs.ensemble import ensemble_tasks
from coprod.analysis.runs.seeds import replicate_seeds
from coprod.analysis.sweep.run import run_sweep
from coprod.analysis.sweep.spec import sweep_from_dict
from coprod.model.measures import MEASURES

SMALL = {"population.citizens": 300, "population.businesses": 10}


@pytest.fixture(scope="module")
def small():
    return Scenario.load("socialgov").with_overrides(SMALL)


@pytest.fixture(scope="module")
def serial(small):
    return run_ensemble(small, replicates=4, steps=10, seed=5, client="serial")


def test_ensemble_is_tidy_with_spawned_seeds(serial, small):
    assert list(serial.columns) == ["replicate", "seed", "step", *MEASURES]
    assert len(serial) == 4 * 11
    assert serial.replicate.tolist() == [r for r in range(4) for _ in range(11)]
    assert serial.step.tolist() == list(range(0, 11)) * 4
    seeds = serial.drop_duplicates("replicate").seed.tolist()
    assert seeds == replicate_seeds(5, 4) and len(set(seeds)) == 4
    # each replicate is exactly the single run with its seed
    one = run_scenario(small, steps=10, seed=seeds[2]).model_vars.reset_index()
    got = serial[serial.replicate == 2].drop(columns=["replicate", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, one, check_exact=True)
    # replicates differ from one another
    assert not np.allclose(
        serial[serial.replicate == 0].trust.to_numpy(),
        serial[serial.replicate == 1].trust.to_numpy(),
    )


def test_ensemble_depends_on_the_root_seed(small, serial):
    other = run_ensemble(small, replicates=4, steps=10, seed=6, client="serial")
    assert not other.seed.equals(serial.seed)
    assert not np.allclose(other.participation_rate, serial.participation_rate)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Port .* is already in use")
def test_dask_one_worker_by_client_and_by_address_gives_identical_results(small, serial):
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        by_client = run_ensemble(small, replicates=4, steps=10, seed=5, client=client)
        assert len(client.scheduler_info()["workers"]) == 1
        by_address = run_ensemble(
            small, replicates=4, steps=10, seed=5, client=cluster.scheduler_address
        )
        assert client.status == "running"  # a given client is left open
        # runs yielded one by one as they finish (the way sweeps write them) are identical too
        sweep = sweep_from_dict(
            {
                "scenario": "socialgov",
                "set": SMALL,
                "parameters": {"governance.budget": [0.8, 1.2]},
                "replicates": 2,
                "steps": 6,
            }
        )
        swept = run_sweep(sweep, client=client, progress=False)
    pd.testing.assert_frame_equal(by_client, serial, check_exact=True)
    pd.testing.assert_frame_equal(by_address, serial, check_exact=True)
    pd.testing.assert_frame_equal(
        swept, run_sweep(sweep, client="serial", progress=False), check_exact=True
    )


@pytest.mark.slow
def test_dask_local_cluster_of_two_workers_gives_identical_results(small, serial, monkeypatch):
    from distributed import LocalCluster

    started = []

    class Recording(LocalCluster):
        def __init__(self, **kwargs):
            started.append(kwargs)
            super().__init__(**kwargs)

    monkeypatch.setattr("distributed.LocalCluster", Recording)
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    local = run_ensemble(small, replicates=4, steps=10, seed=5, client="local")
    pd.testing.assert_frame_equal(local, serial, check_exact=True)
    assert started[0]["n_workers"] == 2 and started[0]["threads_per_worker"] == 1
    assert started[0]["processes"] is True


def test_default_runs_small_jobs_in_process(small, serial, monkeypatch):
    def no_cluster(*args, **kwargs):
        raise AssertionError("a cluster was started for a tiny job")

    monkeypatch.setattr(parallel, "_connect", no_cluster)
    pd.testing.assert_frame_equal(
        run_ensemble(small, replicates=4, steps=10, seed=5), serial, check_exact=True
    )


def test_default_uses_a_local_cluster_for_big_jobs(small, monkeypatch):
    tasks = [parallel.RunTask(str(i), small.to_dict(), 120, i) for i in range(20)]
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    assert parallel.work_of(tasks) == 300 * 120 * 20
    monkeypatch.setattr(parallel, "LOCAL_CLUSTER_MIN_WORK", 300 * 120 * 20)
    assert not parallel._is_serial(None, tasks)
    assert parallel._is_serial(None, tasks[:1])
    assert parallel._is_serial("serial", tasks)
    monkeypatch.setattr(parallel, "available_cores", lambda: 1)
    assert parallel._is_serial(None, tasks)


def test_workers_receive_plain_data(small):
    tasks = ensemble_tasks(small, replicates=2, steps=3, seed=1)
    assert all(isinstance(t.scenario, dict) for t in tasks)
    assert Scenario.from_dict(tasks[0].scenario) == small


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"replicates": 0}, "replicates"),
        ({"steps": 0}, "steps"),
        ({"seed": -1}, "seed"),
        ({"client": "nonsense"}, "scheduler"),
        ({"client": 42}, "client"),
    ],
)
def test_bad_arguments_are_rejected(small, kwargs, word):
    with pytest.raises(AnalysisError, match=word):
        run_ensemble(small, **{"replicates": 2, "steps": 2, **kwargs})
