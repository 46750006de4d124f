# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quickstart: build, step and inspect a coprod model
#
# This notebook walks through what a researcher does first with coprod: load a named
# scenario, build the model, step it month by month, look at the agents and the
# measures, perturb a running model, and run a small ensemble with 95% intervals.
#
# It uses the public API only: `coprod` (`Scenario`, `CoProductionModel`,
# `run_scenario`, `run_ensemble`) and `coprod.analysis` (comparisons and figures). The
# model is described in `docs/ODD.md` (ODD protocol), the analysis toolkit in
# `docs/analysis.md`.
#
# **Size.** With the environment variable `FAST=1` everything runs in small size in a
# few seconds (the test suite does this). Without it the notebook runs at full size:
# 2,000 citizens, 120 months (ten years), 20 replicates. Ensembles go to a local Dask
# cluster when they are big enough to gain from one; this one runs in-process.

# %%
import os

FAST = os.environ.get("FAST", "0") == "1"  # FAST=1: small and quick (the test suite sets it)

CITIZENS = 300 if FAST else 2000
STEPS = 24 if FAST else 120  # months
REPLICATES = 3 if FAST else 20
CLIENT = "serial" if FAST else None  # None: a local Dask cluster when the job is big

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from coprod import CoProductionModel, Scenario, ScenarioError, run_ensemble, run_scenario
from coprod.agents import Citizen
from coprod.analysis import (
    compare_horizon,
    compare_over_time,
    overview_figure,
    timeseries_figure,
)

# coprod's figures are made for files on the command line; show them inline here
# %matplotlib inline

# %% [markdown]
# ## 1 Load a scenario
#
# A scenario is a TOML file of governance rules, population and behaviour settings.
# coprod ships named scenarios (`coprod scenarios` lists them); every key has a
# documented default, so a file states only what differs. We start with **socialgov**:
# all actors on par on the full SocialGov platform of Wimmer & Scherer (2018), with open
# data, open services, open processes and personalisation.

# %%
scenario = Scenario.load("socialgov")
print(scenario.description)
print("Rationale:", scenario.rationale)
scenario.governance

# %%
scenario.platform

# %% [markdown]
# A scenario is immutable. `with_overrides` derives a variant from dotted keys and
# validates it like a file: a misspelt key or a value out of range is an error that
# names the key and the allowed values. Here we set the population size for this
# notebook and print the fully resolved scenario (saving this text as a `.toml` file
# reproduces the run exactly).

# %%
scenario = scenario.with_overrides({"population.citizens": CITIZENS})
print(scenario.to_toml())

# %%
try:
    scenario.with_overrides({"governance.ict_role": "quantum"})
except ScenarioError as error:
    print(error)

# %% [markdown]
# ## 2 Build the model and step it
#
# `CoProductionModel` is a `mesa.Model`. The seed fixes every random draw, so the same
# scenario and seed give the same run. One step is one month; each step runs the phases
# of the schedule in order (events, innovation, citizens decide, adoption, businesses,
# community organisations, the administration handles inputs and allocates resources,
# services are produced, trust is updated, measures are collected).

# %%
model = CoProductionModel(scenario, seed=7)
for _ in range(12):
    model.step()
print(f"after month {model.steps}: {len(model.agents)} agents")
model.model_vars.tail(3)

# %% [markdown]
# ## 3 Look at the agents
#
# `model.agents` is Mesa's `AgentSet`; `model.agents_by_type` splits it by kind:
# citizens, businesses, community organisations, and one administration per
# municipality.

# %%
{kind.__name__: len(agents) for kind, agents in model.agents_by_type.items()}

# %% [markdown]
# Each agent is a thin **view** onto one row of NumPy arrays: the model computes every
# phase for all agents at once, and reading an attribute of an agent reads its row.
# Here is one citizen, with the state the participation decision uses (status, digital
# literacy, civic motivation, trust, efficacy) and what it did so far.

# %%
citizens = model.agents_by_type[Citizen]
citizen = citizens[0]
fields = ["ses", "quintile", "age", "literacy", "spare_time", "motivation", "trust",
          "efficacy", "met", "adopted", "member", "contributions"]
pd.Series({name: getattr(citizen, name) for name in fields}, name=repr(citizen))

# %% [markdown]
# The usual Mesa idioms work on the agent set, for a quick look:

# %%
adopters = citizens.select(lambda c: c.adopted)
print(f"{len(adopters)} of {len(citizens)} citizens use the digital channel")
print(f"mean trust: adopters {adopters.agg('trust', np.mean):.3f}, "
      f"all citizens {citizens.agg('trust', np.mean):.3f}")

# %% [markdown]
# For analysis, `citizen_frame()` is faster and more convenient: every citizen's state as
# a DataFrame, one row per citizen (the row number is the view's `row`), needs spread
# over one column per service domain.

# %%
frame = model.citizen_frame()
assert frame.loc[citizen.row, "trust"] == citizen.trust  # the view reads the same array
frame.head()

# %% [markdown]
# Grouped by socio-economic quintile (1 is the bottom fifth, as `q1` in the measures),
# the frame shows the gradients the model is built on (ODD section 5): digital literacy
# rises with status, and so do adoption of the digital channel and participation (Verba,
# Schlozman & Brady 1995; van Deursen & van Dijk 2014), while needs are higher and less
# often met at the bottom.

# %%
frame["participated"] = frame["coproduced"] | frame["cocreated"]
columns = ["ses", "literacy", "adopted", "participated", "contributions", "met", "trust"]
by_quintile = frame.groupby("quintile")[columns].mean()
by_quintile.index = [f"q{q}" for q in by_quintile.index]
by_quintile.round(3)

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
for adopted, colour in ((False, "C7"), (True, "C0")):
    group = frame[frame["adopted"] == adopted]
    left.scatter(group["age"], group["literacy"], s=6, alpha=0.5, color=colour,
                 label="uses the platform" if adopted else "does not")
left.set(xlabel="age", ylabel="digital literacy", title="Who uses the digital channel")
left.legend(markerscale=3)
deciles = pd.qcut(frame["literacy"], 10, labels=False) + 1
frame.groupby(deciles)["adopted"].mean().plot.bar(ax=right, color="C0")
right.set(xlabel="digital literacy decile", ylabel="share using the platform",
          title=f"Adoption after {model.steps} months")
right.tick_params(axis="x", rotation=0);

# %% [markdown]
# ## 4 Measures over time
#
# Measures are collected after every step: `model.model_vars` has one row per month and
# one column per measure (participation, its gap between the top and bottom quintile,
# adoption, trust, and the public values of the three families of Nieuwenhuizen &
# Meijer 2021). We step on to the end of the horizon and draw the overview figure that
# `coprod run` also writes.

# %%
while model.steps < STEPS:
    model.step()
measures = model.model_vars
print(", ".join(measures.columns))
fig = overview_figure(measures, title=f"socialgov, seed 7, {CITIZENS:,} citizens")

# %% [markdown]
# `run_scenario` does the same in one call and returns a `RunResult` with `.model_vars`,
# `.scenario` and `.seed` (and, with several municipalities, `.municipality_vars` and
# `.innovations`; see notebook 05). Same scenario and seed, the same numbers:

# %%
result = run_scenario(scenario, steps=STEPS, seed=7)
pd.testing.assert_frame_equal(result.model_vars, model.model_vars)
key = ["participation_rate", "participation_gap", "adoption", "trust", "effectiveness",
       "equality", "lawfulness"]
result.model_vars[key].iloc[[0, 11, -1]].round(3)

# %% [markdown]
# ## 5 Perturb a running model
#
# `trigger_event` schedules an event for the next month, as a workshop facilitator would:
# a budget cut, a demand shock, a platform outage or a trust scandal. A trust scandal
# lowers everyone's trust at once; citizens' starting levels are unchanged, so trust
# recovers through experience and slow reversion (value co-destruction and repair,
# Uppström & Lönn 2017). We compare with an untouched twin built from the same seed.

# %%
twin = CoProductionModel(scenario, seed=7)
shocked = CoProductionModel(scenario, seed=7)
for month in range(1, STEPS + 1):
    if month == STEPS // 2:
        shocked.trigger_event("trust_scandal", size=0.3)
    twin.step()
    shocked.step()

fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
for ax, measure in zip(axes, ["trust", "participation_rate"], strict=True):
    ax.plot(twin.model_vars[measure], label="no event", color="C7")
    ax.plot(shocked.model_vars[measure], label="trust scandal", color="C3")
    ax.axvline(STEPS // 2, ls=":", color="k", lw=1)  # the scandal's month
    ax.set(xlabel="month", title=measure.replace("_", " "))
    ax.legend()

# %% [markdown]
# ## 6 Many runs: an ensemble with 95% intervals
#
# One run is one draw. `run_ensemble` runs replicates whose seeds derive from one root
# seed (NumPy `SeedSequence`) and returns one tidy DataFrame: `replicate`, `seed`,
# `step` and every measure. At full size it runs on a local Dask cluster; results are
# identical whatever runs where.

# %%
ensemble = run_ensemble(
    scenario, replicates=REPLICATES, steps=STEPS, seed=1, client=CLIENT
)
print(ensemble.shape)
ensemble.head()

# %% [markdown]
# The comparison functions of `coprod.analysis` are plain DataFrame in, DataFrame out,
# and work on one scenario too: `compare_over_time` gives the mean across replicates
# with a Student *t* interval month by month, `compare_horizon` the same for each run's
# mean over its last 12 months (the *horizon value*).

# %%
runs = ensemble.assign(scenario="socialgov")
shown = ("participation_rate", "participation_gap", "adoption", "trust",
         "effectiveness", "equality", "lawfulness", "proper_value")
over_time = compare_over_time(runs, measures=list(shown))
fig = timeseries_figure(over_time, measures=shown)

# %%
horizon = compare_horizon(runs, measures=list(shown))
horizon[["measure", "mean", "ci_low", "ci_high", "sd", "n"]].round(3)

# %% [markdown]
# ## Where next
#
# - `02_ict_roles_and_public_values.ipynb`: instrumental, transformative and substitutive
#   ICT and the three public-value families (Nieuwenhuizen & Meijer 2021).
# - `03_digital_divide_and_inclusion.ipynb`: participation and needs met by quintile;
#   the offline channel and inclusion outreach.
# - `04_sensitivity.ipynb`: Morris screening and Sobol indices.
# - `05_pilots_vs_experimentalism.ipynb`: central pilot programmes against democratic
#   experimentalism in twelve municipalities (Evers & Ewert 2021).
