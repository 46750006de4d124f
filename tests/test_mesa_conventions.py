"""coprod behaves as a Mesa model: run_model ends, step 0 is measured, batch_run agrees."""

import inspect
import pydoc

import mesa
import numpy as np
import pandas as pd
import pytest

from coprod import CoProductionModel, run_scenario
from coprod.model.errors import InputError
from coprod.model.measures import MEASURES
from helpers import scenario


def small(steps: int = 6):
    return scenario("socialgov", steps=steps, population__citizens=300)


def test_run_model_ends_at_the_scenarios_steps():
    m = CoProductionModel(small(7), seed=3)
    assert m.running
    m.run_model()
    assert m.steps == 7
    assert not m.running


def test_model_vars_has_the_initial_state_as_step_zero():
    m = CoProductionModel(small(), seed=3)
    assert list(m.model_vars.index) == [0]
    assert np.isnan(m.model_vars.loc[0, "participation_rate"])  # no month yet: not defined
    assert m.model_vars.loc[0, "trust"] == pytest.approx(m.citizens.trust.mean())
    m.run_model()
    assert list(m.model_vars.index) == list(range(7))
    assert list(m.model_vars.columns) == list(MEASURES)


def test_measuring_the_initial_state_changes_no_month():
    """Months 1..N are what a model stepped without the step-0 row would give: its own run."""
    s = small(5)
    stepped = CoProductionModel(s, seed=9)
    for _ in range(5):
        stepped.step()
    run = run_scenario(s, seed=9).model_vars
    pd.testing.assert_frame_equal(stepped.model_vars, run, check_exact=True)


def test_batch_run_step_labels_match_model_vars():
    s = small(4)
    # Mesa 3.5 passes the seed through its own rng argument; earlier Mesa as a parameter
    seeding = (
        {"rng": [5], "parameters": {"scenario": [s]}}
        if "rng" in inspect.signature(mesa.batch_run).parameters
        else {"parameters": {"scenario": [s], "seed": [5]}}
    )
    rows = mesa.batch_run(
        CoProductionModel, data_collection_period=1, display_progress=False, **seeding
    )
    own = run_scenario(s, seed=5).model_vars
    steps = [row["Step"] for row in rows]
    assert steps[0] == 0 and len(steps) >= 4  # Mesa < 3.4 leaves out the last step
    for row in rows:
        assert row["trust"] == own.loc[row["Step"], "trust"]
        assert row["participation_rate"] == own.loc[row["Step"], "participation_rate"] or (
            row["Step"] == 0 and np.isnan(row["participation_rate"])  # no month yet
        )


def test_help_shows_coprods_own_arguments():
    text = pydoc.render_doc(CoProductionModel, renderer=pydoc.plaintext)
    init = text[text.index("__init__(self") :]
    init = init[: init.index("Methods inherited") if "Methods inherited" in init else None]
    init = init[: init.index("run_model") if "run_model" in init else None]
    assert "scenario: a :class:`Scenario`" in text  # the class's own Args
    assert "Build the world of ``scenario``" in init  # not Mesa's "Create a new model."
    assert "Create a new model" not in init
    assert list(inspect.signature(CoProductionModel).parameters) == ["scenario", "seed"]


def test_trigger_event_with_a_bad_kind_is_one_line():
    m = CoProductionModel(small(), seed=1)
    with pytest.raises(InputError) as caught:
        m.trigger_event("earthquake")
    message = str(caught.value)
    assert "\n" not in message
    assert "earthquake" in message and "budget_cut" in message


def test_fork_shares_no_private_mesa_attribute_by_name():
    """A fork steps like its original, with agent views made or not."""
    m = CoProductionModel(small(), seed=2)
    m.step()
    _ = m.agents  # views made: the registries hold agents
    twin = m.fork()
    m.step()
    twin.step()
    assert twin.measures == m.measures
    assert twin.steps == m.steps


def test_importing_coprod_and_drawing_leaves_the_matplotlib_backend_alone(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg')\n"
        "import coprod, coprod.analysis, coprod.analysis.validate.output\n"
        "from coprod.analysis.plots import overview_figure, save_figure\n"
        "r = coprod.run_scenario(coprod.Scenario.load('traditional').with_overrides("
        "{'population.citizens': 100}), steps=2, seed=1)\n"
        f"save_figure(overview_figure(r.model_vars), {str(tmp_path / 'f.png')!r})\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["svg", "False"]  # no backend switch, no pyplot state
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
