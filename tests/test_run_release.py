"""A finished model can be freed: runs and ensembles must not keep every model alive.

Mesa registers a model in a class-level dict only when an agent is created; coprod creates its
Mesa agent views only when ``model.agents`` is read, so a plain run leaves nothing behind.
"""

import gc
import weakref

from coprod import CoProductionModel, Scenario
from coprod.model import run as run_module
from coprod.model.run import run_scenario

SMALL = Scenario().with_overrides({"population.citizens": 60, "population.neighbourhoods": 2})


def test_a_stepped_model_is_freed_once_dropped():
    model = CoProductionModel(SMALL, seed=1)
    for _ in range(3):
        model.step()
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_run_scenario_lets_its_model_go(monkeypatch):
    refs = []

    class Watched(CoProductionModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            refs.append(weakref.ref(self))

    monkeypatch.setattr(run_module, "CoProductionModel", Watched)
    result = run_scenario(SMALL, steps=3, seed=1)
    gc.collect()
    assert len(refs) == 1
    assert refs[0]() is None
    assert list(result.model_vars.index) == [0, 1, 2, 3]
