"""client=None: an active client, DASK_SCHEDULER_ADDRESS, or a cluster that needs no guard."""

import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from coprod import Scenario, run_ensemble
from coprod.analysis.runs.parallel import active_client, available_cores

TINY = {"population.citizens": 150, "population.businesses": 4}


def test_cores_come_from_dask():
    from dask.system import cpu_count

    assert available_cores() == cpu_count() >= 1


def test_scheduler_address_from_the_environment():
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:8786"}
    code = "from coprod.analysis.runs.parallel import active_client; print(active_client())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "tcp://127.0.0.1:8786", out.stderr


def test_no_client_and_no_address_means_none(monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    import dask

    with dask.config.set({"scheduler-address": None}):
        assert active_client() is None


def test_an_active_client_is_used():
    distributed = pytest.importorskip("distributed")
    s = Scenario.load("traditional").with_overrides(TINY)
    serial = run_ensemble(s, replicates=2, steps=3, seed=4, client="serial")
    with distributed.Client(processes=False, dashboard_address=None) as client:
        assert active_client() is client
        with distributed.get_task_stream(client) as stream:
            used = run_ensemble(s, replicates=2, steps=3, seed=4)
    assert any(str(t["key"]).startswith("coprod-") for t in stream.data)
    pd.testing.assert_frame_equal(used, serial, check_exact=True)


@pytest.mark.slow
def test_a_script_without_a_main_guard_runs_an_ensemble_on_a_local_cluster(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            """
            from coprod import Scenario, run_ensemble
            from coprod.analysis.runs import parallel

            parallel.LOCAL_CLUSTER_MIN_WORK = 0  # big enough for a local cluster
            print("script body runs", flush=True)
            s = Scenario.load("traditional").with_overrides({"population.citizens": 150})
            e = run_ensemble(s, replicates=2, steps=3, seed=1)
            print("rows", len(e))
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("script body runs") == 1  # the workers did not run the script
    assert "rows 8" in out.stdout
