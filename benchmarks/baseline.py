"""coprod's rules stepped agent by agent, the plain Mesa way: the benchmarks' baseline.

This module is not part of coprod. It is the reference the benchmarks compare coprod against:
the same model written as an ordinary Mesa model, where every citizen is a Python object with
Python attributes, has a ``step`` that reads its neighbours one by one, and is stepped by
``AgentSet.shuffle_do("step")``. ``tests/test_baseline.py`` checks that it gives statistically
the same measures as coprod, so that the comparison is one of equals.

What is per agent (every rule below is a Python method on a Mesa agent, on Python scalars and
lists; no NumPy on the step's hot path):

- **Citizen.step** (``shuffle_do``): the participation decision (channel cost, utility with
  motivation, efficacy, trust, unmet need, share of participating neighbours, habit, invitation,
  incentives, mobilisation and the first-use barrier; the count of reports from incidents, one
  Poisson inversion of one draw, and each report's domain; deliver and propose draws, proposals
  only while the call is open; most unmet domain; effort, contributions, counts and hours) and the
  adoption draw (innovation plus imitation of adopting neighbours).
  Neighbours are read as last month's values: ``step`` writes ``next_*`` attributes and
  **Citizen.advance** (``do``) commits them, Mesa's classic simultaneous activation, which is
  the synchronous update coprod computes with arrays.
- **Business.step**: engagement, sponsoring, open-data reuse.
- **CommunityOrganisation.step**: activity from outreach funding.
- **Administration** (one per municipality): ``reach_out`` (outreach to low participants among
  its residents, recruitment), ``survey_trust`` (mean trust of its residents, which businesses
  read), ``process_inputs`` (the queue, a list of inputs: workload and the annual staff plan,
  staff time per input, triage, decisions on merit, review, appeals, acceptance,
  implementation, expiry) and ``allocate`` (overhead, visible need, needs assessment, data
  weight, automated errors, capture, resources per neighbourhood and domain), each a loop over
  its residents and neighbourhoods.
- **Citizen.receive_services**, **Citizen.hear** and **Citizen.learn** (``do``): needs met;
  each citizen notes its neighbours' mean trust (before anyone learns, simultaneous
  activation), then trust, efficacy and motivation move with this month's experiences, the
  neighbours' trust and rewards, and the trust reference level drifts; dropout.
- Service production is a loop over neighbourhoods (plain Python objects, not agents, as in
  coprod); the measures are gathered by loops over the agents (only the Gini coefficient and
  top-10% share sort a NumPy array built from those loops, with coprod's own functions).

What is shared with coprod: the parameters (constants imported from coprod's modules), the
scenario, the per-municipality governance rules (``LocalGovernance``, read once into Python
scalars per administration) and the initial world (``coprod.model.world.build``, converted to
agents once at construction, so both start from the same distributions). Random draws come from
Python's ``random`` (``model.random``), one call per agent and draw, so runs agree with coprod
in distribution, not draw for draw. Not implemented: innovation between municipalities
(``governance.innovation`` must be ``"none"``) and the per-municipality measures
(``municipality_vars``; ``outcome_spread`` is NaN with more than one municipality). Measures
coprod adds later and the baseline does not know are NaN.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np
import pandas as pd

from coprod.agents.citizen import NEVER
from coprod.model import allocation, feedback, inputs, participation, partners, production, world
from coprod.model.allocation import (
    ALLOCATION_TOLERANCE,
    ASSESSMENT_NOISE,
    DATA_MEMORY,
    REVIEW_ASSESSMENT_COST,
)
from coprod.model.decisions import (
    APPEAL_BASE,
    APPEAL_SKILL,
    DATA_PRIOR,
    DATA_RECORDS,
    DATA_TRACES,
    ENTITLEMENT,
    noise_for,
)
from coprod.model.events import month_effects
from coprod.model.feedback import (
    ACCEPTED,
    ACTED,
    CORRECTED_LATE,
    EXPECTED_MET,
    IGNORED,
    REJECTED,
    REVERSION,
    SATISFACTION,
    VISIBILITY,
    WRONGED,
)
from coprod.model.governance import LocalGovernance
from coprod.model.inputs import (
    BUNDLING_BONUS,
    QUALITY_DEPRECIATION,
    QUALITY_GAIN,
    QUALITY_MAX,
    REPORT_VISIBILITY,
    REVIEW_COST,
    TRIAGE,
    URGENT_NEED,
)
from coprod.model.measures import (
    MEASURES,
    REACH_MONTHS,
    RESPONSIVENESS_MONTHS,
    SATISFIED,
    gini,
    top_share,
)
from coprod.model.participation import (
    BAD_EXPERIENCE_QUIT,
    COCREATE_OFFSET,
    DELIVER_OFFSET,
    INCIDENT_RATE,
    MOBILISATION,
    MOMENTUM,
    QUIT_HAZARD,
    REPORT_OFFSET,
)
from coprod.model.partners import (
    BASE_ACTIVITY,
    CAPTURE_MAX,
    CAPTURE_PER_PARTNER,
    DETECT_BASE,
    DETECT_OPEN,
    DETECT_WATCH,
    LOW_PARTICIPATION,
    OUTREACH_ACTIVITY,
    OUTREACH_REACH,
    OUTREACH_RECRUIT,
)
from coprod.model.scenario import Scenario, ScenarioError

#: The per-municipality rules an administration reads, copied from ``LocalGovernance``.
RULES = (
    "delivery",
    "cocreation",
    "invitation",
    "acceptance",
    "business_openness",
    "platform",
    "speed",
    "assessment_cost",
    "data_weight",
    "platform_traces",
    "automated",
    "human_error",
    "transformative",
    "offline_channel",
    "human_review",
    "appeals",
    "inclusion_outreach",
    "capacity",
    "budget",
    "monetary",
    "recognition",
    "incentive_utility",
    "incentive_cost",
    "open_data",
    "open_services",
    "open_processes",
    "personalisation",
    "platform_cost",
)


#: The rules coprod compiles, run here per agent in plain Python.
_sigmoid = participation.sigmoid.py_func
_poisson = participation.poisson_count.py_func


class Neighbourhood:
    """A neighbourhood's state, one Python list per quantity with one entry per domain."""

    def __init__(self, index: int, administration: Administration, population: int, d: int):
        self.index = index
        self.administration = administration
        self.population = population
        self.residents: list[Citizen] = []
        self.organisation: CommunityOrganisation | None = None
        self.quality = [1.0] * d
        self.data = [0.0] * d
        self.resources = [0.0] * d
        self.true_need = [0.0] * d
        self.skill = 0.0
        self.effort = [0.0] * d
        self.level = [0.0] * d
        self.sponsored = [0.0] * d
        self.reported = [0.0] * d
        self.outreach = [0.0] * d

    def produce(self) -> None:
        """Service level per domain: coprod's co-production rules, per cell."""
        m = self.model
        p = production.production_params(m, m.need_multiplier)
        delivers = self.administration.rules.delivery
        boost = self.administration.data_services
        pop = float(max(self.population, 1))
        for j in range(m.n_domains):
            r, c = production.relative_inputs.py_func(
                self.resources[j], self.effort[j], pop, delivers, p
            )
            aggregate = production.coproduction.py_func(r, c, p)
            self.level[j] = production.service_level.py_func(
                self.quality[j], boost[j], aggregate, p
            )

    @property
    def model(self) -> BaselineModel:
        return self.administration.model


class Citizen(mesa.Agent):
    """A citizen with Python attributes; ``step`` decides, ``advance`` commits."""

    def __init__(self, model: BaselineModel, **state) -> None:
        super().__init__(model)
        self.__dict__.update(state)
        self.neighbours: list[Citizen] = []
        self.participated = False
        self.coproduced = False
        self.cocreated = False
        self.next_coproduced = False
        self.next_cocreated = False
        self.next_adopted = self.adopted
        self.engaged = False
        self.acts = self.reports = self.deliveries = self.proposals = 0
        self.last_proposal = NEVER
        self.hours = self.next_hours = 0.0
        self.contributions = 0.0
        self.met = 0.5
        self.acted = self.accepted = self.rejected = False
        self.ignored = self.wronged = self.corrected_late = False
        self.trust_ref = self.trust0
        self.heard = 0.0
        self.cases = 0  # cases decided on so far: the administration's file

    def step(self) -> None:
        """Decide this month's acts, then draw adoption, reading neighbours' last month."""
        m = self.model
        rules = self.administration.rules
        rnd = self.random.random
        neighbours = self.neighbours
        k = len(neighbours)
        organisation = self.organisation
        params = self._rules()
        cost = self.channel_cost()
        reachable = cost < math.inf

        peers = 0.0
        if k:
            peers = sum(1 for other in neighbours if other.participated) / k
        unmet = 1.0 - self.met
        here = rules.invitation + rules.incentive_utility
        if organisation is not None:
            here += MOBILISATION * organisation.activity
        utility = participation.utility.py_func(
            params.weights,
            self.motivation,
            self.efficacy,
            self.trust,
            self.met,
            peers,
            self.participated,
            participation.effective_cost.py_func(cost, self.spare_time),
            here,
            self.engaged,
        )

        # reports: incidents from last month's unmet need, each reported with a probability
        hood = self.hood
        level = hood.level
        met_multiplier = m.need_multiplier_met
        reports = 0
        if reachable:
            unmet_need = unmet * sum(self.need) * met_multiplier
            rate = INCIDENT_RATE * self.activity * unmet_need
            lam = rate * _sigmoid(utility + REPORT_OFFSET)
            reports = _poisson(rnd(), lam, math.exp(-lam))
        log_activity = math.log(self.activity)
        delivers = (
            reachable
            and rules.delivery
            and rnd() < _sigmoid(utility + DELIVER_OFFSET + self.spare_time - 0.5 + log_activity)
        )
        proposes = (
            reachable
            and rules.cocreation
            and m.call_open
            and rnd() < _sigmoid(utility + COCREATE_OFFSET + self.efficacy - 0.5 + log_activity)
        )
        queue = self.administration.queue
        if reports:
            gaps = [max(need * met_multiplier - level[j], 0.0) for j, need in enumerate(self.need)]
            total = sum(gaps)
            for _ in range(reports):  # each report about a cell drawn by its unmet need
                pick, domain, cum = rnd() * total, 0, gaps[0]
                while cum <= pick and domain < len(gaps) - 1:
                    domain += 1
                    cum += gaps[domain]
                queue.append((m.steps, 0, domain, self))

        # the domain in which need is furthest from the service level
        need_multiplier = m.need_multiplier
        domain, gap = 0, -math.inf
        for j, need in enumerate(self.need):
            g = need * need_multiplier - level[j]
            if g > gap:
                domain, gap = j, g
        if proposes:
            queue.append((m.steps, 1, domain, self))
        effort = 0.5 + self.spare_time if delivers else 0.0
        if delivers:
            hood.effort[domain] += effort
        self.contributions += participation.contribution.py_func(
            params.acts, reports, effort, proposes
        )
        self.acts += reports + delivers + proposes
        self.reports += reports
        self.deliveries += delivers
        self.proposals += proposes
        if proposes:
            self.last_proposal = m.steps
        if reports or delivers or proposes:
            self.engaged = True
        self.next_hours = participation.hours_given.py_func(params.acts, reports, effort, proposes)
        self.next_coproduced = reports > 0 or delivers
        self.next_cocreated = proposes

        # adoption of the digital channel: innovation plus imitation of adopting neighbours
        if rules.platform and m.platform_up and not self.adopted:
            share = sum(1 for other in neighbours if other.adopted) / k if k else 0.0
            hazard = participation.adoption_hazard.py_func(
                params.diffusion, share, self.literacy, rules.personalisation, rules.open_services
            )
            self.next_adopted = rnd() < hazard

    def channel_cost(self) -> float:
        """Cost of the cheapest channel open to this citizen; infinite where none is open."""
        rules = self.administration.rules
        organisation = self.organisation
        return participation.cheapest_channel.py_func(
            self._rules().channels,
            rules.offline_channel,
            rules.platform and self.model.platform_up,
            self.adopted,
            rules.personalisation,
            self.literacy,
            organisation is not None,
            organisation.activity if organisation is not None else 0.0,
        )

    def _rules(self) -> SimpleNamespace:
        """The rules' parameters for this month, built once per model and month."""
        m = self.model
        cached = getattr(m, "_citizen_rules", None)
        if cached is not None and cached.month == m.steps:
            return cached
        b = m.behaviour
        cached = SimpleNamespace(
            month=m.steps,
            channels=participation.channel_costs(),
            weights=participation.utility_weights(b),
            acts=participation.act_weights(),
            dropout=participation.Dropout(QUIT_HAZARD, BAD_EXPERIENCE_QUIT, MOMENTUM),
            diffusion=participation.Diffusion(b.adoption_innovation, b.adoption_imitation),
            learning=feedback.Learning(
                b.learning_rate,
                b.trust_asymmetry,
                b.trust_social_influence,
                b.trust_reference_drift,
                b.crowding_out,
                SATISFACTION,
                EXPECTED_MET,
                REVERSION,
            ),
        )
        m._citizen_rules = cached
        return cached

    def advance(self) -> None:
        """Make this month's acts and adoption visible to the neighbours."""
        self.coproduced = self.next_coproduced
        self.cocreated = self.next_cocreated
        self.participated = self.coproduced or self.cocreated
        self.adopted = self.next_adopted
        self.hours = self.next_hours

    def receive_services(self) -> None:
        """Share of this citizen's needs met by the neighbourhood's service levels."""
        m = self.model
        level = self.hood.level
        need_multiplier = m.need_multiplier
        met = total = 0.0
        for j, need in enumerate(self.need):
            need *= need_multiplier
            met += min(need, level[j])
            total += need
        self.met = met / total
        m.useful_output += met

    def hear(self) -> None:
        """Note the neighbours' mean trust as it stands before anyone learns this month."""
        neighbours = self.neighbours
        if neighbours:
            self.heard = sum(other.trust for other in neighbours) / len(neighbours)

    def learn(self) -> None:
        """This month's experiences, neighbours and rewards move trust, efficacy, motivation."""
        m = self.model
        b = m.behaviour
        rules = self.administration.rules
        lr = b.learning_rate
        fall = lr * b.trust_asymmetry
        visible = 1.0 + VISIBILITY * rules.open_processes
        trust, efficacy = self.trust, self.efficacy
        # an experience had k times keeps (1 - rate)^k of the distance (flags count once)
        good = lr * visible
        for times, rate in ((self.acted, good * ACTED), (self.accepted, good * ACCEPTED)):
            if times:
                kept = (1.0 - min(rate, 1.0)) ** int(times)
                trust = 1.0 - kept * (1.0 - trust)
                efficacy = 1.0 - kept * (1.0 - efficacy)
        if self.rejected:
            efficacy *= (1.0 - min(fall * REJECTED / visible, 1.0)) ** int(self.rejected)
        for times, rate in ((self.ignored, fall * IGNORED), (self.wronged, fall * WRONGED)):
            if times:
                kept = (1.0 - min(rate, 1.0)) ** int(times)
                trust *= kept
                efficacy *= kept
        if self.corrected_late:
            trust *= (1.0 - min(fall * CORRECTED_LATE, 1.0)) ** int(self.corrected_late)
        p = self._rules()
        trust = feedback.trust_after.py_func(
            p.learning, trust, self.trust_ref, self.met, self.heard, bool(self.neighbours)
        )
        efficacy += lr * REVERSION * (self.efficacy0 - efficacy)
        motivation = feedback.motivation_after.py_func(
            p.learning,
            self.motivation,
            self.motivation0,
            self.participated and rules.recognition,
            self.participated and rules.monetary,
        )
        clip = feedback.clip01.py_func
        self.trust = clip(trust)
        self.efficacy = clip(efficacy)
        self.motivation = clip(motivation)
        self.trust_ref += b.trust_reference_drift * (self.trust - self.trust_ref)
        if self.engaged:
            # dropout: falls with acts made (Wilkinson 2008), rises after a bad experience
            bad = self.ignored or self.wronged or self.rejected
            hazard = participation.quit_hazard.py_func(p.dropout, bad, self.acts)
            if self.random.random() < hazard:
                self.engaged = False
        self.acted = self.accepted = self.rejected = False
        self.ignored = self.wronged = self.corrected_late = False


class Business(mesa.Agent):
    """A business that may engage, sponsor its service and reuse open data."""

    def __init__(self, model, administration, hood, domain, csr) -> None:
        super().__init__(model)
        self.administration = administration
        self.hood = hood
        self.domain = domain
        self.csr = csr
        self.engaged = False
        self.months_engaged = 0
        self.barred = 0

    def step(self) -> None:
        """Start or end engagement; lobby or not; an engaged business sponsors and reuses data.

        A partner lobbies when its gain this month (exponential, mean 1) less the expected
        sanction beats its scruples; a partner caught is disengaged and barred for a while.
        """
        m = self.model
        a = self.administration
        rules = a.rules
        rnd = self.random.random
        p = partners.partner_params()
        open_data = rules.open_data and m.platform_up
        open_services = rules.open_services and m.platform_up
        propensity = partners.engagement_propensity.py_func(
            rules.business_openness, self.csr, open_data, open_services, a.mean_trust
        )
        draw = rnd()
        self.barred = max(self.barred - 1, 0)
        self.engaged = partners.stays_engaged.py_func(
            self.engaged, draw, propensity, self.barred, p.disengage
        )
        if self.engaged:
            gain = -math.log(1.0 - rnd())
            if partners.lobbies.py_func(gain, a.detection, self.csr, p):
                if rnd() < a.detection:
                    self.engaged = False
                    self.barred = p.exclusion
                else:
                    a.lobbyists.append(self)
        self.months_engaged += self.engaged
        if self.engaged:
            businesses = max(len(a.businesses), 1)
            sponsor = partners.sponsorship.py_func(a.budget, businesses, open_services, p)
            self.hood.sponsored[self.domain] += sponsor
            if open_data:
                a.data_reuse[self.domain] += 1


class CommunityOrganisation(mesa.Agent):
    """A community organisation whose activity rises with outreach funding."""

    def __init__(self, model, administration, hood) -> None:
        super().__init__(model)
        self.administration = administration
        self.hood = hood
        self.activity = BASE_ACTIVITY
        self.members = 0

    def step(self) -> None:
        """Set this month's mobilising activity."""
        outreach = self.administration.rules.inclusion_outreach
        self.activity = partners.organisation_activity.py_func(
            outreach, BASE_ACTIVITY, OUTREACH_ACTIVITY
        )


class Administration(mesa.Agent):
    """One municipality's administration: outreach, the input queue, allocation."""

    def __init__(self, model, municipality: int, rules: SimpleNamespace) -> None:
        super().__init__(model)
        self.municipality = municipality
        self.rules = rules
        self.hoods: list[Neighbourhood] = []
        self.residents: list[Citizen] = []
        self.businesses: list[Business] = []
        self.population = 0
        self.budget = 0.0
        self.mean_trust = 0.0
        self.data_reuse = [0] * model.n_domains
        self.data_services = [0.0] * model.n_domains
        self.spending = self.overhead = self.captured = 0.0
        self.lobbyists: list[Business] = []
        self.detection = DETECT_BASE
        self.handled = self.expired = self.errors = self.decisions = 0.0
        self.backlog = self.implemented = 0
        self.queue: list[tuple[int, int, int, Citizen]] = []  # (since, kind, domain, owner)
        self.staff: float | None = None  # planned at the budget round; None before the first
        self.workload = [0.0] * 12
        self.staff_employed = 0.0

    # ------------------------------------------------------------ phases
    def survey_trust(self) -> None:
        """Mean trust of the residents, which businesses weigh before engaging, and the
        probability that lobbying is detected (audit; open processes watched by co-creators).
        """
        total = 0.0
        cocreating = 0
        for citizen in self.residents:
            total += citizen.trust
            cocreating += citizen.cocreated
        self.mean_trust = total / max(self.population, 1)
        self.lobbyists = []
        self.detection = partners.detection_probability.py_func(
            self.rules.open_processes,
            cocreating / max(self.population, 1),
            DETECT_BASE,
            DETECT_OPEN,
            DETECT_WATCH,
        )

    def reach_out(self) -> None:
        """Outreach reaches low participants, makes their needs visible and recruits them."""
        outreach = self.rules.inclusion_outreach
        if outreach <= 0.0:
            return
        reach = partners.outreach_reach.py_func(outreach, OUTREACH_REACH)
        rnd = self.random.random
        for citizen in self.residents:
            if citizen.contributions >= LOW_PARTICIPATION or rnd() >= reach:
                continue
            hood = citizen.hood
            for j, need in enumerate(citizen.need):
                hood.outreach[j] += need
            organisation = hood.organisation
            if citizen.organisation is None and organisation is not None:
                if rnd() < OUTREACH_RECRUIT:
                    citizen.organisation = organisation
                    organisation.members += 1

    def process_inputs(self) -> None:
        """Handle the oldest inputs up to capacity, expire the too old, record outcomes."""
        m = self.model
        rules = self.rules
        settings = m.scenario.administration
        rnd = self.random.random
        step = m.steps

        ceiling = rules.capacity * settings.staff_per_capita * self.population
        sp = inputs.staff_params()
        settle = inputs.SettleParams(
            BUNDLING_BONUS, REPORT_VISIBILITY, QUALITY_GAIN, QUALITY_MAX, QUALITY_DEPRECIATION
        )

        def staff_time(kind: int) -> float:
            return inputs.staff_time.py_func(
                kind, rules.speed, rules.automated, rules.human_review, sp
            )

        arrivals = backlog = 0.0
        for since, kind, _, _ in self.queue:
            if since == step:
                arrivals += staff_time(kind)
            else:
                backlog += staff_time(kind)
        month = (step - 1) % 12
        share = 1.0 - rules.inclusion_outreach
        if month == 0 and step > 1:
            mean = sum(self.workload) / 12
            self.staff = inputs.planned_staff.py_func(mean, backlog, share, ceiling, sp)
        self.workload[month] = arrivals
        planned = math.nan if self.staff is None else self.staff
        self.staff_employed = inputs.staff_employed.py_func(
            ceiling, planned, m.budget_multiplier, 0.0
        )
        capacity = self.staff_employed * share + rnd()

        # urgent inputs first, then routine ones; within each, oldest first with triage
        queue = [
            (
                (
                    item[3].need[item[2]] <= URGENT_NEED,
                    inputs.triage_priority.py_func(item[0], rnd(), TRIAGE),
                ),
                item,
            )
            for item in self.queue
        ]
        queue.sort(key=lambda entry: entry[0])
        handled, waiting, spent = [], [], 0.0
        for _, item in queue:
            spent += staff_time(item[1])
            if not waiting and spent <= capacity:
                handled.append(item)
            else:
                waiting.append(item)

        for hood in self.hoods:
            q = hood.quality
            for j in range(len(q)):
                q[j] = inputs.depreciated_quality.py_func(q[j], settle)
            hood.reported = [0.0] * len(q)
        in_time = errors = 0
        gauss = self.random.gauss
        prior = m.need_prior()
        sd_algorithm = m.decision_noise(settings.algorithm_error)
        sd_human = m.decision_noise(rules.human_error)
        on_file: list[Citizen] = []
        for since, kind, domain, c in handled:
            if step - since <= settings.target_delay:
                in_time += 1
            # the case's merit is the need it concerns; the decision-maker estimates it
            merit = c.need[domain]
            if rules.automated:
                points = DATA_RECORDS + c.cases  # the file as it stood before this month
                if c.adopted and rules.platform_traces:
                    points += DATA_TRACES
                w = points / (points + DATA_PRIOR)
                estimate = w * merit + (1.0 - w) * prior[domain]
                estimate += sd_algorithm * gauss(0.0, 1.0)
                reviewed = rnd() < rules.human_review
            else:
                estimate = merit + settings.professional_bias * (c.ses - 0.5)
                estimate += sd_human * gauss(0.0, 1.0)
                reviewed = False
            on_file.append(c)  # the decision goes on file (after this month's decisions)
            entitled = merit > ENTITLEMENT
            granted = estimate > ENTITLEMENT
            wrong = entitled and not granted
            appealed = (
                rules.appeals
                and not granted
                and rnd() < APPEAL_BASE + APPEAL_SKILL * c.efficacy * c.literacy
            )
            if appealed:  # a human reconsideration, planned for as a review is
                self.workload[month] += inputs.input_staff_time.py_func(kind, sp) * REVIEW_COST
            if granted and not entitled and not reviewed:
                errors += 1  # an unlawful grant no review caught
            if wrong and not reviewed and not appealed:
                c.wronged = True
                errors += 1
            elif kind == 1:
                member = 0 if c.organisation is not None else -1
                if rnd() < inputs.acceptance_probability.py_func(rules.acceptance, member, settle):
                    c.accepted = True
                    hood = c.hood
                    hood.quality[domain] = inputs.implemented_quality.py_func(
                        hood.quality[domain], hood.population, settle
                    )
                    self.implemented += 1
                else:
                    c.rejected = True
            else:
                c.acted = True
                c.hood.reported[domain] += c.need[domain] * REPORT_VISIBILITY
            if wrong and appealed and not reviewed:
                c.corrected_late = True
        for c in on_file:  # every decision, also a citizen's second this month
            c.cases += 1
        for hood in self.hoods:
            hood.quality = [min(q, QUALITY_MAX) for q in hood.quality]

        expired = 0
        self.queue = []
        for item in waiting:
            if step - item[0] >= settings.expiry:
                item[3].ignored = True
                expired += 1
            else:
                self.queue.append(item)
        self.handled = float(len(handled))
        self.expired = float(expired)
        self.errors = float(errors)
        self.decisions = float(len(handled))
        self.backlog = len(self.queue)
        m.handled_in_time += in_time
        m.resolved += len(handled) + expired

    def allocate(self) -> None:
        """Spend overhead and allocate front-line resources over neighbourhoods and domains."""
        m = self.model
        rules = self.rules
        d = m.n_domains
        rnd = self.random.random

        p = allocation.cost_params(m.budget_multiplier)
        p = p._replace(need_multiplier=m.need_multiplier)
        self.budget = allocation.budget_of.py_func(rules.budget, self.population, p)
        paid = sum(1 for c in self.residents if c.participated) if rules.incentive_cost else 0
        self.overhead = allocation.overhead_cost.py_func(
            self.budget,
            self.staff_employed,
            self.handled if rules.automated else 0.0,
            rules.assessment_cost + rules.platform_cost,
            rules.incentive_cost * paid,
            p,
        )

        # what the administration sees: reports, platform traces, outreach; and true need
        traced = m.platform_up and rules.platform_traces
        for hood in self.hoods:
            need_sum = [0.0] * d
            trace_sum = [0.0] * d
            skill = 0.0
            for c in hood.residents:
                for j, need in enumerate(c.need):
                    need_sum[j] += need
                    if traced and c.adopted:
                        trace_sum[j] += need
                skill += c.efficacy * c.literacy
            hood.true_need = [x * m.need_multiplier for x in need_sum]
            hood.skill = skill / max(hood.population, 1)
            for j in range(d):
                visible = hood.reported[j] + trace_sum[j] + hood.outreach[j]
                hood.data[j] = allocation.visible_need.py_func(hood.data[j], visible, DATA_MEMORY)

        cells = [(hood, j) for hood in self.hoods for j in range(d)]
        assessed = [
            hood.true_need[j] * math.exp(ASSESSMENT_NOISE * self.random.gauss(0.0, 1.0))
            for hood, j in cells
        ]
        data = [hood.data[j] for hood, j in cells]
        data_total, ref_total = sum(data), sum(assessed)
        weight = [
            allocation.need_weight.py_func(
                a,
                allocation.scaled_record.py_func(x, data_total, ref_total, len(cells)),
                rules.data_weight,
            )
            for a, x in zip(assessed, data, strict=True)
        ]
        errors = 0
        if rules.automated:
            # an allocation straying from assessed need beyond the tolerance is unlawful
            # unless a review or (for a cell given too little) an appeal corrects it
            total, assessed_total = sum(weight), sum(assessed)
            for i, (hood, _) in enumerate(cells):
                share = weight[i] / total
                due = assessed[i] / assessed_total
                reviewed = rnd() < rules.human_review
                appealed = (
                    rules.appeals
                    and share < due
                    and rnd() < APPEAL_BASE + APPEAL_SKILL * hood.skill
                )
                if reviewed or appealed:  # checked against a needs assessment of the cell
                    self.overhead = min(
                        self.overhead + REVIEW_ASSESSMENT_COST * self.budget / len(cells),
                        self.budget,
                    )
                if allocation.unlawful.py_func(share, due, ALLOCATION_TOLERANCE):
                    if reviewed or appealed:
                        weight[i] = due * total
                    else:
                        errors += 1

        frontline = self.budget - self.overhead
        lobbying = self.lobbyists
        captured_share = partners.captured_share.py_func(
            len(lobbying), max(len(self.businesses), 1), CAPTURE_PER_PARTNER, CAPTURE_MAX
        )
        total_weight = sum(weight)
        shares = [w / total_weight for w in weight]
        captured = captured_share * frontline
        to_partners = shares
        if captured > 0:
            pulls = [
                float(sum(1 for b in lobbying if b.hood is hood and b.domain == j))
                for hood, j in cells
            ]
            pull_total = sum(pulls)
            if pull_total > 0:
                to_partners = [pull / pull_total for pull in pulls]
        else:
            captured = 0.0
        for (hood, j), share, to in zip(cells, shares, to_partners, strict=True):
            hood.resources[j] = allocation.cell_resources.py_func(
                share, frontline, captured_share, captured, to, hood.sponsored[j]
            )
        self.captured = captured
        self.spending = self.overhead + frontline
        self.errors += errors
        self.decisions += len(cells)

        per_muni = max(len(self.businesses), 1)
        pp = partners.partner_params()
        self.data_services = [
            partners.data_service_gain.py_func(n, per_muni, d, rules.transformative, pp)
            for n in self.data_reuse
        ]


class BaselineModel(mesa.Model):
    """coprod's rules, stepped agent by agent (see the module docstring for what is per agent).

    Args:
        scenario: a :class:`Scenario`, or the name or path of one.
        seed: the root of every random draw.
    """

    def __init__(self, scenario: Scenario | str | Path, seed: int = 0) -> None:
        if not isinstance(scenario, Scenario):
            scenario = Scenario.load(scenario)
        if scenario.governance.innovation != "none":
            raise ScenarioError("the baseline implements governance.innovation = 'none' only")
        super().__init__(seed=int(seed))
        self.scenario = scenario
        self.behaviour = scenario.behaviour
        self.n_domains = len(scenario.services.domains)
        self.events = list(scenario.events)
        self.budget_multiplier = 1.0
        self.need_multiplier = 1.0
        self.need_multiplier_met = 1.0
        self.call_open = False
        self.platform_up = True
        # (in time, resolved) per month of the last year, as coprod's resolved_window
        self.resolved_months: list[tuple[float, float]] = []
        self.handled_in_time = self.resolved = 0
        self.useful_output = 0.0
        self.measures: dict[str, float] = {}
        self._build()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in MEASURES}
        )

    def _build(self) -> None:
        """Create agents from coprod's initial world (same distributions, then Python objects)."""
        s = self.scenario
        d = self.n_domains
        w = world.build(s, self.rng)
        local = LocalGovernance(s, len(w.administrations))
        c = w.citizens
        c.adopted &= local.platform[c.municipality]
        self.administrations = [
            Administration(
                self, m, SimpleNamespace(**{k: getattr(local, k)[m].item() for k in RULES})
            )
            for m in range(len(w.administrations))
        ]
        for a, pop in zip(self.administrations, w.administrations.population, strict=True):
            a.population = int(pop)
            a.budget = float(w.administrations.budget[a.municipality])
        self.hoods = [
            Neighbourhood(i, self.administrations[int(muni)], int(pop), d)
            for i, (muni, pop) in enumerate(
                zip(w.hoods.municipality, w.hoods.population, strict=True)
            )
        ]
        for hood in self.hoods:
            hood.administration.hoods.append(hood)
        self.organisations = [
            CommunityOrganisation(self, self.administrations[int(muni)], self.hoods[int(h)])
            for muni, h in zip(w.organisations.municipality, w.organisations.hood, strict=True)
        ]
        for org in self.organisations:
            org.hood.organisation = org
        self.businesses = [
            Business(self, self.administrations[int(muni)], self.hoods[int(h)], int(dom), csr)
            for muni, h, dom, csr in zip(
                w.businesses.municipality,
                w.businesses.hood,
                w.businesses.domain,
                w.businesses.csr.tolist(),
                strict=True,
            )
        ]
        for business in self.businesses:
            business.administration.businesses.append(business)

        columns = {
            name: getattr(c, name).tolist()
            for name in (
                "quintile",
                "ses",
                "literacy",
                "spare_time",
                "motivation",
                "motivation0",
                "trust",
                "trust0",
                "efficacy",
                "efficacy0",
                "need",
                "adopted",
                "activity",
            )
        }
        hoods, members = c.hood.tolist(), c.member.tolist()
        self.citizens = []
        for i in range(len(c)):
            hood = self.hoods[hoods[i]]
            citizen = Citizen(
                self,
                hood=hood,
                administration=hood.administration,
                organisation=self.organisations[members[i]] if members[i] >= 0 else None,
                **{name: values[i] for name, values in columns.items()},
            )
            hood.residents.append(citizen)
            hood.administration.residents.append(citizen)
            self.citizens.append(citizen)
        for org in self.organisations:
            org.members = 0
        for citizen in self.citizens:
            if citizen.organisation is not None:
                citizen.organisation.members += 1
        indptr, indices = w.adjacency.indptr, w.adjacency.indices.tolist()
        for i, citizen in enumerate(self.citizens):
            citizen.neighbours = [self.citizens[j] for j in indices[indptr[i] : indptr[i + 1]]]

    def step(self) -> None:
        """One month, phase by phase, each phase a loop of agent methods."""
        agents = self.agents_by_type
        self._apply_events()
        for hood in self.hoods:
            hood.effort = [0.0] * self.n_domains
            hood.sponsored = [0.0] * self.n_domains
            hood.outreach = [0.0] * self.n_domains
        months = self.scenario.administration.call_months
        self.call_open = (self.steps - 1) % 12 < months
        agents[Citizen].shuffle_do("step")
        agents[Citizen].do("advance")
        self.need_multiplier_met = self.need_multiplier
        for a in self.administrations:
            a.data_reuse = [0] * self.n_domains
            if self.businesses:
                a.survey_trust()
        if Business in agents:
            agents[Business].shuffle_do("step")
        if CommunityOrganisation in agents:
            agents[CommunityOrganisation].shuffle_do("step")
        administrations = agents[Administration]
        administrations.shuffle_do("reach_out")
        self.handled_in_time = self.resolved = 0
        administrations.shuffle_do("process_inputs")
        administrations.shuffle_do("allocate")
        for hood in self.hoods:
            hood.produce()
        self.useful_output = 0.0
        agents[Citizen].do("receive_services")
        agents[Citizen].do("hear")
        agents[Citizen].do("learn")
        self._collect()

    @property
    def model_vars(self) -> pd.DataFrame:
        """Measures so far, one row per step (index ``step``, starting at 1), like coprod's."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="step")
        return frame

    def need_prior(self) -> list[float]:
        """The population's mean need per domain: the algorithm's prior (computed once)."""
        if not hasattr(self, "_need_prior"):
            n = len(self.citizens)
            self._need_prior = [
                sum(c.need[j] for c in self.citizens) / n for j in range(self.n_domains)
            ]
        return self._need_prior

    def decision_noise(self, error_rate: float) -> float:
        """Estimate noise that errs at ``error_rate`` on this population's claims (once each).

        The calibration is coprod's own (``decisions.noise_for``), run once per rate at the
        start, off the step's hot path.
        """
        cache = self.__dict__.setdefault("_decision_noise", {})
        if error_rate not in cache:
            need = np.array([c.need for c in self.citizens])
            cache[error_rate] = noise_for(error_rate, need)
        return cache[error_rate]

    def _apply_events(self) -> None:
        budget, need, up, scandals = month_effects(self.events, self.steps)
        for factor in scandals:
            for citizen in self.citizens:
                citizen.trust *= factor
        self.budget_multiplier, self.need_multiplier, self.platform_up = budget, need, up

    def _collect(self) -> None:
        n = len(self.citizens)
        by_q = [0] * 5
        part_q = [0.0] * 5
        met_q = [0.0] * 5
        hours_q = [0.0] * 5
        participated = coproduced = cocreated = adopted = satisfied = 0
        trust = efficacy = motivation = met = 0.0
        contributions = []
        for c in self.citizens:
            q = c.quintile - 1  # quintiles are numbered 1 (bottom) .. 5, as q1..q5
            by_q[q] += 1
            part_q[q] += c.participated
            met_q[q] += c.met
            hours_q[q] += c.hours
            participated += c.participated
            coproduced += c.coproduced
            cocreated += c.cocreated
            adopted += c.adopted
            satisfied += c.met >= SATISFIED
            trust += c.trust
            efficacy += c.efficacy
            motivation += c.motivation
            met += c.met
            contributions.append(c.contributions)
        part_q = [p / max(k, 1) for p, k in zip(part_q, by_q, strict=True)]
        met_q = [x / max(k, 1) for x, k in zip(met_q, by_q, strict=True)]
        adms = self.administrations
        self.resolved_months = [
            *self.resolved_months[-(RESPONSIVENESS_MONTHS - 1) :],
            (self.handled_in_time, self.resolved),
        ]
        pooled = sum(r for _, r in self.resolved_months)
        responsiveness = sum(t for t, _ in self.resolved_months) / pooled if pooled else math.nan
        spending = sum(a.spending for a in adms)
        overhead_share = sum(a.overhead for a in adms) / spending if spending > 0 else math.nan
        gross = sum(lv * h.population for h in self.hoods for lv in h.level)
        useful_share = self.useful_output / gross if gross > 0 else math.nan
        decisions = sum(a.decisions for a in adms)
        public = sum(sum(h.resources) for h in self.hoods)
        # resources allocated under capture: those of the cells where a partner lobbied unseen
        cells = {
            (id(b.hood), b.domain): b.hood.resources[b.domain] for a in adms for b in a.lobbyists
        }
        captured = sum(cells.values())
        contributions = np.array(contributions)
        m = {
            "participation_rate": participated / n,
            "coproduction_rate": coproduced / n,
            "cocreation_rate": cocreated / n,
            "participation_gap": part_q[4] - part_q[0],
            "contribution_gini": gini(contributions),
            "top10_share": top_share(contributions[contributions > 0]),
            "top1_share": top_share(contributions[contributions > 0], 0.01),
            "adoption": adopted / n,
            "trust": trust / n,
            "efficacy": efficacy / n,
            "intrinsic_motivation": motivation / n,
            "effectiveness": met / n,
            "efficiency": (1.0 - overhead_share) * useful_share,
            "responsiveness": responsiveness,
            "equality": 1.0 - abs(met_q[4] - met_q[0]),
            "lawfulness": 1.0 - sum(a.errors for a in adms) / decisions if decisions else math.nan,
            "integrity": 1.0 - captured / public if public > 0 else math.nan,
            "business_engagement": (
                sum(b.engaged for b in self.businesses) / len(self.businesses)
                if self.businesses
                else 0.0
            ),
            "innovations_adopted": 0.0,
            "innovation_reach": 0.0,
            # the spread of public value between municipalities needs per-municipality
            # measures, which the baseline does not compute (0 for one municipality, as coprod)
            "outcome_spread": 0.0 if len(adms) == 1 else math.nan,
            "satisfaction": satisfied / n,
            "backlog": sum(a.backlog for a in adms) / n,
            "spending_per_capita": spending / n,
        }
        m["performing_value"] = (m["effectiveness"] + m["efficiency"]) / 2
        m["responsive_value"] = (
            m["responsiveness"] + m["participation_rate"] + m["satisfaction"]
        ) / 3
        m["proper_value"] = (m["lawfulness"] + m["equality"] + m["integrity"]) / 3
        for q in range(5):
            m[f"participation_q{q + 1}"] = part_q[q]
            m[f"needs_met_q{q + 1}"] = met_q[q]
            m[f"burden_q{q + 1}"] = hours_q[q] / max(by_q[q], 1)
        m["coproducer_hours"] = sum(hours_q) / participated if participated else 0.0
        recent = self.steps - REACH_MONTHS
        m["cocreation_reach"] = sum(c.last_proposal > recent for c in self.citizens) / n
        # no innovation process in the baseline: nothing adopted, so nothing judged (as coprod)
        for name in ("innovations_fit", "innovations_misfit", "innovations_fit_share",
                     "innovation_benefit", "municipalities_fit_share"):  # fmt: skip
            m[name] = 0.0
        m["responsiveness_month"] = (
            self.handled_in_time / self.resolved if self.resolved else math.nan
        )
        self.measures = {name: float(m.get(name, math.nan)) for name in MEASURES}
        self.datacollector.collect(self)


def _reporter(name: str):
    def report(model: BaselineModel) -> float:
        return model.measures[name]

    report.__name__ = f"report_{name}"
    return report


def run_baseline(scenario: Scenario | str | Path, steps: int, seed: int = 0) -> pd.DataFrame:
    """Run the baseline for ``steps`` months; its measures, one row per step."""
    model = BaselineModel(scenario, seed=seed)
    for _ in range(steps):
        model.step()
    return model.model_vars
