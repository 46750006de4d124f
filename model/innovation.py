"""Innovation between municipalities: central pilot programmes or democratic experimentalism.

Evers & Ewert 2021 argue that co-productive services are a social innovation that arises
locally, and that centrally designed pilot programmes, which put to the test what remains
centrally designed and decided, rarely scale, whereas democratic experimentalism — local
experiments, evaluation, and learning between places (Sabel & Simon 2017) — can. Here an
innovation is a change of local governance (a platform feature, an allocation rule, outreach, a
co-production programme, ...). Its effect is not a parameter: it is whatever the model produces
in that municipality's context, so it differs between places and is uncertain before it is
tried.

- ``central_pilot``: a central government picks an innovation, pilots it in a few
  municipalities (the best-placed ones, as showcase pilots tend to be) for a fixed term,
  evaluates the pilots' average effect after a delay and with noise, then scales it to all
  municipalities or drops it; then the next.
- ``experimentalism``: each municipality now and then tries an innovation for a trial period,
  evaluates it on its own public value and shares the result with its peers; it keeps the
  innovation if its own evaluation, reviewed beside its peers' evaluations of the same
  innovation (Sabel & Zeitlin 2012), says it helped, and drops it if not; a peer's success makes
  an innovation more likely to be tried and kept, the more so the more alike the two places are.

Effects are judged by a difference in differences: the change of a municipality's public value
over the trial minus the mean change elsewhere, plus evaluation noise.

Whether what was adopted fits the place that adopted it is judged apart from the process that
adopted it, against same-seed counterfactual branches (:mod:`coprod.model.counterfactual`);
:func:`fit_measures` turns those judgements into the measures that compare the processes on fit
(``innovations_adopted`` counts adoptions, a central verdict twelve at once, whatever they do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from coprod.model.core import CoProductionModel
    from coprod.model.step_record import StepRecord

#: The innovations municipalities can take up: name -> local governance changes (dotted keys).
CATALOGUE: dict[str, dict[str, Any]] = {
    "personalised_platform": {"platform.personalisation": True},
    "open_government": {"platform.open_data": True, "platform.open_processes": True},
    "inclusion_outreach": {"governance.inclusion_outreach": 0.1},
    "coproduction_programme": {"governance.paradigm": "socialgov"},
    "recognition_scheme": {"governance.incentives": "recognition"},
    "algorithmic_allocation": {"governance.ict_role": "substitutive"},
    "digital_by_default": {"governance.offline_channel": False},
}
#: How strongly peers' evaluated effects (public-value points) steer the choice of a trial.
EVIDENCE_WEIGHT = 50.0
#: Months after an innovation was first applied at which its fit to the place is judged.
FIT_MONTHS = 24


@dataclass
class PilotGroup:
    """A group of municipalities that pilots one innovation of a central programme at a time."""

    pilots: np.ndarray  # municipality indices
    innovation: int = -1  # innovation on pilot, -1 if none
    start: int = 0  # step the pilot began


@dataclass
class InnovationState:
    """Who tried, adopted and rejected which innovation, and what the evaluations said."""

    names: list[str]
    peers: np.ndarray  # (M, M) learning weight: peer tie x similarity of context
    adopted: np.ndarray  # (M, K) bool
    rejected: np.ndarray  # (M, K) bool
    results: np.ndarray  # (M, K) evaluated effect, NaN where not evaluated
    verdicts: np.ndarray  # (M, K) what the keep-or-drop decision saw, NaN where none was taken
    first_applied: np.ndarray  # (M, K) step the change first took effect, -1 if never
    fit: np.ndarray  # (M, K) 1 helped, 0 did not, -1 not yet judged
    trial: np.ndarray  # (M,) innovation on trial, -1 if none
    trial_start: np.ndarray  # (M,) step the trial began
    saved: list[dict[int, dict[str, Any]]]  # per municipality and innovation: settings replaced
    cf_effect: np.ndarray  # (M, K) public value with minus without the adoption, NaN if unjudged
    cf_se: np.ndarray  # (M, K) standard error of cf_effect over branch pairs, NaN with one pair
    history: list[np.ndarray] = field(default_factory=list)  # public value per step
    order: np.ndarray | None = None  # central: the order innovations are piloted in
    next_pilot: int = 0
    groups: list[PilotGroup] = field(default_factory=list)  # central: the pilot groups
    decisions: list[dict[str, Any]] = field(default_factory=list)  # central verdicts
    # every evaluation: innovation, step, noise-free effect, noise drawn, its sd, places decided
    evaluations: list[tuple[int, int, float, float, float, int]] = field(default_factory=list)
    # this month's adoptions: (municipality, innovation, settings the adoption replaced)
    pending: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    frozen: bool = False  # a counterfactual branch: no trials, evaluations or decisions

    @property
    def adoptions(self) -> int:
        """Innovations adopted, counted once per municipality."""
        return int(self.adopted.sum())

    @classmethod
    def empty(cls, names: list[str], peers: np.ndarray) -> InnovationState:
        """The state of ``len(peers)`` places before anything was tried, adopted or judged."""
        m, k = len(peers), len(names)
        return cls(
            names=names,
            peers=peers,
            adopted=np.zeros((m, k), dtype=bool),
            rejected=np.zeros((m, k), dtype=bool),
            results=np.full((m, k), np.nan),
            verdicts=np.full((m, k), np.nan),
            first_applied=np.full((m, k), -1, dtype=np.int64),
            fit=np.full((m, k), -1, dtype=np.int8),
            trial=np.full(m, -1, dtype=np.int64),
            trial_start=np.zeros(m, dtype=np.int64),
            saved=[{} for _ in range(m)],
            cf_effect=np.full((m, k), np.nan),
            cf_se=np.full((m, k), np.nan),
        )


def municipal_peers(ses: np.ndarray, ties: int, rng: np.random.Generator) -> np.ndarray:
    """Learning weights between municipalities, weighted by how alike their make-up is.

    Ties form a ring of ``ties`` neighbours on each side plus one random tie each.
    """
    m = len(ses)
    adjacency = np.zeros((m, m), dtype=bool)
    for offset in range(1, min(ties, m - 1) + 1):
        idx = np.arange(m)
        adjacency[idx, (idx + offset) % m] = True
    if m > 2:
        adjacency[np.arange(m), rng.integers(0, m, m)] = True
    adjacency |= adjacency.T
    np.fill_diagonal(adjacency, False)
    spread = max(float(np.ptp(ses)), 1e-9)
    similarity = 1.0 - np.abs(ses[:, None] - ses[None, :]) / spread
    return adjacency * (0.2 + 0.8 * similarity)


def build(model: CoProductionModel) -> InnovationState | None:
    """The innovation state for the scenario's process, or None when there is none."""
    process = model.scenario.innovation_process
    mode = model.scenario.governance.innovation
    if mode == "none":
        return None
    names = list(process.innovations)
    ses = model.municipality_mean(model.citizens.ses)
    state = InnovationState.empty(names, municipal_peers(ses, process.peer_ties, model.rng))
    if mode == "central_pilot":
        state.order = model.rng.permutation(len(names))
        state.groups = pilot_groups(ses, process.pilot_municipalities, process.pilot_groups)
    return state


def pilot_groups(ses: np.ndarray, size: int, groups: int) -> list[PilotGroup]:
    """Disjoint pilot groups of ``size`` municipalities, the best-placed in the first group.

    Showcase pilots go to the best-placed places; a programme running several pilots at once
    takes the next best-placed for the next group, as many groups as there are places for.
    """
    m = len(ses)
    size = min(size, m)
    ranked = np.argsort(-ses, kind="stable")
    count = max(1, min(groups, m // size))
    return [PilotGroup(pilots=ranked[g * size : (g + 1) * size]) for g in range(count)]


def innovate(model: CoProductionModel, record: StepRecord) -> None:
    """This month's trials, evaluations, decisions and fit judgements.

    With ``innovation_process.counterfactual_fit``, this month's adoptions are then judged
    against branches of the model forked here (:mod:`coprod.model.counterfactual`), which
    finish the month from ``record``.
    """
    state = model.innovation
    if state is None or state.frozen:
        return
    if model.scenario.governance.innovation == "central_pilot":
        _central_pilot(model, state)
    else:
        _experimentalism(model, state)
    _judge_fit(model, state)
    if state.pending and model.scenario.innovation_process.counterfactual_fit:
        from coprod.model.counterfactual import judge_adoptions

        judge_adoptions(model, record, state.pending)
    state.pending = []


def record(model: CoProductionModel, public_value: np.ndarray) -> None:
    """Keep this step's public value per municipality for later evaluations."""
    if model.innovation is not None:
        model.innovation.history.append(np.asarray(public_value, dtype=float).copy())


#: The measures of :func:`fit_measures`, in ``MEASURES`` order.
FIT_MEASURES = (
    "innovations_fit",
    "innovations_misfit",
    "innovations_fit_share",
    "innovation_benefit",
    "municipalities_fit_share",
)


def fit_measures(state: InnovationState | None) -> dict[str, float]:
    """How well the adoptions so far fit the places that adopted them (0 before any is judged).

    An adoption is judged by its counterfactual effect ``cf_effect`` (public value of the place
    with minus without it; only with ``innovation_process.counterfactual_fit``). It *fits* if
    the effect is positive and is a *misfit* if it is negative (an innovation that changes
    nothing is neither). A municipality's adoptions fit it if their effects sum to more than 0.
    These measure what ``innovations_adopted`` does not: a central verdict counts twelve
    adoptions at once, whether or not the innovation helps each place.
    """
    out = dict.fromkeys(FIT_MEASURES, 0.0)
    if state is None:
        return out
    effect = np.where(state.adopted, state.cf_effect, np.nan)
    judged = np.isfinite(effect)
    n = int(judged.sum())
    if n == 0:
        return out
    values = effect[judged]
    out["innovations_fit"] = float((values > 0).sum())
    out["innovations_misfit"] = float((values < 0).sum())
    out["innovations_fit_share"] = out["innovations_fit"] / n
    out["innovation_benefit"] = float(values.mean())
    places = judged.any(axis=1)
    per_place = np.where(judged, effect, 0.0).sum(axis=1)
    out["municipalities_fit_share"] = float((per_place[places] > 0).mean())
    return out


#: Columns of :func:`summary`, in order.
SUMMARY_COLUMNS = [
    "innovation",
    "trials",
    "adopters",
    "adopted_share",
    "first_step",
    "half_step",
    "months_to_half",
    "mean_effect",
    "judged",
    "fit",
    "evaluations",
    "decisions",
    "signal_rms",
    "noise_sd",
    "flipped",
    "cf_judged",
    "cf_effect",
    "cf_fit",
]


def summary(state: InnovationState | None, steps: int) -> pd.DataFrame:
    """One row per innovation: trials, adoptions, time to half, evaluations and fit.

    ``judged``/``fit`` are the difference-in-differences judgement of :func:`_judge_fit`;
    ``cf_judged``/``cf_effect``/``cf_fit`` the same-seed counterfactual (NaN without it);
    ``evaluations``, ``decisions`` (keep-or-drop decisions per place), ``signal_rms``,
    ``noise_sd`` and ``flipped`` say how much of each evaluation was noise.
    """
    if state is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    log = pd.DataFrame(
        state.evaluations, columns=["j", "step", "signal", "noise", "noise_sd", "places"]
    )
    rows = [
        _adoption_row(state, j) | _evaluation_row(log[log["j"] == j]) | _cf_row(state, j)
        for j in range(len(state.names))
    ]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _adoption_row(state: InnovationState, j: int) -> dict[str, Any]:
    m = state.adopted.shape[0]
    applied = state.first_applied[:, j]
    first = int(applied[applied >= 0].min()) if (applied >= 0).any() else -1
    adopted_at = np.sort(applied[state.adopted[:, j]])
    need = int(np.ceil(m / 2))
    half = int(adopted_at[need - 1]) if len(adopted_at) >= need else -1
    judged = state.fit[:, j] >= 0
    results = state.results[:, j]
    return {
        "innovation": state.names[j],
        "trials": int((applied >= 0).sum()),
        "adopters": int(state.adopted[:, j].sum()),
        "adopted_share": float(state.adopted[:, j].mean()),
        "first_step": first,
        "half_step": half,
        "months_to_half": half - first if half >= 0 else np.nan,
        "mean_effect": float(np.nanmean(results)) if np.isfinite(results).any() else np.nan,
        "judged": int(judged.sum()),
        "fit": float(state.fit[judged, j].mean()) if judged.any() else np.nan,
    }


def _evaluation_row(log: pd.DataFrame) -> dict[str, Any]:
    """How many evaluations, how large their noise-free effects, how often noise decided."""
    if log.empty:
        return {
            "evaluations": 0,
            "decisions": 0,
            "signal_rms": np.nan,
            "noise_sd": np.nan,
            "flipped": 0,
        }
    signal = log["signal"].to_numpy()
    flipped = (signal > 0) != (signal + log["noise"].to_numpy() > 0)
    return {
        "evaluations": len(log),
        "decisions": int(log["places"].sum()),
        "signal_rms": float(np.sqrt(np.mean(signal**2))),
        "noise_sd": float(log["noise_sd"].mean()),
        "flipped": int(flipped.sum()),
    }


def _cf_row(state: InnovationState, j: int) -> dict[str, Any]:
    effect = state.cf_effect[:, j]
    judged = np.isfinite(effect)
    return {
        "cf_judged": int(judged.sum()),
        "cf_effect": float(effect[judged].mean()) if judged.any() else np.nan,
        "cf_fit": float((effect[judged] > 0).mean()) if judged.any() else np.nan,
    }


# ---------------------------------------------------------------------- mechanics
def _apply(model: CoProductionModel, state: InnovationState, muni: int, j: int) -> None:
    """Put innovation ``j``'s settings in force in ``muni``, keeping what they replaced."""
    saved = {}
    for key, value in CATALOGUE[state.names[j]].items():
        saved[key] = model.local.set(muni, key, value)
    state.saved[muni][j] = saved
    if state.first_applied[muni, j] < 0:
        state.first_applied[muni, j] = model.steps


def _revert(model: CoProductionModel, state: InnovationState, muni: int, j: int) -> None:
    """Drop innovation ``j`` in ``muni``: restore the settings it replaced; reject it."""
    for key, value in state.saved[muni].pop(j, {}).items():
        model.local.set(muni, key, value)
    state.rejected[muni, j] = True


def _adopt(state: InnovationState, muni: int, j: int) -> None:
    """Keep innovation ``j`` in ``muni``; the month's adoptions await the counterfactual."""
    state.adopted[muni, j] = True
    state.pending.append((int(muni), int(j), state.saved[muni].pop(j, {})))


def _effect(state: InnovationState, muni: int, start: int, end: int, window: int) -> float:
    """Difference in differences of public value for ``muni`` between ``start`` and ``end``.

    The change of ``muni``'s mean public value over the ``window`` months before each step,
    minus the mean change elsewhere (steps are 1-based; history row s-1 holds step s).
    """
    history = np.asarray(state.history)
    before = history[max(start - 1 - window, 0) : start - 1].mean(axis=0)
    after = history[max(end - 1 - window, 0) : end - 1].mean(axis=0)
    change = after - before
    others = np.delete(change, muni)
    return float(change[muni] - (others.mean() if len(others) else 0.0))


def _experimentalism(model: CoProductionModel, state: InnovationState) -> None:
    """Local trials end and are kept or dropped on their own evaluation; new trials start."""
    process = model.scenario.innovation_process
    rng = model.rng
    step = model.steps
    window = process.evaluation_window
    ending = np.flatnonzero(
        (state.trial >= 0) & (step - state.trial_start >= process.trial_months)
    )
    own = {}
    for muni in ending:  # every trial ending this month reports its evaluation first ...
        j = int(state.trial[muni])
        signal = _effect(state, muni, state.trial_start[muni], step, window)
        noise = process.evaluation_noise * rng.standard_normal()
        state.evaluations.append((j, step, signal, noise, process.evaluation_noise, 1))
        own[muni] = signal + noise
        state.results[muni, j] = own[muni]  # what the place shares is its own evaluation
    for muni in ending:  # ... then each is reviewed beside all results reported so far
        j = int(state.trial[muni])
        verdict = _peer_reviewed(state, muni, j, own[muni]) if process.peer_review else own[muni]
        state.verdicts[muni, j] = verdict
        if verdict > 0:
            _adopt(state, muni, j)
        else:
            _revert(model, state, muni, j)
        state.trial[muni] = -1

    starting = (state.trial < 0) & (rng.random(len(state.trial)) < process.experiment_rate)
    if step <= window:
        return  # no baseline to compare a trial with yet
    evidence = _peer_evidence(state)
    for muni in np.flatnonzero(starting):
        open_ = ~state.adopted[muni] & ~state.rejected[muni]
        if not open_.any():
            continue
        weights = np.where(open_, np.exp(EVIDENCE_WEIGHT * evidence[muni]), 0.0)
        j = int(rng.choice(len(weights), p=weights / weights.sum()))
        _apply(model, state, muni, j)
        state.trial[muni] = j
        state.trial_start[muni] = step


def _peer_reviewed(state: InnovationState, muni: int, j: int, own: float) -> float:
    """The place's own evaluation of ``j`` pooled with its peers' evaluations of it.

    Experimentalist governance decides on a local practice by reviewing its results beside
    those of peers who tried it (peer review; Sabel & Zeitlin 2012), and a place learns from
    similar places' experience (Shipan & Volden 2008): the verdict is the mean of the own
    evaluation (weight 1) and every peer's evaluation of ``j``, each weighted by the learning
    weight of the tie (0.2 to 1, alike places more). The weights are an *assumption*.
    """
    known = np.isfinite(state.results[:, j])
    known[muni] = False
    weight = state.peers[muni] * known
    total = 1.0 + float(weight.sum())
    return (own + float(weight @ np.where(known, state.results[:, j], 0.0))) / total


def _peer_evidence(state: InnovationState) -> np.ndarray:
    """Each municipality's similarity-weighted mean of its peers' evaluated effects (0 if none)."""
    known = np.isfinite(state.results)
    values = np.where(known, state.results, 0.0)
    weighted = state.peers @ values
    weight = state.peers @ known.astype(float)
    return np.divide(weighted, weight, out=np.zeros_like(weighted), where=weight > 0)


def _central_pilot(model: CoProductionModel, state: InnovationState) -> None:
    """Each pilot group decides on its pilot when due, or starts the next one on offer."""
    process = model.scenario.innovation_process
    step = model.steps
    if step <= process.evaluation_window:
        return  # no baseline to compare a pilot with yet
    due = process.pilot_months + process.evaluation_delay
    for group in state.groups:
        if group.innovation >= 0:
            if step >= group.start + due:
                _decide_pilot(model, state, group)
        elif state.next_pilot < len(state.names):
            group.innovation = int(state.order[state.next_pilot])
            group.start = step
            state.next_pilot += 1
            for muni in group.pilots:
                _apply(model, state, muni, group.innovation)
                state.trial[muni] = group.innovation
                state.trial_start[muni] = step


def _decide_pilot(model: CoProductionModel, state: InnovationState, group: PilotGroup) -> None:
    """The central verdict on a pilot: scale it everywhere, or drop it.

    The verdict uses the pilot term's data, ``evaluation_delay`` months old. When it drops
    the innovation, a pilot municipality whose own evaluation of its pilot was positive may
    keep it (``pilots_may_keep``: local self-government).
    """
    process = model.scenario.innovation_process
    j, pilots = group.innovation, group.pilots
    end = group.start + process.pilot_months  # the data the evaluation had
    window = process.evaluation_window
    effects = np.array([_effect(state, muni, group.start, end, window) for muni in pilots])
    signal = float(effects.mean())
    noise = process.central_noise * model.rng.standard_normal()
    state.evaluations.append(
        (j, model.steps, signal, noise, process.central_noise, len(state.trial))
    )
    state.results[pilots, j] = effects
    scale = signal + noise > 0
    state.verdicts[:, j] = signal + noise  # the verdict decides for every place
    keep = np.full(len(pilots), scale)
    if not scale and process.pilots_may_keep:
        own = effects + process.evaluation_noise * model.rng.standard_normal(len(pilots))
        keep = own > 0
        state.verdicts[pilots, j] = own
    for muni, kept in zip(pilots, keep, strict=True):
        state.trial[muni] = -1
        if kept:
            _adopt(state, muni, j)
        else:
            _revert(model, state, muni, j)
    if scale:
        for muni in np.setdiff1d(np.arange(len(state.trial)), pilots):
            _apply(model, state, muni, j)
            _adopt(state, muni, j)
    state.decisions.append(
        {
            "innovation": state.names[j],
            "step": model.steps,
            "verdict": signal + noise,
            "scaled": bool(scale),
            "kept_by_pilots": int(keep.sum()),
        }
    )
    group.innovation = -1


def _judge_fit(model: CoProductionModel, state: InnovationState) -> None:
    """An adoption fits its place if public value rose more there than elsewhere since."""
    step = model.steps
    due = state.adopted & (state.fit < 0) & (state.first_applied >= 0)
    due &= step - state.first_applied >= FIT_MONTHS
    window = model.scenario.innovation_process.evaluation_window
    for muni, j in zip(*np.nonzero(due), strict=True):
        start = int(state.first_applied[muni, j])
        state.fit[muni, j] = int(_effect(state, muni, start, step, window) > 0)
