"""Validation against published patterns: does the default model show what the field has seen?

Pattern-oriented modelling (Grimm et al. 2005) judges an agent-based model by the real-world
patterns it reproduces, all with one parameter set. :func:`run_validation` runs seeded ensembles
of the default scenario (or the caller's) and of the few variants each pattern needs, and
:func:`check_patterns` compares what they show with the published figures:

- **participation inequality**: a small minority of contributors makes most contributions
  (FixMyStreet: the top 10% of users made 62% of reports, the top 1% made 33%);
- **adoption S-curve**: adoption of the digital channel follows a Bass (1969) curve whose
  coefficients lie in the published ranges (p about 0.03 a year, q 0.3 to 0.5);
- **digital divide**: with instrumental ICT, closing the offline channel widens the
  participation gap between the top and bottom status quintiles (Clark, Brudney & Jang 2013);
- **co-production function**: a budget cut lowers output more where citizens' effort
  complements professional work than where it substitutes for it (Parks et al. 1981);
- **capacity**: a budget cut lowers responsiveness in the months after it, against the same
  worlds without the cut (Lipsky 1980 on rationing under scarce resources);
- **incentives**: monetary rewards lower intrinsic motivation and recognition raises it
  (Deci, Koestner & Ryan 1999; Frey & Jegen 2001);
- **safeguards**: under substitutive ICT, human review and appeals restore lawfulness and
  cost efficiency (Nieuwenhuizen & Meijer 2021; Bovens & Zouridis 2002);
- **one-off reporters**: most residents who report do so once (FixMyStreet: two thirds).

Every pattern is reported with its source, the expected pattern, the observed value with a 95%
interval across replicates, pass or fail, and whether the calibration of the defaults used it
(``CALIBRATED_ON``): such a pattern holds by calibration and is no independent check. Nothing
here is tuned per pattern: each check reads the same parameter set; only the factor a pattern is
about (the offline channel, the budget and the substitution between effort and professional
work) is varied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from coprod.analysis.compare.comparison import run_comparison
from coprod.analysis.stats import HORIZON_WINDOW, horizon_means, mean_interval, simulated_months
from coprod.model.errors import AnalysisError
from coprod.model.measures import RESPONSIVENESS_MONTHS
from coprod.model.scenario import Scenario

#: Published figures the checks compare with, with their sources (also in docs/validation.md).
FIXMYSTREET_TOP10 = 0.62  # mySociety research, "Super contributors and power laws"
FIXMYSTREET_TOP1 = 0.33
#: Share of contributions the top 10% must exceed for "a minority makes most contributions".
MAJORITY = 0.5
#: Range the top 1%'s share must lie in: FixMyStreet's 0.33, give or take what differs between
#: one platform and another (about a third either way).
TOP1_RANGE = (0.2, 0.45)
#: Share of reporters who report once, on FixMyStreet ("two thirds of users made a single
#: report"; mySociety research, "Super contributors and power laws"), and the share the
#: check asks for: a majority.
FIXMYSTREET_ONE_OFF = 2 / 3
ONE_OFF_MAJORITY = 0.5
#: Share of automated decisions the safeguards check reviews (with appeals open), as
#: scenarios/substitutive_safeguarded.toml does.
SAFEGUARD_REVIEW = 0.3
#: Months after the capacity check's budget cut over which responsiveness is compared; the cut
#: falls this many months before the end of the run.
CAPACITY_WINDOW = 24

#: Patterns the calibration of the defaults used, with the parameters set to reproduce them
#: (docs/validation.md, "Calibration of the defaults"); every other check is independent.
CALIBRATED_ON: dict[str, str] = {
    "Adoption S-curve: shape": "behaviour.adoption_innovation, behaviour.adoption_imitation, "
    "INITIAL_ADOPTION",
    "Adoption S-curve: Bass p": "behaviour.adoption_innovation, INITIAL_ADOPTION",
    "Adoption S-curve: Bass q": "behaviour.adoption_imitation",
}

#: Bass (1969) coefficients per year: the mean over 213 published estimates (Sultan, Farley &
#: Lehmann 1990) and the ranges of reported mean values (Chandrasekaran & Tellis 2007) and of
#: typical q (Mahajan, Muller & Bass 1995).
BASS_P_MEAN, BASS_Q_MEAN = 0.03, 0.38
BASS_P_RANGE = (0.0007, 0.03)
BASS_Q_RANGE = (0.3, 0.53)
#: A Bass curve must explain at least this share of the variance of the adoption curve.
BASS_MIN_R2 = 0.98

#: Substitution parameter rho of the CES co-production function for the two Parks cases:
#: elasticity 1 / (1 - rho) of 1/3 (complements) and 10 (substitutes).
COMPLEMENTS_RHO = -2.0
SUBSTITUTES_RHO = 0.9
#: The budget cut of the Parks check, as a share of the budget.
BUDGET_CUT = 0.3

#: Ensemble labels -> overrides of the base scenario; every check reads some of these.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "no_offline_channel": {
        "governance.ict_role": "instrumental",
        "governance.offline_channel": False,
    },
    "offline_channel": {"governance.ict_role": "instrumental", "governance.offline_channel": True},
    "complements": {"services.substitution": COMPLEMENTS_RHO},
    "complements_cut": {
        "services.substitution": COMPLEMENTS_RHO,
        "governance.budget": 1 - BUDGET_CUT,
    },
    "substitutes": {"services.substitution": SUBSTITUTES_RHO},
    "substitutes_cut": {
        "services.substitution": SUBSTITUTES_RHO,
        "governance.budget": 1 - BUDGET_CUT,
    },
    "monetary": {"governance.incentives": "monetary"},
    "recognition": {"governance.incentives": "recognition"},
    "automated": {
        "governance.ict_role": "substitutive",
        "governance.human_review": 0.0,
        "governance.appeals": False,
    },
    "safeguarded": {
        "governance.ict_role": "substitutive",
        "governance.human_review": SAFEGUARD_REVIEW,
        "governance.appeals": True,
    },
}


@dataclass(frozen=True)
class PatternCheck:
    """One published pattern and what the model shows of it."""

    pattern: str
    source: str
    expected: str
    statistic: str
    observed: float
    ci_low: float
    ci_high: float
    published: str
    criterion: str
    #: ``None`` for a figure reported beside the patterns without a pass or fail.
    passed: bool | None
    #: Parameters the calibration of the defaults set to reproduce this pattern ("" when the
    #: check is independent of any calibration).
    calibrated_with: str = ""

    @classmethod
    def of(cls, interval: tuple[float, float, float], **text: Any) -> PatternCheck:
        """A check whose ``observed``, ``ci_low`` and ``ci_high`` are ``interval``, in order."""
        observed, ci_low, ci_high = interval
        calibrated = CALIBRATED_ON.get(text["pattern"], "")
        return cls(
            observed=observed, ci_low=ci_low, ci_high=ci_high, calibrated_with=calibrated, **text
        )


@dataclass
class Validation:
    """The checks and the runs they were computed from."""

    checks: list[PatternCheck]
    runs: pd.DataFrame
    bass: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether every checked pattern is reproduced."""
        return all(c.passed for c in self.checks if c.passed is not None)

    def table(self) -> pd.DataFrame:
        """The checks as a DataFrame, one row each."""
        return pd.DataFrame([asdict(c) for c in self.checks])


# ---------------------------------------------------------------------------- running
def validation_scenarios(
    base: Scenario | None = None, steps: int | None = None
) -> dict[str, Scenario]:
    """The base scenario and the variants the checks compare, by label.

    ``budget_cut`` is the base with a cut of ``BUDGET_CUT`` of the budget ``CAPACITY_WINDOW``
    months before the end of the run (``steps``, default the scenario's).
    """
    base = base if base is not None else Scenario()
    scenarios = {label: base.with_overrides(o) if o else base for label, o in VARIANTS.items()}
    steps = steps if steps is not None else base.steps
    cut = {"step": cut_step(steps), "kind": "budget_cut", "size": BUDGET_CUT}
    events = [e.model_dump(exclude_none=True) for e in base.events]
    scenarios["budget_cut"] = base.with_overrides({"events": [*events, cut]})
    return scenarios


def cut_step(steps: int) -> int:
    """The month of the capacity check's budget cut in a run of ``steps`` months."""
    return max(1, steps - CAPACITY_WINDOW + 1)


def run_validation(
    base: Scenario | str | None = None,
    replicates: int = 20,
    steps: int | None = None,
    seed: int = 0,
    client: Any = None,
    yes: bool = False,
) -> Validation:
    """Run the ensembles every pattern needs and check the patterns.

    Args:
        base: The parameter set to validate (default: the scenario defaults, ``Scenario()``).
        replicates: Runs per ensemble; intervals are t-intervals over them.
        steps: Months per run (default: the scenario's ``steps``, ten years).
        seed: Root seed; every ensemble uses the same replicate seeds.
        client: Where to run (see :mod:`coprod.analysis.runs.parallel`).
        yes: Accept a validation over the limits of :mod:`coprod.analysis.runs.work_size`.
    """
    if isinstance(base, str):
        base = Scenario.load(base)
    if not isinstance(replicates, int) or isinstance(replicates, bool) or replicates < 2:
        raise AnalysisError(
            f"replicates = {replicates!r} is not allowed: validation needs >= 2 for intervals"
        )
    scenarios = validation_scenarios(base, steps)
    # a variant equal to one already listed is not run again; the others run as one
    # comparison (one job: a Dask cluster is started once), each named by its label
    distinct: dict[str, str] = {}  # scenario as JSON -> label of the ensemble that runs it
    runs_of = {}  # ensemble label -> label of the ensemble whose runs it shares
    for label, scenario in scenarios.items():
        data = json.dumps(scenario.to_dict(), sort_keys=True, default=str)
        runs_of[label] = distinct.setdefault(data, label)
    named = [scenarios[label].with_overrides({"name": label}) for label in distinct.values()]
    if not yes:  # named as validation in the message, then not checked again
        from coprod.analysis.runs.ensemble import check_ensemble_size

        months = max(steps or s.steps for s in named)
        what, runs = "validate: ", len(named) * replicates
        check_ensemble_size(what, runs, named[0], months, client=client)
    ran = run_comparison(
        named, replicates=replicates, steps=steps, seed=seed, client=client, yes=True
    )
    ran = ran.rename(columns={"scenario": "ensemble"})
    frames = []
    for label, source in runs_of.items():
        frame = ran[ran["ensemble"] == source].copy()
        frame["ensemble"] = label
        frames.append(frame)
    runs = pd.concat(frames, ignore_index=True)
    first = next(iter(scenarios.values()))
    settings = {
        "scenario": first.name,
        "replicates": replicates,
        "steps": int(runs["step"].max()),
        "seed": seed,
        "citizens": first.population.citizens,
    }
    checks, bass = check_patterns(runs)
    return Validation(checks=checks, runs=runs, bass=bass, settings=settings)


# ---------------------------------------------------------------------------- checks
def check_patterns(runs: pd.DataFrame) -> tuple[list[PatternCheck], pd.DataFrame]:
    """All checks from the tidy runs of :func:`run_validation` (column ``ensemble``)."""
    default = runs[runs["ensemble"] == "default"]
    bass = bass_fits(default)
    checks = [
        *check_participation_inequality(default),
        *check_adoption_curve(bass),
        check_digital_divide(
            runs[runs["ensemble"] == "no_offline_channel"],
            runs[runs["ensemble"] == "offline_channel"],
        ),
        check_coproduction_function({k: runs[runs["ensemble"] == k] for k in VARIANTS}),
        check_capacity(runs[runs["ensemble"] == "budget_cut"], default),
        *check_incentives(
            default, runs[runs["ensemble"] == "monetary"], runs[runs["ensemble"] == "recognition"]
        ),
        *check_safeguards(
            runs[runs["ensemble"] == "automated"], runs[runs["ensemble"] == "safeguarded"]
        ),
        check_one_off_reporters(default),
    ]
    return checks, bass


def final_values(frame: pd.DataFrame, measure: str) -> np.ndarray:
    """``measure`` at the last step of each replicate (cumulative measures such as shares)."""
    last = frame[frame["step"] == frame["step"].max()]
    return last.sort_values("replicate")[measure].to_numpy()


def horizon_values(frame: pd.DataFrame, measure: str, window: int = HORIZON_WINDOW) -> np.ndarray:
    """Mean of ``measure`` over each replicate's last ``window`` months."""
    means = horizon_means(frame, ["replicate"], [measure], window)
    return means.sort_values("replicate")[measure].to_numpy()


def check_participation_inequality(default: pd.DataFrame) -> list[PatternCheck]:
    """The top 10% of contributors make most contributions; the top 1% a third (FixMyStreet)."""
    source = (
        "mySociety research, 'Super contributors and power laws' (FixMyStreet reports); "
        "Verba, Schlozman & Brady 1995"
    )

    def share(
        measure: str, passed: Callable[[float, float, float], bool], **text: str
    ) -> PatternCheck:
        interval = mean_interval(final_values(default, measure), measure)
        return PatternCheck.of(interval, passed=passed(*interval), **text)

    top10 = share(
        "report_top10_share",
        lambda mean, low, high: bool(low > MAJORITY),
        pattern="Participation inequality: top 10% of contributors",
        source=source,
        expected="a small minority of contributors makes most contributions",
        statistic="report_top10_share at the horizon (share of reports made by the top 10% of "
        "reporters, as FixMyStreet counts them)",
        published=f"FixMyStreet: {FIXMYSTREET_TOP10:.0%} of reports by the top 10% of users",
        criterion=f"lower 95% bound above {MAJORITY}",
    )
    top1 = share(
        "report_top1_share",
        lambda mean, low, high: bool(TOP1_RANGE[0] <= mean <= TOP1_RANGE[1]),
        pattern="Participation inequality: top 1% of contributors",
        source=source,
        expected="the very most active contributors (super contributors) make a large share",
        statistic="report_top1_share at the horizon (reports of the top 1% of reporters)",
        published=f"FixMyStreet: {FIXMYSTREET_TOP1:.0%} of reports by the top 1% of users",
        criterion=f"mean within [{TOP1_RANGE[0]}, {TOP1_RANGE[1]}]",
    )
    gini = share(
        "contribution_gini",
        lambda mean, low, high: bool(low > 0.5),
        pattern="Participation inequality: Gini of contributions",
        source="Verba, Schlozman & Brady 1995; Alford 2009 (co-production is a minority activity)",
        expected="contributions are very unequal across all residents (most contribute nothing)",
        statistic="contribution_gini at the horizon (all citizens)",
        published="no published Gini for co-production; reported beside the top shares",
        criterion="lower 95% bound above 0.5",
    )
    return [top10, top1, gini]


def bass_curve(t: np.ndarray, m: float, p: float, q: float) -> np.ndarray:
    """Cumulative adoption share of the Bass (1969) model at times ``t`` (market share ``m``)."""
    decay = np.exp(-(p + q) * t)
    return m * (1.0 - decay) / (1.0 + (q / p) * decay)


def fit_bass(years: np.ndarray, adoption: np.ndarray) -> dict[str, float]:
    """Least-squares Bass fit: ``m``, ``p`` and ``q`` (per unit of ``years``) and ``r2``.

    Adoption at time 0 is taken as 0: the channel opens when the run starts, and the citizens who
    take it up in the first month count as its first adopters, as in a product's first year.
    """
    years = np.asarray(years, dtype=float)
    adoption = np.asarray(adoption, dtype=float)
    try:
        (m, p, q), _ = curve_fit(
            bass_curve,
            years,
            adoption,
            p0=(max(adoption.max(), 0.05), 0.03, 0.4),
            bounds=((1e-6, 1e-7, 0.0), (1.0, 10.0, 20.0)),
            maxfev=20_000,
        )
    except (RuntimeError, ValueError):
        return {"m": np.nan, "p": np.nan, "q": np.nan, "r2": np.nan}
    residual = adoption - bass_curve(years, m, p, q)
    total = float(((adoption - adoption.mean()) ** 2).sum())
    r2 = 1.0 - float((residual**2).sum()) / total if total > 0 else np.nan
    return {"m": float(m), "p": float(p), "q": float(q), "r2": r2}


def bass_fits(default: pd.DataFrame) -> pd.DataFrame:
    """One Bass fit per replicate of the adoption curve (coefficients per year)."""
    rows = []
    for replicate, run in simulated_months(default).groupby("replicate"):
        fit = fit_bass(run["step"].to_numpy() / 12.0, run["adoption"].to_numpy())
        rows.append({"replicate": replicate, **fit})
    return pd.DataFrame(rows)


def check_adoption_curve(bass: pd.DataFrame) -> list[PatternCheck]:
    """The adoption curve is a Bass S-curve with p and q in the published ranges."""
    source_shape = "Bass 1969; Rogers 2003; Mahajan, Muller & Bass 1995"
    ok = bass.dropna()
    r2 = ok["r2"].to_numpy()
    excess = (ok["q"] - ok["p"]).to_numpy()
    n = len(ok)
    mean, lo, hi = mean_interval(excess) if n > 1 else (np.nan, np.nan, np.nan)
    median_r2 = float(np.median(r2)) if n else np.nan
    shape = PatternCheck.of(
        (mean, lo, hi),
        pattern="Adoption S-curve: shape",
        source=source_shape,
        expected="adoption follows an S-curve: imitation outweighs innovation (q > p), so the "
        "yearly number of new adopters rises before it falls",
        statistic="q - p per year of the Bass fit to each replicate, with the fit's R²",
        published="S-shaped cumulative adoption is the rule for innovations (Rogers 2003); "
        f"published means p = {BASS_P_MEAN}, q = {BASS_Q_MEAN}",
        criterion=f"every replicate fitted, lower 95% bound of q - p above 0, median R² >= "
        f"{BASS_MIN_R2} (median R² = {median_r2:.4f})",
        passed=bool(n == len(bass) and n > 1 and lo > 0 and median_r2 >= BASS_MIN_R2),
    )
    checks = [shape]
    for name, mean_pub, (low, high), source in (
        (
            "p",
            BASS_P_MEAN,
            BASS_P_RANGE,
            "Sultan, Farley & Lehmann 1990; Chandrasekaran & Tellis 2007",
        ),
        (
            "q",
            BASS_Q_MEAN,
            BASS_Q_RANGE,
            "Sultan, Farley & Lehmann 1990; Mahajan, Muller & Bass 1995; "
            "Chandrasekaran & Tellis 2007",
        ),
    ):
        values = ok[name].to_numpy()
        mean, lo, hi = mean_interval(values) if n > 1 else (np.nan, np.nan, np.nan)
        word = "innovation (external influence)" if name == "p" else "imitation (peers)"
        checks.append(
            PatternCheck.of(
                (mean, lo, hi),
                pattern=f"Adoption S-curve: Bass {name}",
                source=source,
                expected=f"coefficient of {word} per year within the published range",
                statistic=f"Bass {name} per year, fitted to each replicate's adoption curve",
                published=f"mean {mean_pub} over 213 estimates; range {low}–{high}",
                criterion=f"mean within [{low}, {high}]",
                passed=bool(n > 1 and low <= mean <= high),
            )
        )
    return checks


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``a - b`` with its t-interval, replicate by replicate.

    Every ensemble uses the same replicate seeds, so replicate ``i`` of two ensembles starts from
    the same initial world: their difference is paired, and the world-to-world variation that
    both share cancels out of the interval (common random numbers).
    """
    return mean_interval(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))


def check_digital_divide(closed: pd.DataFrame, kept: pd.DataFrame) -> PatternCheck:
    """Closing the offline channel widens the participation gap between status quintiles."""
    diff, lo, hi = _paired(
        horizon_values(closed, "participation_gap"), horizon_values(kept, "participation_gap")
    )
    return PatternCheck.of(
        (diff, lo, hi),
        pattern="Digital divide",
        source="Clark, Brudney & Jang 2013; van Deursen & van Dijk 2014; "
        "Nieuwenhuizen & Meijer 2021",
        expected="with instrumental ICT, closing the offline channel widens the participation gap "
        "between the top and bottom socio-economic quintiles",
        statistic="participation_gap without the offline channel minus with it (mean of the last "
        f"{HORIZON_WINDOW} months; paired by replicate seed)",
        published="digital channels are used more by higher-status residents (Clark et al. 2013)",
        criterion="lower 95% bound above 0",
        passed=bool(lo > 0),
    )


def check_coproduction_function(ensembles: Mapping[str, pd.DataFrame]) -> PatternCheck:
    """A budget cut lowers output more where effort complements professional work (Parks)."""

    def drop(kind: str) -> np.ndarray:
        full = horizon_values(ensembles[kind], "effectiveness")
        cut = horizon_values(ensembles[f"{kind}_cut"], "effectiveness")
        return full - cut  # same replicate seeds: paired within a kind

    diff, lo, hi = _paired(drop("complements"), drop("substitutes"))
    return PatternCheck.of(
        (diff, lo, hi),
        pattern="Co-production function",
        source="Parks et al. 1981; Ostrom 1996",
        expected="where citizens' effort complements professional work, a cut in professional "
        "resources lowers output more than where effort substitutes for it",
        statistic=f"fall in effectiveness after a {BUDGET_CUT:.0%} budget cut, complements "
        f"(rho = {COMPLEMENTS_RHO}) minus substitutes (rho = {SUBSTITUTES_RHO}); paired by "
        "replicate seed",
        published="a theoretical result of the co-production function (Parks et al. 1981)",
        criterion="lower 95% bound above 0",
        passed=bool(lo > 0),
    )


def check_capacity(cut: pd.DataFrame, default: pd.DataFrame) -> PatternCheck:
    """A budget cut lowers responsiveness in the months after it (same worlds, paired).

    ``responsiveness`` pools the inputs resolved over the last ``RESPONSIVENESS_MONTHS``
    months, so its values are read from the month whose year starts with the cut on: each
    of them counts only inputs resolved after the cut, and no month of the yearly call cycle
    is left out of any of them.
    """
    last = int(default["step"].max())
    start = cut_step(last)
    window = (min(start + RESPONSIVENESS_MONTHS - 1, last), last)

    def after(frame: pd.DataFrame) -> np.ndarray:
        part = frame[(frame["step"] >= window[0]) & (frame["step"] <= window[1])]
        return part.groupby("replicate")["responsiveness"].mean().sort_index().to_numpy()

    diff, lo, hi = _paired(after(cut), after(default))
    return PatternCheck.of(
        (diff, lo, hi),
        pattern="Capacity: a budget cut lowers responsiveness",
        source="Lipsky 1980; Kingman 1961",
        expected="with fewer staff, fewer inputs are answered within the target delay",
        statistic=f"responsiveness (inputs of the last 12 months) at months {window[0]}-"
        f"{window[1]} after a {BUDGET_CUT:.0%} budget cut at month {start}, minus the same "
        "worlds without it (paired by replicate seed)",
        published="public services ration by queueing when resources are scarce (Lipsky 1980)",
        criterion="upper 95% bound below 0",
        passed=bool(hi < 0),
    )


def _sign_check(interval: tuple[float, float, float], below: bool, **text: str) -> PatternCheck:
    """A paired difference that must lie wholly below 0 (``below``) or wholly above it."""
    criterion = "upper 95% bound below 0" if below else "lower 95% bound above 0"
    passed = interval[2] < 0 if below else interval[1] > 0
    return PatternCheck.of(interval, criterion=criterion, passed=bool(passed), **text)


def check_incentives(
    none: pd.DataFrame, monetary: pd.DataFrame, recognition: pd.DataFrame
) -> list[PatternCheck]:
    """Money crowds out intrinsic motivation, recognition crowds it in (same worlds, paired).

    The statistic is the population mean, which dilutes the effect on those rewarded by those
    never rewarded, but cannot change its sign; it also takes out the selection of who takes
    part, as every resident of the same world is counted in both ensembles.
    """
    source = "Deci, Koestner & Ryan 1999; Frey & Jegen 2001; Frey & Oberholzer-Gee 1997"
    base = horizon_values(none, "intrinsic_motivation")
    paid = _paired(horizon_values(monetary, "intrinsic_motivation"), base)
    praised = _paired(horizon_values(recognition, "intrinsic_motivation"), base)
    statistic = (
        "intrinsic_motivation with {} minus without incentives (mean of the last "
        f"{HORIZON_WINDOW} months; paired by replicate seed)"
    )
    return [
        _sign_check(
            paid,
            below=True,
            pattern="Incentives: money crowds out motivation",
            source=source,
            expected="an expected payment for taking part lowers intrinsic motivation",
            statistic=statistic.format("monetary rewards"),
            published="tangible expected rewards undermine free-choice intrinsic motivation "
            "(meta-analysis, d = -0.34; Deci et al. 1999)",
        ),
        _sign_check(
            praised,
            below=False,
            pattern="Incentives: recognition crowds in motivation",
            source=source,
            expected="verbal recognition does not undermine intrinsic motivation; it raises it",
            statistic=statistic.format("recognition"),
            published="verbal rewards enhance free-choice intrinsic motivation (d = +0.33; "
            "Deci et al. 1999)",
        ),
    ]


def check_safeguards(automated: pd.DataFrame, safeguarded: pd.DataFrame) -> list[PatternCheck]:
    """Review and appeals restore lawfulness under automation, and cost efficiency."""
    source = "Nieuwenhuizen & Meijer 2021; Bovens & Zouridis 2002"
    safeguards = f"human review of {SAFEGUARD_REVIEW:.0%} and appeals"
    lawful = _paired(
        horizon_values(safeguarded, "lawfulness"), horizon_values(automated, "lawfulness")
    )
    cost = _paired(
        horizon_values(safeguarded, "efficiency"), horizon_values(automated, "efficiency")
    )
    statistic = (
        "{} under substitutive ICT with " + safeguards + " minus without (mean of the last "
        f"{HORIZON_WINDOW} months; paired by replicate seed)"
    )
    return [
        _sign_check(
            lawful,
            below=False,
            pattern="Safeguards: review and appeals restore lawfulness",
            source=source,
            expected="human review and appeals correct an algorithm's unlawful decisions",
            statistic=statistic.format("lawfulness"),
            published="proper governance needs human safeguards where ICT substitutes for "
            "judgement (Nieuwenhuizen & Meijer 2021)",
        ),
        _sign_check(
            cost,
            below=True,
            pattern="Safeguards: review costs efficiency",
            source=source,
            expected="reviews and appeals take the professional work automation saved, so "
            "proper values are bought with performing ones",
            statistic=statistic.format("efficiency"),
            published="system-level bureaucracy gains its efficiency by removing case-by-case "
            "human judgement (Bovens & Zouridis 2002); a trade-off between performing and "
            "proper values (Nieuwenhuizen & Meijer 2021)",
        ),
    ]


def check_one_off_reporters(default: pd.DataFrame) -> PatternCheck:
    """Most reporters report once over the years (FixMyStreet: two thirds)."""
    interval = mean_interval(final_values(default, "one_off_reporters"), "one_off_reporters")
    return PatternCheck.of(
        interval,
        pattern="One-off reporters",
        source="mySociety research, 'Super contributors and power laws' (FixMyStreet reports)",
        expected="most residents who report a problem report only once over the years",
        statistic="one_off_reporters at the horizon (share of reporters with a single report)",
        published=f"FixMyStreet: {FIXMYSTREET_ONE_OFF:.0%} of users made a single report",
        criterion=f"lower 95% bound above {ONE_OFF_MAJORITY}",
        passed=bool(interval[1] > ONE_OFF_MAJORITY),
    )
