"""Write the research notebooks of coprod (``notebooks/*.ipynb``) without outputs.

The notebooks are generated from this script so that their text and code can be reviewed as
one file and kept consistent (the same set-up cell, the same ``FAST`` switch). Edit the cells
here, then run::

    python notebooks/build_notebooks.py

Each notebook reads ``FAST`` from the environment: ``FAST=1`` runs it in small size in seconds
(the test suite does, ``tests/test_notebooks.py``); without it, it runs at the size of the
published figures.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def md(text: str) -> nbformat.NotebookNode:
    """A Markdown cell."""
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str) -> nbformat.NotebookNode:
    """A code cell, stored without outputs."""
    return nbformat.v4.new_code_cell(textwrap.dedent(text).strip())


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """A notebook with the python3 kernel, every cell without outputs or execution counts."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: regenerating does not churn the diff
    nb.cells = cells
    return nb


# The switch every notebook starts with: sizes for the test suite and for the published figures.
SIZES = """
import os

FAST = os.environ.get("FAST", "0") == "1"  # FAST=1: small and quick (the test suite sets it)
"""


def sizes(text: str) -> nbformat.NotebookNode:
    """The first code cell: the ``FAST`` switch, then the notebook's sizes."""
    return code(SIZES.strip() + "\n\n" + textwrap.dedent(text).strip())


# ====================================================================== 01 quickstart
def quickstart() -> list[nbformat.NotebookNode]:
    """01: load a scenario, build and step the model, look at agents and measures."""
    return [
        md("""
        # Quickstart: build, step and inspect a coprod model

        This notebook walks through what a researcher does first with coprod: load a named
        scenario, build the model, step it month by month, look at the agents and the
        measures, perturb a running model, and run a small ensemble with 95% intervals.

        It uses the public API only: `coprod` (`Scenario`, `CoProductionModel`,
        `run_scenario`, `run_ensemble`) and `coprod.analysis` (comparisons and figures). The
        model is described in `docs/ODD.md` (ODD protocol), the analysis toolkit in
        `docs/analysis.md`.

        **Size.** With the environment variable `FAST=1` everything runs in small size in a
        few seconds (the test suite does this). Without it the notebook runs at full size:
        2,000 citizens, 120 months (ten years), 20 replicates. Ensembles go to a local Dask
        cluster when they are big enough to gain from one; this one runs in-process.
        """),
        sizes("""
        CITIZENS = 300 if FAST else 2000
        STEPS = 24 if FAST else 120  # months
        REPLICATES = 3 if FAST else 20
        CLIENT = "serial" if FAST else None  # None: a local Dask cluster when the job is big
        """),
        code("""
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
        %matplotlib inline
        """),
        md("""
        ## 1 Load a scenario

        A scenario is a TOML file of governance rules, population and behaviour settings.
        coprod ships named scenarios (`coprod scenarios` lists them); every key has a
        documented default, so a file states only what differs. We start with **socialgov**:
        all actors on par on the full SocialGov platform of Wimmer & Scherer (2018), with open
        data, open services, open processes and personalisation.
        """),
        code("""
        scenario = Scenario.load("socialgov")
        print(scenario.description)
        print("Rationale:", scenario.rationale)
        scenario.governance
        """),
        code("scenario.platform"),
        md("""
        A scenario is immutable. `with_overrides` derives a variant from dotted keys and
        validates it like a file: a misspelt key or a value out of range is an error that
        names the key and the allowed values. Here we set the population size for this
        notebook and print the fully resolved scenario (saving this text as a `.toml` file
        reproduces the run exactly).
        """),
        code("""
        scenario = scenario.with_overrides({"population.citizens": CITIZENS})
        print(scenario.to_toml())
        """),
        code("""
        try:
            scenario.with_overrides({"governance.ict_role": "quantum"})
        except ScenarioError as error:
            print(error)
        """),
        md("""
        ## 2 Build the model and step it

        `CoProductionModel` is a `mesa.Model`. The seed fixes every random draw, so the same
        scenario and seed give the same run. One step is one month; each step runs the phases
        of the schedule in order (events, innovation, citizens decide, adoption, businesses,
        community organisations, the administration handles inputs and allocates resources,
        services are produced, trust is updated, measures are collected).
        """),
        code("""
        model = CoProductionModel(scenario, seed=7)
        for _ in range(12):
            model.step()
        print(f"after month {model.steps}: {len(model.agents)} agents")
        model.model_vars.tail(3)
        """),
        md("""
        ## 3 Look at the agents

        `model.agents` is Mesa's `AgentSet`; `model.agents_by_type` splits it by kind:
        citizens, businesses, community organisations, and one administration per
        municipality.
        """),
        code("""
        {kind.__name__: len(agents) for kind, agents in model.agents_by_type.items()}
        """),
        md("""
        Each agent is a thin **view** onto one row of NumPy arrays: the model computes every
        phase for all agents at once, and reading an attribute of an agent reads its row.
        Here is one citizen, with the state the participation decision uses (status, digital
        literacy, civic motivation, trust, efficacy) and what it did so far.
        """),
        code("""
        citizens = model.agents_by_type[Citizen]
        citizen = citizens[0]
        fields = ["ses", "quintile", "age", "literacy", "spare_time", "motivation", "trust",
                  "efficacy", "met", "adopted", "member", "contributions"]
        pd.Series({name: getattr(citizen, name) for name in fields}, name=repr(citizen))
        """),
        md("""
        The usual Mesa idioms work on the agent set, for a quick look:
        """),
        code("""
        adopters = citizens.select(lambda c: c.adopted)
        print(f"{len(adopters)} of {len(citizens)} citizens use the digital channel")
        print(f"mean trust: adopters {adopters.agg('trust', np.mean):.3f}, "
              f"all citizens {citizens.agg('trust', np.mean):.3f}")
        """),
        md("""
        For analysis, `citizen_frame()` is faster and more convenient: every citizen's state as
        a DataFrame, one row per citizen (the row number is the view's `row`), needs spread
        over one column per service domain.
        """),
        code("""
        frame = model.citizen_frame()
        assert frame.loc[citizen.row, "trust"] == citizen.trust  # the view reads the same array
        frame.head()
        """),
        md("""
        Grouped by socio-economic quintile (0 is the bottom fifth), the frame shows the
        gradients the model is built on (ODD section 5): digital literacy rises with status,
        and so do adoption of the digital channel and participation (Verba, Schlozman & Brady
        1995; van Deursen & van Dijk 2014), while needs are higher and less often met at the
        bottom.
        """),
        code("""
        frame["participated"] = frame["coproduced"] | frame["cocreated"]
        columns = ["ses", "literacy", "adopted", "participated", "contributions", "met", "trust"]
        by_quintile = frame.groupby("quintile")[columns].mean()
        by_quintile.index = [f"q{q + 1}" for q in by_quintile.index]
        by_quintile.round(3)
        """),
        code("""
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
        """),
        md("""
        ## 4 Measures over time

        Measures are collected after every step: `model.model_vars` has one row per month and
        one column per measure (participation, its gap between the top and bottom quintile,
        adoption, trust, and the public values of the three families of Nieuwenhuizen &
        Meijer 2021). We step on to the end of the horizon and draw the overview figure that
        `coprod run` also writes.
        """),
        code("""
        while model.steps < STEPS:
            model.step()
        measures = model.model_vars
        print(", ".join(measures.columns))
        fig = overview_figure(measures, title=f"socialgov, seed 7, {CITIZENS:,} citizens")
        """),
        md("""
        `run_scenario` does the same in one call and returns a `RunResult` with `.model_vars`,
        `.scenario` and `.seed` (and, with several municipalities, `.municipality_vars` and
        `.innovations`; see notebook 05). Same scenario and seed, the same numbers:
        """),
        code("""
        result = run_scenario(scenario, steps=STEPS, seed=7)
        pd.testing.assert_frame_equal(result.model_vars, model.model_vars)
        key = ["participation_rate", "participation_gap", "adoption", "trust", "effectiveness",
               "equality", "lawfulness"]
        result.model_vars[key].iloc[[0, 11, -1]].round(3)
        """),
        md("""
        ## 5 Perturb a running model

        `trigger_event` schedules an event for the next month, as a workshop facilitator would:
        a budget cut, a demand shock, a platform outage or a trust scandal. A trust scandal
        lowers everyone's trust at once; citizens' starting levels are unchanged, so trust
        recovers through experience and slow reversion (value co-destruction and repair,
        Uppström & Lönn 2017). We compare with an untouched twin built from the same seed.
        """),
        code("""
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
        """),
        md("""
        ## 6 Many runs: an ensemble with 95% intervals

        One run is one draw. `run_ensemble` runs replicates whose seeds derive from one root
        seed (NumPy `SeedSequence`) and returns one tidy DataFrame: `replicate`, `seed`,
        `step` and every measure. At full size it runs on a local Dask cluster; results are
        identical whatever runs where.
        """),
        code("""
        ensemble = run_ensemble(
            scenario, replicates=REPLICATES, steps=STEPS, seed=1, client=CLIENT
        )
        print(ensemble.shape)
        ensemble.head()
        """),
        md("""
        The comparison functions of `coprod.analysis` are plain DataFrame in, DataFrame out,
        and work on one scenario too: `compare_over_time` gives the mean across replicates
        with a Student *t* interval month by month, `compare_horizon` the same for each run's
        mean over its last 12 months (the *horizon value*).
        """),
        code("""
        runs = ensemble.assign(scenario="socialgov")
        shown = ("participation_rate", "participation_gap", "adoption", "trust",
                 "effectiveness", "equality", "lawfulness", "proper_value")
        over_time = compare_over_time(runs, measures=list(shown))
        fig = timeseries_figure(over_time, measures=shown)
        """),
        code("""
        horizon = compare_horizon(runs, measures=list(shown))
        horizon[["measure", "mean", "ci_low", "ci_high", "sd", "n"]].round(3)
        """),
        md("""
        ## Where next

        - `02_ict_roles_and_public_values.ipynb`: instrumental, transformative and substitutive
          ICT and the three public-value families (Nieuwenhuizen & Meijer 2021).
        - `03_digital_divide_and_inclusion.ipynb`: participation and needs met by quintile;
          the offline channel and inclusion outreach.
        - `04_sensitivity.ipynb`: Morris screening and Sobol indices.
        - `05_pilots_vs_experimentalism.ipynb`: central pilot programmes against democratic
          experimentalism in twelve municipalities (Evers & Ewert 2021).
        """),
    ]


# ====================================================================== 02 ICT roles
def ict_roles() -> list[nbformat.NotebookNode]:
    """02: instrumental, transformative, substitutive ICT and the three public-value families."""
    return [
        md("""
        # ICT roles and public values

        **Question (Nieuwenhuizen & Meijer 2021).** Digital technology plays one of three roles
        in co-production: **instrumental** (a digital channel beside the counter),
        **transformative** (platform data reshape how needs are seen and met) or
        **substitutive** (an algorithm decides where people decided). Public values come in
        three families: **performing** governance (effectiveness, efficiency), **responsive**
        governance (responsiveness, participation, satisfaction) and **proper** governance
        (lawfulness, equality, integrity). Their claim: *ICT helps performing values, while
        proper governance is at risk, above all for transformative and substitutive uses.*

        We turn the claim into four checks:

        1. **Performing values rise** with ICT, against co-production without ICT.
        2. **Proper values fall** with ICT.
        3. The fall is **larger for transformative and substitutive** than for instrumental ICT.
        4. **Safeguards** (human review of automated decisions, appeals, inclusion outreach)
           restore proper governance; at what price in performing values?

        **How the model represents the roles** (ODD sections 7.3, 7.7, 7.8; rule table
        `ICT_ROLES`). The role sets the administration's allocation rule (noisy but unbiased
        professional needs assessment; demand from acted-upon reports; platform traces of
        adopters; or an algorithm deciding from the data alone), its throughput, its cost and
        its error rate. A platform lowers the participation cost of those who adopt it.

        **A caution before reading the results.** The model's defaults were chosen so that
        these mechanisms act in the directions the literature describes (pattern P5, ODD
        section 1.2). Finding those directions here is a consistency check of the mechanisms,
        not independent evidence for the claim. What the model adds is the *size* of the
        effects, their side effects on the other value families, and the places where the
        mechanisms do *not* add up to the claim.
        """),
        sizes("""
        CITIZENS = 300 if FAST else 2000
        STEPS = 36 if FAST else 120  # months; horizon values are means over the last 12
        REPLICATES = 3 if FAST else 30
        SWEEP_REPLICATES = 2 if FAST else 10
        CLIENT = "serial" if FAST else None  # None: a local Dask cluster when the job is big
        SEED = 1
        """),
        code("""
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd

        from coprod import Scenario
        from coprod.analysis import (
            compare_horizon,
            compare_over_time,
            horizon_table,
            main_effects_figure,
            run_comparison,
            run_sweep,
            summarise_sweep,
            sweep_from_dict,
            timeseries_figure,
            value_profile_figure,
        )

        %matplotlib inline
        pd.set_option("display.width", 160)
        pd.set_option("display.max_colwidth", 40)
        """),
        md("""
        ## 1 A controlled comparison: only the ICT role changes

        The named scenarios differ in more than the ICT role (paradigm, platform features,
        safeguards; section 3 runs them). To see the role's own effect we start from the
        **coproduction** scenario (citizens share delivery; instrumental ICT) and change one
        thing at a time. The reference is the same co-production **without ICT**: no platform,
        the counter only, professional needs assessment.

        The safeguarded variants add, first, human review of 30% of automated decisions and a
        right of appeal, then also inclusion outreach (10% of staff capacity spent reaching
        low participants through community organisations).
        """),
        code("""
        base = Scenario.load("coproduction").with_overrides({"population.citizens": CITIZENS})
        REVIEW_APPEALS = {"governance.human_review": 0.3, "governance.appeals": True}
        SUBSTITUTIVE = {"governance.ict_role": "substitutive"}
        variants = {
            "no ICT": {"governance.ict_role": "none"},
            "instrumental": {"governance.ict_role": "instrumental"},
            "transformative": {"governance.ict_role": "transformative"},
            "substitutive": SUBSTITUTIVE,
            "substitutive + review, appeals": {**SUBSTITUTIVE, **REVIEW_APPEALS},
            "substitutive + review, appeals, outreach": {
                **SUBSTITUTIVE, **REVIEW_APPEALS, "governance.inclusion_outreach": 0.1
            },
        }
        scenarios = [
            base.with_overrides({"name": name, **changes}) for name, changes in variants.items()
        ]
        runs = run_comparison(
            scenarios, replicates=REPLICATES, steps=STEPS, seed=SEED, client=CLIENT
        )
        print(f"{runs.groupby(['scenario', 'replicate']).ngroups} runs of {STEPS} months, "
              f"{CITIZENS:,} citizens each")
        """),
        md("""
        `compare_horizon` gives, per scenario and measure, the mean over replicates of each
        run's horizon value (its mean over the last 12 months) with a 95% *t* interval, and the
        difference to the reference (the first scenario) with a 95% Welch interval. `*` marks a
        difference whose interval excludes zero.
        """),
        code("""
        FAMILIES = {
            "performing": ["effectiveness", "efficiency"],
            "responsive": ["responsiveness", "participation_rate", "satisfaction"],
            "proper": ["lawfulness", "equality", "integrity"],
        }
        VALUES = [value for members in FAMILIES.values() for value in members]
        COMPOSITES = [f"{family}_value" for family in FAMILIES]

        horizon = compare_horizon(runs)
        print(horizon_table(horizon, COMPOSITES + VALUES + ["trust", "participation_gap"]))
        """),
        md("""
        The public-value profile: each family's values and its composite (the mean of its
        values), with 95% intervals across replicates.
        """),
        code("fig = value_profile_figure(horizon)"),
        md("""
        ### Differences to co-production without ICT

        Each point is a variant's difference to the reference with its 95% Welch interval; an
        interval that does not cross the zero line is a difference the ensemble resolves.
        """),
        code('''
        def difference_plot(horizon, measures, title, cols=4):
            """Differences to the reference with 95% Welch intervals, one panel per measure."""
            scenarios = list(dict.fromkeys(horizon["scenario"]))[1:]
            rows = -(-len(measures) // cols)
            fig, axes = plt.subplots(
                rows, min(cols, len(measures)), squeeze=False, sharey=True,
                figsize=(3.3 * min(cols, len(measures)) + 2, (0.32 * len(scenarios) + 1.1) * rows),
                constrained_layout=True,
            )
            table = horizon.set_index(["measure", "scenario"])
            y = np.arange(len(scenarios))
            for ax, measure in zip(axes.ravel(), measures, strict=False):
                r = table.loc[measure].loc[scenarios]
                err = np.vstack([r["diff"] - r["diff_low"], r["diff_high"] - r["diff"]])
                ax.errorbar(r["diff"], y, xerr=np.nan_to_num(err), fmt="o", capsize=3)
                ax.axvline(0, color="k", lw=0.8)
                ax.set_title(measure.replace("_", " "), fontsize=10)
                ax.locator_params(axis="x", nbins=4)
                ax.grid(axis="x", alpha=0.3)
            for ax in axes.ravel()[len(measures):]:
                ax.set_visible(False)
            for ax in axes[:, 0]:
                ax.set_yticks(y, scenarios)
            axes[0, 0].invert_yaxis()
            fig.suptitle(title)
            return fig

        reference = horizon["scenario"].iloc[0]
        fig = difference_plot(
            horizon, COMPOSITES, f"Value families: difference to '{reference}'", cols=3
        )
        '''),
        code("""
        fig = difference_plot(
            horizon, VALUES + ["trust"], f"Public values: difference to '{reference}'"
        )
        """),
        md("""
        ### Over time

        Means over replicates month by month with 95% bands. The differences build up over
        the first years as adoption spreads and trust responds to experience.
        """),
        code("""
        shown = ("adoption", "participation_rate", "trust", "effectiveness", "efficiency",
                 "equality", "lawfulness", "integrity", "performing_value", "responsive_value",
                 "proper_value", "participation_gap")
        fig = timeseries_figure(compare_over_time(runs, measures=list(shown)), measures=shown)
        """),
        md("""
        ## 2 The claim, check by check

        A check reads **yes** when the 95% interval of the difference lies wholly on the side
        the claim expects, **opposite** when it lies wholly on the other side, and
        **unresolved** when it straddles zero.
        """),
        code('''
        def check(row, sign):
            """'yes', 'opposite' or 'unresolved' for a difference expected to have ``sign``."""
            low, high = sign * row["diff_low"], sign * row["diff_high"]
            if min(low, high) > 0:
                return "yes"
            if max(low, high) < 0:
                return "opposite"
            return "unresolved"


        def claim_table(horizon, expected, scenarios):
            """Difference [95% CI] and verdict for each measure (rows) and scenario (columns)."""
            table = horizon.set_index(["measure", "scenario"])
            cells = {}
            for scenario in scenarios:
                column = {}
                for measure, sign in expected.items():
                    r = table.loc[(measure, scenario)]
                    column[measure] = (f"{r['diff']:+.3f} [{r['diff_low']:+.3f}, "
                                       f"{r['diff_high']:+.3f}] {check(r, sign)}")
                cells[scenario] = column
            frame = pd.DataFrame(cells)
            frame.insert(0, "expected", ["up" if s > 0 else "down" for s in expected.values()])
            return frame

        ROLES = ["instrumental", "transformative", "substitutive"]
        print("Checks 1 and 2: difference to co-production without ICT")
        claim_table(horizon, {
            "performing_value": +1, "effectiveness": +1, "efficiency": +1,
            "proper_value": -1, "lawfulness": -1, "equality": -1, "integrity": -1,
        }, ROLES)
        '''),
        md("""
        **Check 3**: is the loss of proper governance larger under transformative and
        substitutive ICT than under instrumental ICT? The same runs, now with instrumental ICT
        as the reference.
        """),
        code("""
        against_instrumental = compare_horizon(runs, reference="instrumental")
        claim_table(against_instrumental, {
            "proper_value": -1, "lawfulness": -1, "equality": -1, "integrity": -1,
            "performing_value": +1,
        }, ["transformative", "substitutive"])
        """),
        md("""
        **Check 4**: what do the safeguards restore, and what do they cost? Reference:
        substitutive ICT without safeguards. The last table says which share of the loss
        against co-production without ICT each safeguard package wins back.
        """),
        code("""
        SAFEGUARDED = [
            "substitutive + review, appeals",
            "substitutive + review, appeals, outreach",
        ]
        against_substitutive = compare_horizon(runs, reference="substitutive")
        claim_table(against_substitutive, {
            "proper_value": +1, "lawfulness": +1, "equality": +1, "integrity": +1,
            "performing_value": -1, "efficiency": -1, "effectiveness": -1,
            "trust": +1, "participation_gap": -1,
        }, SAFEGUARDED)
        """),
        code("""
        means = horizon.pivot(index="measure", columns="scenario", values="mean")
        lost = means["no ICT"] - means["substitutive"]
        recovered = pd.DataFrame({
            name: (means[name] - means["substitutive"]) / lost for name in SAFEGUARDED
        }).loc[["proper_value", "lawfulness", "equality"]]
        print("Share of the loss against 'no ICT' that the safeguards win back (1 = all of it)")
        recovered.round(2)
        """),
        md("""
        ## 3 The named scenarios a policy analyst would run

        The shipped scenarios bundle the ICT role with the settings that usually come with it:

        - `coproduction`: instrumental ICT, co-production of delivery;
        - `transformative_open_data`: the SocialGov paradigm with open data and open services,
          platform data driving allocation, **but closed processes**, so business partners can
          capture part of the allocation (integrity);
        - `substitutive_automation`: an algorithm allocates and decides, no review, no appeals;
        - `substitutive_safeguarded`: the same with human review, appeals, outreach and open
          processes.

        We add `transformative_open_data` with open processes, to separate the role from the
        transparency of the process.
        """),
        code("""
        POPULATION = {"population.citizens": CITIZENS}
        named = [Scenario.load(name).with_overrides(POPULATION) for name in
                 ["coproduction", "transformative_open_data", "substitutive_automation",
                  "substitutive_safeguarded"]]
        named.insert(2, named[1].with_overrides({
            "name": "transformative_open_data + open processes", "platform.open_processes": True}))
        for s in named:
            print(f"{s.name:45s} {s.description}")
        named_runs = run_comparison(
            named, replicates=REPLICATES, steps=STEPS, seed=SEED, client=CLIENT
        )
        named_horizon = compare_horizon(named_runs)
        print()
        print(horizon_table(named_horizon, COMPOSITES + VALUES + ["business_engagement"]))
        """),
        code("fig = value_profile_figure(named_horizon)"),
        md("""
        ## 4 How much safeguarding? Human review and appeals

        A grid sweep over the share of automated decisions reviewed by staff and the right of
        appeal, on `substitutive_automation`. The sweep is declared as data
        (`sweep_from_dict`, the same keys as a sweep file) and checked before anything runs.
        """),
        code("""
        SAFEGUARD_MEASURES = [
            "lawfulness", "equality", "trust", "efficiency", "performing_value", "proper_value"
        ]
        safeguards = sweep_from_dict({
            "name": "safeguards",
            "description": "Human review and appeals under substitutive ICT",
            "scenario": "substitutive_automation",
            "design": "grid",
            "replicates": SWEEP_REPLICATES,
            "steps": STEPS,
            "seed": SEED,
            "measures": SAFEGUARD_MEASURES,
            "set": POPULATION,
            "parameters": {
                "governance.human_review": [0.0, 0.25, 0.5, 0.75, 1.0],
                "governance.appeals": [False, True],
            },
        })
        results = run_sweep(safeguards, client=CLIENT, progress=False)
        KEYS = list(safeguards.parameters)
        summary = summarise_sweep(results, KEYS, SAFEGUARD_MEASURES)
        summary.head(12).round(3)
        """),
        code("""
        fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), constrained_layout=True)
        for ax, measure in zip(axes.ravel(), SAFEGUARD_MEASURES, strict=True):
            for appeals, colour in ((False, "C3"), (True, "C0")):
                s = summary[
                    (summary["measure"] == measure) & (summary["governance.appeals"] == appeals)
                ]
                x = s["governance.human_review"]
                label = f"appeals {'on' if appeals else 'off'}"
                ax.plot(x, s["mean"], "o-", color=colour, label=label)
                ax.fill_between(x, s["ci_low"], s["ci_high"], color=colour, alpha=0.2, lw=0)
            ax.set(title=measure.replace("_", " "), xlabel="share of automated decisions reviewed")
            ax.grid(alpha=0.3)
        axes[0, 0].legend()
        fig.suptitle("Substitutive ICT: horizon means with 95% intervals");
        """),
        code("fig = main_effects_figure(summary, KEYS)"),
        md(CONCLUSIONS_02),
    ]


# ====================================================================== 03 digital divide
def digital_divide() -> list[nbformat.NotebookNode]:
    """03: participation and needs met by quintile; the offline channel and outreach."""
    return [
        md("""
        # The digital divide and inclusion

        **Question.** Who co-produces, and whose needs are met, when public services go
        digital? Clark, Brudney & Jang (2013) found that 311-style reporting systems carry a
        distributional bias: those who report get served. When the digital channel becomes
        the only one (*digital by default*), citizens with low digital literacy, more often
        older and poorer, risk dropping out (van Deursen & van Dijk 2014), and equality, a
        value of proper governance (Nieuwenhuizen & Meijer 2021), is at risk.

        Two remedies are on the table: keep an **offline channel**, and fund **inclusion
        outreach** through community organisations, the third-sector intermediaries of Evers
        & Ewert (2021) that lower participation costs for those left out and make their needs
        visible (Jakobsen 2013: government support raises the co-production of low-resource
        groups). Pattern P4 of the model (ODD section 1.2) states the expected directions:
        closing the offline channel widens the participation gap; outreach narrows it. Here we
        look at the whole gradient by socio-economic quintile, at needs met as well as
        participation, and at what the remedies cost.

        | measure | meaning |
        |---|---|
        | `participation_q1` … `_q5` | share of a status quintile who took part this month |
        | `needs_met_q1` … `_q5` | mean share of needs met in a quintile (q1 bottom) |
        | `participation_gap` | `participation_q5 - participation_q1` |
        | `equality` | `1 - abs(needs_met_q5 - needs_met_q1)` |
        """),
        sizes("""
        CITIZENS = 300 if FAST else 2000
        STEPS = 36 if FAST else 120  # months; horizon values are means over the last 12
        REPLICATES = 3 if FAST else 30
        SWEEP_REPLICATES = 2 if FAST else 10
        CLIENT = "serial" if FAST else None  # None: a local Dask cluster when the job is big
        SEED = 1
        """),
        code("""
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd

        from coprod import CoProductionModel, Scenario
        from coprod.analysis import (
            compare_horizon,
            compare_over_time,
            horizon_table,
            run_comparison,
            run_sweep,
            summarise_sweep,
            sweep_from_dict,
            timeseries_figure,
        )

        %matplotlib inline
        pd.set_option("display.width", 160)
        QUINTILES = [f"q{q}" for q in range(1, 6)]
        PARTICIPATION = [f"participation_{q}" for q in QUINTILES]
        NEEDS_MET = [f"needs_met_{q}" for q in QUINTILES]
        """),
        md("""
        ## 1 One run, citizen by citizen: who is on the wrong side of the divide?

        Before the ensembles, one digital-by-default run, looked at through
        `citizen_frame()` month by month: how adoption of the digital channel spreads in each
        status quintile (an S-curve through the social network, slower for the less
        literate; Bass 1969, Rogers 2003), and who takes part at the end.
        """),
        code("""
        POPULATION = {"population.citizens": CITIZENS}
        by_default = Scenario.load("digital_by_default").with_overrides(POPULATION)
        model = CoProductionModel(by_default, seed=SEED)
        adoption = []
        for _ in range(STEPS):
            model.step()
            frame = model.citizen_frame()
            adoption.append(frame.groupby("quintile")["adopted"].mean())
        adoption = pd.DataFrame(adoption, index=pd.RangeIndex(1, STEPS + 1, name="month"))
        adoption.columns = QUINTILES

        frame["participated"] = frame["coproduced"] | frame["cocreated"]
        frame["member"] = frame["member"] >= 0
        profile = frame.groupby("quintile")[["ses", "age", "literacy", "adopted", "member",
                                               "participated", "met", "trust"]].mean()
        profile.index = QUINTILES
        profile.round(3)
        """),
        code("""
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), constrained_layout=True)
        adoption.plot(ax=left, cmap="viridis")
        left.set(ylabel="share using the digital channel", title="Adoption by status quintile",
                 ylim=(0, 1))
        left.grid(alpha=0.3)
        reach = frame.assign(channel=np.where(frame["adopted"], "platform", "no platform"))
        shares = reach.groupby(["quintile", "channel"])["participated"].mean().unstack()
        shares.index = QUINTILES
        shares.plot.bar(ax=right, color=["C7", "C0"], rot=0)
        right.set(ylabel="share who took part last month",
                  title="Digital by default: only adopters (and members) can take part")
        right.grid(axis="y", alpha=0.3);
        """),
        md("""
        ## 2 Five settings side by side

        Each setting runs the same replicate seeds (common random numbers). The reference
        keeps both channels. `digital_by_default` closes the counter; it and
        `digital_divide_inclusion` are shipped scenarios. The others isolate one change:

        - **counter + platform**: `coproduction` with a personalised platform (as in the
          digital-by-default scenarios), the counter still open;
        - **digital_by_default + 16 organisations**: twice the community organisations, but no
          funding for outreach; `digital_divide_inclusion` has both;
        - **counter + platform + outreach**: both remedies at once.
        """),
        code('''
        def variant(name, changes):
            """A shipped scenario at this notebook's size, with changes."""
            return Scenario.load(name).with_overrides({**POPULATION, **changes})

        scenarios = [
            variant("coproduction", {"name": "counter + platform",
                                     "platform.personalisation": True}),
            variant("digital_by_default", {}),
            variant("digital_by_default", {"name": "digital_by_default + 16 organisations",
                                           "population.community_organisations": 16}),
            variant("digital_divide_inclusion", {}),
            variant("coproduction", {"name": "counter + platform + outreach",
                                     "platform.personalisation": True,
                                     "population.community_organisations": 16,
                                     "governance.inclusion_outreach": 0.15}),
        ]
        pd.DataFrame({
            s.name: {
                "offline channel": s.governance.offline_channel,
                "personalised platform": s.platform.personalisation,
                "community organisations": s.population.community_organisations,
                "inclusion outreach": s.governance.inclusion_outreach,
            }
            for s in scenarios
        }).T
        '''),
        code("""
        runs = run_comparison(
            scenarios, replicates=REPLICATES, steps=STEPS, seed=SEED, client=CLIENT
        )
        horizon = compare_horizon(runs)
        KEY = ["participation_rate", "participation_gap", "participation_q1", "participation_q5",
               "equality", "needs_met_q1", "needs_met_q5", "effectiveness", "adoption",
               "contribution_gini", "top10_share", "trust", "responsiveness", "backlog",
               "efficiency"]
        print(horizon_table(horizon, KEY))
        """),
        md("""
        ### The gradient by quintile

        Horizon means (last 12 months) with 95% intervals across replicates, from the bottom
        (q1) to the top (q5) status quintile.
        """),
        code('''
        def quintile_plot(horizon, groups):
            """Horizon means with 95% intervals by quintile, one panel per group of measures."""
            fig, axes = plt.subplots(1, len(groups), figsize=(6.5 * len(groups), 4.4),
                                     constrained_layout=True)
            table = horizon.set_index(["measure", "scenario"])
            names = list(dict.fromkeys(horizon["scenario"]))
            for ax, (title, measures) in zip(np.atleast_1d(axes), groups.items(), strict=True):
                for i, name in enumerate(names):
                    r = table.loc[[(m, name) for m in measures]]
                    x = np.arange(1, 6) + (i - (len(names) - 1) / 2) * 0.06
                    err = np.vstack([r["mean"] - r["ci_low"], r["ci_high"] - r["mean"]])
                    ax.errorbar(x, r["mean"], yerr=np.nan_to_num(err), marker="o", capsize=3,
                                label=name, color=f"C{i}")
                ax.set_xticks(range(1, 6), QUINTILES)
                ax.set(xlabel="socio-economic quintile (q1 bottom)", title=title)
                ax.grid(alpha=0.3)
            np.atleast_1d(axes)[0].legend(fontsize=8)
            return fig

        fig = quintile_plot(horizon, {"Participation rate": PARTICIPATION,
                                      "Share of needs met": NEEDS_MET})
        '''),
        md("""
        ### Differences to keeping both channels

        The differences with 95% Welch intervals, for the measures of the question and for
        what the remedies cost elsewhere (responsiveness, efficiency).
        """),
        code("""
        shown = ["participation_gap", "participation_q1", "equality", "needs_met_q1",
                 "effectiveness", "trust", "responsiveness", "efficiency"]
        table = horizon.set_index(["measure", "scenario"])
        names = list(dict.fromkeys(horizon["scenario"]))[1:]
        fig, axes = plt.subplots(2, 4, figsize=(17, 5.5), sharey=True, constrained_layout=True)
        for ax, measure in zip(axes.ravel(), shown, strict=True):
            r = table.loc[measure].loc[names]
            err = np.vstack([r["diff"] - r["diff_low"], r["diff_high"] - r["diff"]])
            y = np.arange(len(names))
            ax.errorbar(r["diff"], y, xerr=np.nan_to_num(err), fmt="o", capsize=3)
            ax.axvline(0, color="k", lw=0.8)
            ax.set_title(measure.replace("_", " "), fontsize=10)
            ax.locator_params(axis="x", nbins=4)
            ax.grid(axis="x", alpha=0.3)
        for ax in axes[:, 0]:
            ax.set_yticks(range(len(names)), names)
        axes[0, 0].invert_yaxis()
        fig.suptitle(f"Difference to '{horizon['scenario'].iloc[0]}' (95% Welch intervals)");
        """),
        md("### Over time"),
        code("""
        over_time = ("adoption", "participation_rate", "participation_gap", "participation_q1",
                     "equality", "needs_met_q1", "responsiveness", "trust")
        fig = timeseries_figure(
            compare_over_time(runs, measures=list(over_time)), measures=over_time
        )
        """),
        md("""
        ## 3 How much outreach? A dose-response sweep

        Outreach is a share of the administration's staff capacity spent reaching low
        participants through community organisations (ODD section 7.6); the same share is
        taken from handling citizens' inputs (7.7). A grid over the outreach share, with and
        without the offline channel, from the counter + platform setting with 16
        organisations, shows both sides of that trade.
        """),
        code("""
        OUTREACH_MEASURES = ["participation_gap", "participation_q1", "equality", "needs_met_q1",
                             "effectiveness", "responsiveness"]
        outreach = sweep_from_dict({
            "name": "outreach",
            "description": "Inclusion outreach with and without the offline channel",
            "scenario": "coproduction",
            "design": "grid",
            "replicates": SWEEP_REPLICATES,
            "steps": STEPS,
            "seed": SEED,
            "measures": OUTREACH_MEASURES,
            "set": {**POPULATION, "platform.personalisation": True,
                    "population.community_organisations": 16},
            "parameters": {
                "governance.inclusion_outreach": [0.0, 0.05, 0.1, 0.15, 0.2, 0.3],
                "governance.offline_channel": [True, False],
            },
        })
        results = run_sweep(outreach, client=CLIENT, progress=False)
        summary = summarise_sweep(results, list(outreach.parameters), OUTREACH_MEASURES)

        fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), constrained_layout=True)
        for ax, measure in zip(axes.ravel(), OUTREACH_MEASURES, strict=True):
            for offline, colour in ((True, "C0"), (False, "C3")):
                s = summary[(summary["measure"] == measure)
                            & (summary["governance.offline_channel"] == offline)]
                x = s["governance.inclusion_outreach"]
                ax.plot(x, s["mean"], "o-", color=colour,
                        label="counter open" if offline else "digital by default")
                ax.fill_between(x, s["ci_low"], s["ci_high"], color=colour, alpha=0.2, lw=0)
            ax.set(title=measure.replace("_", " "), xlabel="inclusion outreach (share of staff)")
            ax.grid(alpha=0.3)
        axes[0, 0].legend()
        fig.suptitle("Horizon means with 95% intervals");
        """),
        code("""
        wide = summary.pivot_table(
            index=["governance.offline_channel", "governance.inclusion_outreach"],
            columns="measure",
            values="mean",
        )[OUTREACH_MEASURES]
        wide.round(3)
        """),
        md("""
        ### Why can closing the counter help once outreach is generous?

        In the sweep, from an outreach share of about 0.1 on, digital by default does as well
        as keeping the counter, or better, on the participation gap, the bottom quintile's
        participation and needs met, and effectiveness. The model's mechanism: outreach
        targets *low participants* (cumulative contributions below `LOW_PARTICIPATION`, ODD
        section 7.6) and recruits some of them into community organisations, whose members
        get assisted access and are mobilised. With the counter open, many disadvantaged
        citizens contribute a little on their own and leave the target group; with it
        closed they stay in it, and more of them are recruited. One run of each at an
        outreach share of 0.2 shows the difference in membership after ten years:
        """),
        code("""
        generous = Scenario.load("coproduction").with_overrides({
            **POPULATION,
            "platform.personalisation": True,
            "population.community_organisations": 16,
            "governance.inclusion_outreach": 0.2,
        })
        membership = {}
        for label, offline in (("counter open", True), ("digital by default", False)):
            setting = generous.with_overrides({"governance.offline_channel": offline})
            run = CoProductionModel(setting, seed=SEED)
            for _ in range(STEPS):
                run.step()
            citizens = run.citizen_frame()
            membership[label] = (citizens["member"] >= 0).groupby(citizens["quintile"]).mean()
        membership = pd.DataFrame(membership)
        membership.index = QUINTILES
        print("Share of each quintile who are members of a community organisation")
        membership.round(3)
        """),
        md(CONCLUSIONS_03),
    ]


# ====================================================================== 04 sensitivity
def sensitivity() -> list[nbformat.NotebookNode]:
    """04: Morris screening, then Sobol indices on the parameters that matter."""
    return [
        md("""
        # Which levers matter? Global sensitivity analysis

        **Question.** A policy maker choosing how to organise co-production cares about a few
        outcomes: are needs met (`effectiveness`), and fairly (`equality`); do citizens trust
        the administration (`trust`); does taking part depend on status
        (`participation_gap`); and is governance proper overall (`proper_value`: lawfulness,
        equality, integrity). Which governance **levers** move these outcomes most? And which
        of the model's uncertain behavioural **assumptions** would change the answer, so that
        they are worth measuring in the field?

        One-at-a-time sweeps miss interactions: human review matters only when an algorithm
        decides. Global sensitivity analysis varies everything at once. We follow the usual
        two steps (Saltelli et al. 2008):

        1. **Morris screening** ranks many parameters cheaply by their elementary effects:
           `mu_star` is a parameter's overall influence, `sigma` the spread of its effects
           (non-linearity and interactions).
        2. **Sobol indices** on the few parameters that matter apportion each outcome's
           variance: `S1` is the share due to the parameter alone, `ST` the share including
           its interactions.

        coprod wires both to SALib (`plan_sensitivity`, `run_sensitivity`, `sensitivity_figure`;
        see `docs/analysis.md`). Every sample point runs a few replicates with the same seeds
        at every point; the output of a point is each measure's horizon value (mean of the
        last 12 months) averaged over its replicates.
        """),
        sizes("""
        CITIZENS = 200 if FAST else 2000
        STEPS = 24 if FAST else 120
        REPLICATES = 1 if FAST else 2  # runs per sample point
        TRAJECTORIES = 4 if FAST else 20  # Morris: points = trajectories x (parameters + 1)
        SOBOL_N = 8 if FAST else 256  # Sobol base sample, a power of two: points = N x (k + 2)
        MAX_SOBOL_PARAMETERS = 3 if FAST else 5
        CLIENT = "serial" if FAST else None  # None: a local Dask cluster when the job is big
        SEED = 3
        """),
        code("""
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd

        from coprod.analysis import (
            plan_sensitivity,
            run_sensitivity,
            sensitivity_figure,
            sweep_from_dict,
        )

        %matplotlib inline
        pd.set_option("display.width", 160)
        """),
        md("""
        ## 1 The design, declared as data

        The base is the `coproduction` scenario. Ten parameters vary over ranges a municipality
        could plausibly choose (levers) or that the literature leaves open (assumptions). A
        list of values (`ict_role`, `offline_channel`) becomes equally likely levels.

        | parameter | kind | range | what it is |
        |---|---|---|---|
        | `governance.budget` | lever | 0.6 – 1.4 | budget per capita (1 = default) |
        | `governance.capacity` | lever | 0.5 – 2 | staff capacity for inputs (1 = default) |
        | `governance.inclusion_outreach` | lever | 0 – 0.3 | share of staff reaching out |
        | `governance.offline_channel` | lever | open, closed | the counter |
        | `governance.ict_role` | lever | 3 roles | instrumental, transformative, substitutive |
        | `governance.human_review` | lever | 0 – 1 | automated decisions reviewed |
        | `behaviour.weight_motivation` | assumption | 2 – 6 | civic motivation's weight |
        | `behaviour.weight_cost` | assumption | 1.2 – 3.6 | weight of a channel's cost |
        | `services.substitution` | assumption | -1 – 0.9 | CES exponent (Parks et al. 1981) |
        | `administration.algorithm_error` | assumption | 0.02 – 0.3 | automated error rate |

        Human review acts only under substitutive ICT. The CES exponent says whether
        co-producers' effort complements (below 0) or substitutes for (near 1) professional
        work.

        The design is checked before anything runs: a misspelt key or an out-of-range value
        stops here with a message naming it.
        """),
        code('''
        PARAMETERS = {
            "governance.budget": {"min": 0.6, "max": 1.4},
            "governance.capacity": {"min": 0.5, "max": 2.0},
            "governance.inclusion_outreach": {"min": 0.0, "max": 0.3},
            "governance.offline_channel": [True, False],
            "governance.ict_role": ["instrumental", "transformative", "substitutive"],
            "governance.human_review": {"min": 0.0, "max": 1.0},
            "behaviour.weight_motivation": {"min": 2.0, "max": 6.0},
            "behaviour.weight_cost": {"min": 1.2, "max": 3.6},
            "services.substitution": {"min": -1.0, "max": 0.9},
            "administration.algorithm_error": {"min": 0.02, "max": 0.3},
        }
        LEVERS = [key for key in PARAMETERS if key.startswith("governance.")]
        MEASURES = ["effectiveness", "equality", "trust", "participation_gap", "proper_value"]


        def design(parameters, name):
            """A sensitivity design on the coproduction scenario (the keys of a sweep file)."""
            return sweep_from_dict({
                "name": name,
                "scenario": "coproduction",
                "replicates": REPLICATES,
                "steps": STEPS,
                "seed": SEED,
                "measures": MEASURES,
                "set": {"population.citizens": CITIZENS},
                "parameters": parameters,
            })


        screening = design(PARAMETERS, "screening")
        plan, problem, X = plan_sensitivity(screening, "morris", samples=TRAJECTORIES)
        print(f"Morris: {len(plan.points)} sample points x {REPLICATES} replicates = "
              f"{len(plan.runs)} runs of {STEPS} months, {CITIZENS:,} citizens")
        pd.DataFrame(plan.points).head()
        '''),
        md("""
        ## 2 Morris screening
        """),
        code("""
        morris = run_sensitivity(screening, "morris", samples=TRAJECTORIES, client=CLIENT,
                                 progress=not FAST)
        morris.head()
        """),
        code("fig = sensitivity_figure(morris)"),
        md("""
        The outcomes are on different scales, so we compare parameters within each outcome:
        `mu_star` divided by the largest `mu_star` for that outcome. A parameter near 1 is
        the strongest influence on that outcome.
        """),
        code("""
        mu_star = morris.pivot(index="parameter", columns="measure", values="mu_star")[MEASURES]
        relative = (mu_star / mu_star.max()).loc[list(PARAMETERS)]

        fig, ax = plt.subplots(figsize=(8, 5.5), constrained_layout=True)
        image = ax.imshow(relative.to_numpy(), cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(MEASURES)), MEASURES, rotation=20, ha="right")
        kinds = ["lever" if key in LEVERS else "assumption" for key in relative.index]
        labels = [f"{key}  ({kind})" for key, kind in zip(relative.index, kinds, strict=True)]
        ax.set_yticks(range(len(relative)), labels)
        for (i, j), value in np.ndenumerate(relative.to_numpy()):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center",
                    color="white" if value > 0.6 else "black", fontsize=8)
        fig.colorbar(image, label="mu_star relative to the strongest parameter")
        ax.set_title("Morris screening: relative influence");
        """),
        md("""
        `sigma` against `mu_star`: parameters far above the diagonal act non-linearly or
        through interactions (their effect depends on where the others are), those on or
        below it act roughly additively.
        """),
        code("""
        fig, axes = plt.subplots(
            1, len(MEASURES), figsize=(4 * len(MEASURES), 3.8), constrained_layout=True
        )
        for ax, measure in zip(axes, MEASURES, strict=True):
            m = morris[morris["measure"] == measure]
            ax.scatter(m["mu_star"], m["sigma"], color="C0")
            top = m.nlargest(4, "mu_star")
            for _, r in top.iterrows():
                ax.annotate(r["parameter"].split(".")[-1], (r["mu_star"], r["sigma"]), fontsize=7)
            limit = max(m["mu_star"].max(), m["sigma"].max()) * 1.1 or 1
            ax.plot([0, limit], [0, limit], ls=":", color="k", lw=0.8)
            ax.set(title=measure.replace("_", " "), xlabel="mu_star", ylabel="sigma")
            ax.grid(alpha=0.3)
        """),
        md("""
        ### Which parameters go forward?

        A parameter goes forward to the Sobol step if its relative `mu_star` reaches 0.2 for
        at least one outcome; at most the strongest few, ranked by their best relative
        influence. The others stay at the `coproduction` scenario's values (budget and
        capacity 1, counter open, instrumental ICT, and so on).
        """),
        code("""
        score = relative.max(axis=1).sort_values(ascending=False)
        selected = list(score[score >= 0.2].index[:MAX_SOBOL_PARAMETERS])
        if len(selected) < 2:
            selected = list(score.index[:2])
        print("Best relative influence:")
        print(score.round(2).to_string())
        print("\\nSobol step:", selected)
        left_out = [key for key in score[score >= 0.2].index if key not in selected]
        print("Influential but left at the scenario's values by the cap:", left_out or "none")
        """),
        md("""
        ## 3 Sobol indices on the parameters that matter
        """),
        code("""
        refined = design({key: PARAMETERS[key] for key in selected}, "sobol")
        plan, problem, X = plan_sensitivity(refined, "sobol", samples=SOBOL_N)
        print(f"Sobol: {len(plan.points)} sample points x {REPLICATES} replicates = "
              f"{len(plan.runs)} runs")
        sobol = run_sensitivity(
            refined, "sobol", samples=SOBOL_N, client=CLIENT, progress=not FAST
        )
        fig = sensitivity_figure(sobol)
        """),
        md("""
        First-order (`S1`) and total (`ST`) indices by outcome, and the share of each
        outcome's variance that the parameters explain on their own (`sum S1`). What `sum S1`
        leaves is due to interactions and to the runs' own randomness; `ST - S1` is the part
        of a parameter's influence that works through interactions. The last row sums each
        column.
        """),
        code("""
        s1 = sobol.pivot(index="parameter", columns="measure", values="S1").loc[selected, MEASURES]
        st = sobol.pivot(index="parameter", columns="measure", values="ST").loc[selected, MEASURES]
        indices = pd.concat({"S1": s1, "ST": st, "ST - S1": st - s1}, axis=1)
        indices.loc["sum"] = indices.sum()
        indices.round(2)
        """),
        code("""
        top = sobol.loc[sobol.groupby("measure")["ST"].idxmax(),
                        ["measure", "parameter", "S1", "S1_conf", "ST", "ST_conf"]]
        top.set_index("measure").loc[MEASURES].round(3)
        """),
        md(CONCLUSIONS_04),
    ]


# ====================================================================== 05 pilots
def pilots() -> list[nbformat.NotebookNode]:
    """05: central pilot programmes against democratic experimentalism."""
    return [
        md("""
        # Central pilots or democratic experimentalism?

        **Question (Evers & Ewert 2021).** Co-productive services arise as local social
        innovations, in cities and municipalities. Evers & Ewert argue for going beyond pilot
        programmes, *which merely put to the test what remains centrally designed and
        decided*, towards **democratic experimentalism**: local experiments, evaluation, and
        learning between places (Sabel & Simon 2017). How fast does each process spread
        innovations, how far, and does what spreads fit the places it reaches?

        **How the model represents it** (ODD section 7.13). Twelve municipalities that differ
        in socio-economic make-up. An *innovation* is a change of local governance from a
        catalogue: a personalised platform, open government, inclusion outreach, a
        co-production programme, a recognition scheme, algorithmic allocation, digital by
        default. Its effect is not a parameter; it is whatever the model produces in that
        place. A municipality's *public value* is the mean of effectiveness, efficiency,
        responsiveness, equality, lawfulness, integrity and trust there; effects are judged as
        a difference in differences against the other municipalities, with noise.

        - **central_pilot**: a central body pilots three innovations at once, each in a group
          of three municipalities (the best-placed in the first group), for 24 months,
          decides six months later on each group's mean effect, and scales the innovation to
          all twelve or drops it (a pilot whose own evaluation was positive may keep it).
        - **experimentalism**: each municipality now and then tries an innovation for 12
          months, keeps it if its own evaluation is positive, and chooses what to try by its
          peers' evidence, weighted by how alike the places are.
        - **no innovation**: the same twelve municipalities without either process, as a
          reference.

        Every adoption is judged for **fit** 24 months after it first took effect in a
        municipality: did it raise that municipality's public value relative to the others?
        And, independently of that before-and-after, against a **same-seed counterfactual**:
        at the decision the model is forked, and the place's public value 24 months on with
        the adoption is compared with a branch without it (`cf_fit`, `cf_effect`).

        We ask four questions of the runs: (1) how many innovations are adopted, how fast, and
        do pilots scale? (2) how long does an innovation take to reach half of the
        municipalities? (3) what share of adoptions fitted their place? (4) how far apart do
        the municipalities' outcomes end up, and who gains?
        """),
        sizes("""
        CITIZENS = 1200 if FAST else 9600  # 12 municipalities of 4 neighbourhoods
        STEPS = 72 if FAST else 120  # months
        REPLICATES = 3 if FAST else 30
        CLIENT = "serial" if FAST else None  # None: a local Dask cluster when the job is big
        SEED = 1
        COUNTERFACTUAL = not FAST  # same-seed branches: about eight times a run's steps
        """),
        code("""
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd

        from coprod import CoProductionModel, Scenario
        from coprod.analysis import (
            compare_horizon,
            compare_innovations,
            compare_municipalities,
            compare_over_time,
            horizon_table,
            innovations_table,
            municipality_table,
            run_comparison_detail,
            t_interval,
            timeseries_figure,
        )

        %matplotlib inline
        pd.set_option("display.width", 160)
        """),
        md("""
        ## 1 Three processes, the same places

        The two shipped scenarios differ only in `governance.innovation`; the reference
        switches it off.
        """),
        code('''
        POPULATION = {
            "population.citizens": CITIZENS,
            "innovation_process.counterfactual_fit": COUNTERFACTUAL,
        }
        central = Scenario.load("central_pilot").with_overrides(POPULATION)
        experimental = Scenario.load("experimentalism").with_overrides(POPULATION)
        reference = central.with_overrides(
            {"name": "no innovation", "governance.innovation": "none"}
        )
        scenarios = [reference, central, experimental]
        names = [central.name, experimental.name]  # the two innovation processes


        def flat(data, prefix=""):
            """A nested scenario dict as {dotted key: value}."""
            out = {}
            for key, value in data.items():
                if isinstance(value, dict):
                    out.update(flat(value, f"{prefix}{key}."))
                else:
                    out[f"{prefix}{key}"] = value
            return out


        a, b = flat(central.to_dict()), flat(experimental.to_dict())
        pd.DataFrame({key: {"central_pilot": a[key], "experimentalism": b[key]}
                      for key in a if a[key] != b[key]}).T
        '''),
        md("""
        The world (citizens, neighbourhoods, networks, businesses) is drawn from the seed
        before any innovation happens, so in a given replicate the three processes act on the
        same twelve places. The places differ in mean status (`population.municipality_diversity`):
        """),
        code("""
        worlds = [CoProductionModel(s, seed=SEED).citizen_frame() for s in scenarios]
        assert all(np.array_equal(worlds[0]["ses"], w["ses"]) for w in worlds[1:])
        places = worlds[0].groupby("municipality").agg(
            citizens=("ses", "size"), status=("ses", "mean"), literacy=("literacy", "mean")
        )
        places.sort_values("status", ascending=False).round(3).T
        """),
        md("""
        ## 2 Ensembles: adoption over time and the value families

        `run_comparison_detail` runs every replicate once and keeps all three tables of each
        run: the model-level measures (`model_vars`, exactly what `run_comparison` returns),
        the measures per municipality and the innovation summaries (sections 3 and 4).
        """),
        code("""
        detail = run_comparison_detail(
            scenarios, replicates=REPLICATES, steps=STEPS, seed=SEED, client=CLIENT
        )
        runs = detail.model_vars  # scenario, replicate, seed, step, measures
        horizon = compare_horizon(runs)
        # the seven components of a municipality's public value, and the family composites
        PUBLIC_VALUE = ["effectiveness", "efficiency", "responsiveness", "equality", "lawfulness",
                        "integrity", "trust"]
        print(horizon_table(horizon, [
            "innovations_adopted", "innovation_reach", "outcome_spread", *PUBLIC_VALUE,
            "performing_value", "responsive_value", "proper_value",
        ]))
        """),
        code("""
        shown = ("innovations_adopted", "innovation_reach", "outcome_spread", "performing_value",
                 "responsive_value", "proper_value", "equality", "trust")
        fig = timeseries_figure(compare_over_time(runs, measures=list(shown)), measures=shown)
        """),
        md("""
        ## 3 Per innovation: `detail.innovations`

        Each run's innovation table (`RunResult.innovations`: trials, adopters, months to reach
        half of the municipalities, mean evaluated effect, fit), stacked with `scenario`,
        `replicate` and `seed`. The reference has no innovation process, hence no rows.
        """),
        code("""
        seeds = runs.drop_duplicates("replicate").set_index("replicate")["seed"]
        innovations = detail.innovations
        assert set(innovations["scenario"]) == set(names)
        innovations.head(7)
        """),
        md("""
        ### Which innovations spread?

        Per innovation and process, averaged over replicates: how many of the twelve
        municipalities tried and adopted it, the share of replicates in which it reached half
        of them, the median months from its first trial to that point, its mean evaluated
        effect (public-value points) and the share of its judged adoptions that fitted.
        """),
        code('''
        def per_innovation(frame):
            """Summary of one innovation under one process, over the replicates."""
            judged = frame["judged"].sum()
            reached = frame["months_to_half"].notna()
            return pd.Series({
                "tried by": frame["trials"].mean(),
                "adopted by": frame["adopters"].mean(),
                "reached half": reached.mean(),
                "months to half (median)": frame.loc[reached, "months_to_half"].median(),
                "mean effect": frame["mean_effect"].mean(),
                "fit": (frame["fit"] * frame["judged"]).sum() / judged if judged else np.nan,
            })

        by_innovation = innovations.groupby(["innovation", "scenario"]).apply(per_innovation)
        columns = pd.MultiIndex.from_product([names, by_innovation.columns])
        by_innovation.unstack("scenario").swaplevel(axis=1).reindex(columns=columns).round(2)
        '''),
        md("""
        ### Time to reach half of the municipalities

        For each run, the first month in which some innovation had been adopted by at least
        half of the municipalities (`innovation_reach >= 0.5`), and, per innovation, the
        months from its first trial until half had adopted it.
        """),
        code("""
        first_half = (
            runs[runs["innovation_reach"] >= 0.5].groupby(["scenario", "replicate"])["step"].min()
            .reindex(pd.MultiIndex.from_product([[central.name, experimental.name], seeds.index],
                                                names=["scenario", "replicate"]))
        )
        summary = first_half.groupby("scenario").agg(["mean", "std", "count"])
        summary["runs"] = REPLICATES
        summary["ci_low"], summary["ci_high"] = t_interval(
            summary["mean"], summary["std"], summary["count"]
        )
        print("First month in which an innovation reached half of the municipalities "
              "(count: runs in which one did)")
        summary.round(1)
        """),
        code("""
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), constrained_layout=True)
        data = [
            innovations.loc[innovations["scenario"] == n, "months_to_half"].dropna()
            for n in names
        ]
        left.boxplot([d if len(d) else [np.nan] for d in data])
        left.set_xticks([1, 2], names)
        left.set(ylabel="months from first trial to half of the municipalities",
                 title="Innovations that reached half")
        share = innovations.groupby("scenario")["months_to_half"].apply(lambda s: s.notna().mean())
        share.loc[names].plot.bar(ax=right, color=["C1", "C2"], rot=0)
        right.set(ylabel="share of (innovation, run) pairs", ylim=(0, 1),
                  title="Innovations that ever reached half")
        right.grid(axis="y", alpha=0.3);
        """),
        md("""
        ### Did what spread fit its place?

        `compare_innovations` reduces each run to a few numbers (adoptions, trials, innovations
        that reached half, median months to half, adoptions judged, and the share of judged
        adoptions that **fitted**: the innovation raised that municipality's public value
        relative to the others, 24 months after it took effect there), the keep-or-drop
        `decisions` per place and the `evaluations` behind them, the evaluations'
        `signal_to_noise` and `flipped_share` (how often the noise reversed a decision), and
        the counterfactual fit (`cf_fit`: the share of adoptions whose place had a higher
        public value 24 months on than in a same-seed branch without them; `cf_effect`: the
        mean difference). It gives the mean across runs with a 95% interval and the difference
        to central pilots with a Welch interval (`*` where it excludes zero). `n` counts the
        runs where a value is defined.
        """),
        code("""
        processes = compare_innovations(innovations)  # per-run values: innovation_runs()
        print(innovations_table(processes))
        columns = ["mean", "sd", "n", "ci_low", "ci_high", "diff", "diff_low", "diff_high",
                   "p_value"]
        fits = processes[processes["measure"].isin(["fit", "cf_fit"])]
        fits.set_index(["measure", "scenario"])[columns].round(3)
        """),
        md("""
        ## 4 Outcomes across municipalities: who gains?

        `outcome_spread` (above) is the standard deviation of the municipalities' public value.
        `detail.municipality_vars` goes further: one row per run, month and municipality, with
        the municipality's mean socio-economic `status` and its `status_rank` in the run (1 =
        best placed). Places are shuffled between replicates, so we compare them by rank; in a
        given replicate, rank 1 is the same place in all three scenarios. `compare_municipalities`
        gives each place's horizon value (mean of the last 12 months) across runs, and its
        difference to the same place **without** innovation (the reference, first scenario):
        """),
        code("""
        by_place = compare_municipalities(detail.municipality_vars, ["public_value"])
        print(municipality_table(by_place, "public_value"))
        """),
        md("""
        Per run and municipality: a process whose innovations fit their places should leave
        few municipalities worse off than without innovation.
        """),
        code("""
        mv = detail.municipality_vars
        keys = ["scenario", "replicate", "municipality"]
        places = mv[mv["step"] > STEPS - 12].groupby(keys).agg(
            public_value=("public_value", "mean"),
            status=("status", "first"),
            status_rank=("status_rank", "first"),
        )
        places = places.join(mv[mv["step"] == STEPS].set_index(keys)["innovations"]).reset_index()
        without = places[places["scenario"] == "no innovation"]
        base = without.set_index(["replicate", "municipality"])
        places = places[places["scenario"] != "no innovation"].join(
            base["public_value"].rename("without"), on=["replicate", "municipality"])
        places["gain"] = places["public_value"] - places["without"]

        worse = (places["gain"] < 0).groupby([places["scenario"], places["replicate"]]).mean()
        table = worse.groupby("scenario").agg(["mean", "std", "count"])
        table["ci_low"], table["ci_high"] = t_interval(table["mean"], table["std"], table["count"])
        gain = places.groupby(["scenario", "replicate"])["gain"].mean().groupby("scenario").mean()
        print("Share of municipalities worse off than without innovation (mean over runs, 95% CI)")
        table.assign(mean_gain=gain).round(3)
        """),
        code("""
        fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.3), constrained_layout=True)
        for i, name in enumerate(names):
            p = places[places["scenario"] == name]
            by_rank = p.groupby("status_rank")["gain"].agg(["mean", "std", "count"])
            lo, hi = t_interval(by_rank["mean"], by_rank["std"], by_rank["count"])
            colour = f"C{i + 1}"
            left.plot(by_rank.index, by_rank["mean"], "o-", color=colour, label=name)
            left.fill_between(by_rank.index, lo, hi, color=colour, alpha=0.2, lw=0)
            right.hist(p["gain"], bins=30, alpha=0.5, color=colour, label=name)
        left.axhline(0, color="k", lw=0.8)
        left.set(xlabel="municipality's status rank (1 = best placed)",
                 ylabel="public value gain over no innovation", title="Who gains, by place")
        left.legend()
        left.grid(alpha=0.3)
        right.axvline(0, color="k", lw=0.8)
        right.set(xlabel="public value gain over no innovation", ylabel="municipalities x runs",
                  title="Distribution of gains")
        right.legend();
        """),
        md(CONCLUSIONS_05),
    ]


# ====================================================================== conclusions
# What the results say, written from a full-size run (FAST unset) of coprod 0.1.0.
CONCLUSIONS_02 = """
## 5 What the model says about the claim

The numbers below come from a full-size run (2,000 citizens, 120 months, 30 replicates, seed 1,
coprod 0.1.0): horizon means, and differences to co-production without ICT with 95% Welch
intervals. A `FAST` run prints the same tables from much smaller samples.

**Where the model supports the claim.**

- *Proper governance is at risk, most under substitutive use.* The proper-value composite
  falls by 0.023 [0.020, 0.025] under instrumental ICT, 0.060 [0.056, 0.065] under
  transformative and 0.119 [0.114, 0.124] under substitutive ICT: the order the claim
  predicts, each step resolved (check 3).
- *Performing values rise*, most where an algorithm replaces case workers: +0.004
  (instrumental), +0.002 (transformative, barely resolved), +0.026 (substitutive).
  Effectiveness rises under every role (+0.011 to +0.016).

**Where the model qualifies the claim or does not support it.**

- *Efficiency does not gain from instrumental or transformative ICT.* Platform costs eat the
  gain: efficiency falls by 0.008 [0.007, 0.010] under instrumental ICT and by 0.006 [0.005,
  0.008] under transformative ICT. Only substitutive ICT, which cuts staff, raises it
  (+0.041). Outside substitutive use the performing gain is effectiveness alone, and it is
  small; under transformative ICT it is no larger than under instrumental ICT (-0.002
  [-0.003, +0.000]).
- *Which proper value is at risk depends on the role.* Under instrumental and transformative
  ICT the loss is almost all **equality** (-0.065 and -0.182): allocation that follows
  reports and platform traces follows those who leave them, and they are better off (Clark,
  Brudney & Jang 2013). Lawfulness barely moves (-0.002 and -0.001). Only substitutive ICT
  puts **lawfulness** at risk (-0.105, the algorithm's uncorrected errors), on top of the
  largest equality loss (-0.255).
- *Integrity does not depend on the ICT role* (every difference within ±0.005). It is lost
  where business partners capture allocation behind closed processes: in
  `transformative_open_data` integrity is 0.041 [0.035, 0.046] below `coproduction`; with
  open processes the loss disappears (+0.004 [+0.000, +0.007]). In the model the risk to
  integrity comes with the transparency of the process, not with the role of ICT.
- *Responsive values rise under every role* (+0.029 to +0.047: participation and
  satisfaction; trust too, except under substitutive ICT, where it falls a little, -0.006),
  which the claim does not address. So does the participation gap between the top and bottom
  quintile, from 0.007 without ICT to 0.102 with instrumental ICT: the digital divide of
  notebook 03.

**Safeguards (check 4).** Human review of 30% of automated decisions with appeals wins back
62% of the lawfulness loss (lawfulness 0.943 against 0.879) but no resolved part of the
equality loss (+0.016 [-0.002, +0.034]): that loss comes from whom the data see, not from
errors. Adding outreach wins back a third of the equality loss (+0.086) and raises trust by
0.072; far from costing performing value, it raises it a little (+0.013 [+0.010, +0.017],
through effectiveness, +0.031). The price is efficiency (-0.004 to -0.009). In the sweep,
lawfulness rises in proportion to the reviewed share, to 1 with full review; appeals matter
most where review is low (0.916 against 0.882 without review); efficiency falls from 0.735 to
0.699 with full review, back to the level of co-production without ICT (0.699). Equality
barely moves with review or appeals (0.67 to 0.70 across the grid, within the runs' noise).

**In sum.** The model reproduces the direction of Nieuwenhuizen & Meijer's claim: ICT trades
proper for performing values, the more so the further ICT moves from instrumental to
substitutive. Up close the trade looks different: outside substitutive ICT the performing
gains are small (no larger under transformative than under instrumental ICT) and efficiency
falls; the proper-governance loss under instrumental and transformative ICT is a loss of
equality, not of lawfulness or integrity; integrity depends on open processes rather than on
the ICT role; and the safeguards that restore lawfulness do not restore equality, which needs
outreach. Recall the caution at the top: the directions are
built into the mechanisms (pattern P5), and the sizes rest on constants that have not been
fitted to data (`ICT_ROLES`, `administration.algorithm_error`, `REVIEW_COST`, platform
costs). Notebook 04 shows how much some of them matter.
"""

CONCLUSIONS_03 = """
## 4 What the model says

The numbers below come from a full-size run (2,000 citizens, 120 months, 30 replicates; the
sweep 10 replicates per point; seed 1, coprod 0.1.0).

- **A steep gradient.** Participation and needs met rise with status in every setting. With
  both channels open the bottom quintile takes part at 0.115 a month and the top at 0.260;
  their needs are met at 0.589 and 0.763.
- **Closing the counter hits the bottom far harder than the top.** Digital by default more
  than halves the bottom quintile's participation (0.115 to 0.052) and lowers its needs met
  (0.589 to 0.553). The top quintile takes part a little less too (0.260 to 0.230), but its
  needs met do not change (0.763 to 0.768). The participation gap widens from 0.145 to 0.178,
  equality falls from 0.826 to 0.785, trust by 0.061: pattern P4, and the distributional bias
  of Clark, Brudney & Jang (2013). Adoption is the same either way (0.56): in the model,
  closing the counter does not push anyone onto the platform, because adoption spreads
  through the network and with literacy, not with need.
- **Organisations alone change nothing; funding them does.** Twice the community
  organisations without outreach funding give the same results as digital by default
  (membership depends on a neighbourhood having an organisation, not on how many it has).
  Funding outreach with 15% of staff on top (`digital_divide_inclusion`) more than reverses
  the damage: bottom-quintile participation 0.218, participation gap 0.076, equality 0.885,
  the best of the five settings on every measure of the question, with effectiveness
  (+0.029) and trust (+0.053) up as well.
- **The price is responsiveness.** Outreach staff are taken from handling inputs:
  responsiveness falls from 1.0 to 0.48 in `digital_divide_inclusion` (0.73 with the counter
  open) and the backlog rises from almost none to 17% of citizens. The sweep shows a
  threshold: up to an outreach share of 0.05 responsiveness holds; at 0.2 a third of inputs
  (counter open) or almost none (digital by default) are handled in time, and the gains in
  equality level off beyond 0.2. An administration that funds outreach needs to add capacity
  rather than take it from input handling, or accept that those who report will wait.
- **A result to check before acting on it.** With generous outreach, closing the counter
  does as well as keeping it for the bottom quintile, or better. Outreach targets low
  participants, and those who cannot use the counter stay low participants and are recruited
  into organisations: after ten years at an outreach share of 0.2, 91% of the bottom quintile
  are members with the counter closed against 68% with it open. This rests on two assumptions
  of the model, that outreach targets by past contributions and that recruitment accumulates
  over ten years to most of the population, which real outreach programmes may not meet.
  Treat it as a hypothesis about targeting, not as advice to close counters.
"""

CONCLUSIONS_04 = """
## 4 What the indices say

The numbers below come from a full-size run (2,000 citizens, 120 months, 2 replicates per
point; Morris 20 trajectories, 440 runs; Sobol base sample 256, 3,584 runs; seed 3, coprod
0.1.0). Sobol intervals are about ±0.1 at this sample size; differences smaller than that
are not resolved.

- **Needs met are a matter of money.** The budget explains almost all the variance of
  effectiveness (S1 0.88) and most of trust (0.58, through needs met against expectation);
  civic motivation, an assumption, adds 0.23 to trust. Within these ranges no other lever
  moves effectiveness much.
- **Fairness is a matter of the ICT role and outreach.** The ICT role explains most of
  equality (S1 0.67, ST 0.78) and of proper governance (S1 0.71, ST 0.85), as notebook 02
  found; inclusion outreach comes second for both (0.18 and 0.12). For the participation gap
  the two lead together: the ICT role (S1 0.40, ST 0.41) and outreach (S1 0.28, ST 0.32),
  with budget (0.17) and civic motivation (0.13) behind.
- **Interactions where expected.** Human review matters for proper governance largely
  through its interaction with the ICT role (S1 0.03, ST 0.06): it acts only when an
  algorithm decides. Equality, the participation gap and proper governance are the least
  additive outcomes (sum of ST - S1 from 0.19 to 0.33); effectiveness and trust are additive.
- **Assumptions.** Of the four behavioural and technical assumptions, only the weight of civic
  motivation reaches the Sobol step; it matters for trust and, less, for the participation
  gap, so surveys of civic motivation would sharpen those answers most. The algorithm's error
  rate matters for proper governance (relative Morris influence 0.37), and the counter,
  capacity and the weight of channel costs have some influence on equality and the gap (0.21
  to 0.38), but the cap of five Sobol parameters left them at the scenario's values; a longer
  run can raise the cap. The CES exponent matters little over its range (at most 0.18).
  Capacity matters for responsiveness, which is not among these outcomes (notebook 03).

**Caveats.** Indices are relative to the ranges chosen; a wider budget range would make the
budget look even stronger. Each point is the mean of two runs, so part of the variance is the
runs' own randomness (sum S1 below 1 for equality, the gap and proper governance), and
indices of small effects can come out slightly negative. Lists of values (the ICT role, the
counter) are sampled as equally likely levels.
"""

CONCLUSIONS_05 = """
## 5 What this says about Evers & Ewert's argument

The innovation numbers below come from `coprod compare`-style runs of the two processes
(twelve municipalities, 120 months, seed 1, coprod 0.1.0) at 9,600 citizens with 10 replicates
and at 2,000 citizens with 20 (docs/analysis.md); the per-place and value-family numbers further
down were measured before central programmes ran several pilots at once (30 replicates) and
have not been re-measured since.

- **Comparable numbers of decisions.** A central programme that runs three pilot groups at
  once decides on all seven innovations within the horizon: 84 keep-or-drop decisions per run
  (seven verdicts, each for all twelve places), against 52 to 54 local decisions under
  experimentalism, from as many local evaluations.
- **Central pilots scale fast and far.** A scaled innovation reaches all twelve municipalities
  30 months after its pilot starts; under experimentalism an innovation that reaches half of
  the places takes 66 to 68 months. Central pilots adopt more (38.3 [32.7, 43.9] against 24.3
  [22.5, 26.1] of 84 possible at 9,600 citizens) and more innovations reach half (2.9 against
  1.5). A pilot whose own evaluation was positive keeps a dropped innovation, so central
  adoptions are no longer multiples of twelve. That pilots *rarely scale* is not reproduced:
  here a positive central verdict scales by decree.
- **Evaluations are mostly noise.** The evaluated effects (difference in differences before
  noise) have a root mean square of 0.014 to 0.016 public-value points, 1.3 to 1.5 times the
  central evaluation noise and about 3 times the local one, and noise reversed 16 to 23% of
  the decisions. Against same-seed counterfactuals the innovations' real effects are smaller
  still (mean absolute 0.004 to 0.008): what an evaluation sees is mostly the place's own
  fluctuation.
- **No robust difference in fit.** Against the counterfactual, 51% [44, 58] of adoptions
  under central pilots and 61% [54, 67] under experimentalism raised their place's public value
  24 months on at 9,600 citizens (difference +0.10 [0.01, 0.19]), but 56% and 53% at 2,000
  citizens (difference -0.03 [-0.10, +0.04]); the before-and-after fit favours experimentalism
  at 2,000 citizens and not at 9,600. The answer changes with the size: the model does not show
  that local experimentation spreads what works *where it works* more often.
- **Who bears the cost of trying** (measured with one pilot at a time). Under central pilots
  the three best-placed municipalities, which then hosted every pilot including those that fail (algorithmic allocation,
  digital by default), lose most: their public value is 0.009 to 0.012 below what they would
  have had without any innovation, while the other places gain a little or nothing (-0.000
  to +0.004, none resolved). Experimentalism does not spare the best-placed either: the
  best-placed municipality ends up 0.015 [0.007, 0.022] below, the next two 0.007 and 0.005
  (not resolved), the rest within ±0.004. Overall 41% [30, 53] of the municipalities end up
  worse off than without innovation under central pilots and 47% [41, 52] under
  experimentalism; the mean gain is -0.001 and -0.003.
- **Places drift apart.** Outcomes spread more between municipalities under both processes
  than without innovation (outcome spread 0.012 and 0.017 against 0.009).
- **The value families.** Both processes raise performing values (+0.009 under central
  pilots, +0.011 under experimentalism), responsive values (+0.029 and +0.034), trust (+0.04
  and +0.05) and effectiveness (+0.03 and +0.04), and lower proper values a little,
  experimentalism no less than central pilots (-0.014 under central pilots, -0.017 under
  experimentalism; equality -0.026 against -0.033). In the public-value index the
  municipalities judge by, the gains are offset by losses in responsiveness (-0.03 to -0.06,
  as outreach and co-production programmes take staff), efficiency (-0.01 to -0.02),
  equality and lawfulness. With about half of the adoptions not raising their place's
  public value against the counterfactual under either process, evaluation by difference in
  differences with noise keeps innovations that do not help as well as those that do.

**In sum.** The model supports part of Evers & Ewert's argument: experimentalism lets places
differ. It does not reproduce the claim that pilots rarely scale (here they scale by decree),
shows no robust advantage in fit (evaluations of single innovations are mostly noise), and does not
spread the cost of trying more evenly or protect proper values better than central pilots
do. The sizes rest on assumptions of the innovation process
(`innovation_process.evaluation_noise`, `central_noise`, `experiment_rate`, the trial and
pilot terms, `EVIDENCE_WEIGHT`) that notebook 04's method could be turned on.
"""


NOTEBOOKS = {
    "01_quickstart.ipynb": quickstart,
    "02_ict_roles_and_public_values.ipynb": ict_roles,
    "03_digital_divide_and_inclusion.ipynb": digital_divide,
    "04_sensitivity.ipynb": sensitivity,
    "05_pilots_vs_experimentalism.ipynb": pilots,
}


def main(folder: Path = HERE) -> None:
    """Write every notebook into ``folder`` (default: this script's folder)."""
    for name, build in NOTEBOOKS.items():
        nb = notebook(build())
        nbformat.validate(nb)
        nbformat.write(nb, folder / name)
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
