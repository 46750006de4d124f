"""coprod's rules stepped agent by agent, the plain Mesa way: the benchmarks' baseline.

Not part of coprod: the reference its benchmarks compare against. Every citizen, business,
community organisation and administration is a Mesa agent with Python attributes, stepped by
``AgentSet.shuffle_do``; each agent applies coprod's own scalar rules (the ``py_func`` of the
compiled rules in ``coprod.model``) to Python scalars and lists, reading its neighbours one by
one. No NumPy over all agents in a step. Citizens decide (``step``) on their neighbours' last
month and then commit (``advance``), Mesa's simultaneous activation, as coprod's synchronous
arrays. ``tests/test_baseline.py`` checks that both give statistically the same measures.

Shared with coprod: the parameters (read from coprod's modules when used), the scenario, the
per-municipality rules (``LocalGovernance``, read once into Python scalars per administration),
the initial world (a never-stepped ``CoProductionModel`` of the same scenario and seed, whose
rows become the agents) and the measures: once a month the agents' values are gathered into
that model's arrays and measured with coprod's ``collect_measures``. Draws come from Python's
``random`` (``model.random``), one call per agent and draw, so runs agree with coprod in
distribution, not draw for draw. Not implemented: innovation between municipalities
(``governance.innovation`` must be ``"none"``) and the measures per municipality
(``outcome_spread`` is NaN with more than one municipality).
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np
import pandas as pd

from coprod.model import (
    allocation,
    decisions,
    feedback,
    inputs,
    participation,
    partners,
    production,
)
from coprod.model.core import CoProductionModel
from coprod.model.events import month_effects
from coprod.model.measures import MEASURES, collect_measures
from coprod.model.scenario import Scenario, ScenarioError
from coprod.model.step_record import StepRecord

_sigmoid = participation.sigmoid.py_func


class Neighbourhood:
    """A neighbourhood's state: one Python list per quantity, one entry per domain."""

    def __init__(self, administration: Administration, population: int, d: int) -> None:
        self.administration, self.population = administration, population
        self.residents: list[Citizen] = []
        self.organisation: CommunityOrganisation | None = None
        self.quality, self.data, self.resources = [1.0] * d, [0.0] * d, [0.0] * d
        self.level, self.reported, self.true_need = [0.0] * d, [0.0] * d, [0.0] * d

    def produce(self) -> None:
        """Service level per domain: coprod's co-production rules, per cell."""
        a = self.administration
        p = a.model.production
        for j in range(len(self.level)):
            r, c = production.relative_inputs.py_func(
                self.resources[j],
                self.effort[j],
                float(max(self.population, 1)),
                a.rules.delivery,
                p,
            )
            aggregate = production.coproduction.py_func(r, c, p)
            self.level[j] = production.service_level.py_func(
                self.quality[j], a.data_services[j], aggregate, p
            )


class Citizen(mesa.Agent):
    """A citizen with Python attributes; ``step`` decides, ``advance`` commits."""

    def __init__(self, model: BaselineModel, **state) -> None:
        super().__init__(model)
        self.__dict__.update(state)
        self.participated = self.next_coproduced = self.next_cocreated = False
        self.next_adopted, self.next_hours, self.hours, self.heard = self.adopted, 0.0, 0.0, 0.0
        self.acted = self.accepted = self.rejected = False
        self.ignored = self.wronged = self.corrected_late = False

    def step(self) -> None:
        """Decide this month's acts, then draw adoption, reading neighbours' last month."""
        m, p, rules, rnd = self.model, self.model.p, self.administration.rules, self.random.random
        neighbours, hood, organisation = self.neighbours, self.hood, self.organisation
        k = len(neighbours)
        cost = self.channel_cost()
        reachable = cost < math.inf
        peers = sum(1 for other in neighbours if other.participated) / k if k else 0.0
        here = rules.invitation + rules.incentive_utility
        if organisation is not None:
            here += participation.MOBILISATION * organisation.activity
        effective = participation.effective_cost.py_func(cost, self.spare_time)
        utility = participation.utility.py_func(
            p.weights,
            self.motivation,
            self.efficacy,
            self.trust,
            self.met,
            peers,
            self.participated,
            effective,
            here,
            self.engaged,
        )

        # reports: incidents from last month's unmet need, each reported with a probability
        level, met_multiplier = hood.level, m.need_multiplier_met
        reports = 0
        if reachable:
            unmet_need = (1.0 - self.met) * sum(self.need) * met_multiplier
            rate = participation.INCIDENT_RATE * self.activity * unmet_need
            lam = rate * _sigmoid(utility + participation.REPORT_OFFSET)
            reports = participation.poisson_count.py_func(rnd(), lam, math.exp(-lam))
        log_activity = math.log(self.activity)
        spare, efficacy = self.spare_time - 0.5, self.efficacy - 0.5
        delivers = (
            reachable
            and rules.delivery
            and rnd() < _sigmoid(utility + participation.DELIVER_OFFSET + spare + log_activity)
        )
        proposes = (
            reachable
            and rules.cocreation
            and m.call_open
            and rnd() < _sigmoid(utility + participation.COCREATE_OFFSET + efficacy + log_activity)
        )
        queue = self.administration.queue
        if reports:
            gaps = [
                max(need * met_multiplier - lv, 0.0)
                for need, lv in zip(self.need, level, strict=True)
            ]
            total = sum(gaps)
            for _ in range(reports):  # each report about a cell drawn by its unmet need
                pick, domain, cum = rnd() * total, 0, gaps[0]
                while cum <= pick and domain < len(gaps) - 1:
                    domain += 1
                    cum += gaps[domain]
                queue.append((m.steps, 0, domain, self))

        # the domain in which need is furthest from the service level
        gaps = [need * m.need_multiplier - lv for need, lv in zip(self.need, level, strict=True)]
        domain = gaps.index(max(gaps))
        if proposes:
            queue.append((m.steps, 1, domain, self))
            self.last_proposal = m.steps
        effort = 0.5 + self.spare_time if delivers else 0.0
        if delivers:
            hood.effort[domain] += effort
        self.contributions += participation.contribution.py_func(p.acts, reports, effort, proposes)
        self.acts += reports + delivers + proposes
        self.reports += reports
        self.deliveries += delivers
        self.proposals += proposes
        self.engaged = self.engaged or bool(reports or delivers or proposes)
        self.next_hours = participation.hours_given.py_func(p.acts, reports, effort, proposes)
        self.next_coproduced, self.next_cocreated = reports > 0 or delivers, proposes

        # adoption of the digital channel: innovation plus imitation of adopting neighbours
        if rules.platform and m.platform_up and not self.adopted:
            share = sum(1 for other in neighbours if other.adopted) / k if k else 0.0
            hazard = participation.adoption_hazard.py_func(
                p.diffusion, share, self.literacy, rules.personalisation, rules.open_services
            )
            self.next_adopted = rnd() < hazard

    def channel_cost(self) -> float:
        """Cost of the cheapest channel open to this citizen; infinite where none is open."""
        rules, organisation = self.administration.rules, self.organisation
        return participation.cheapest_channel.py_func(
            self.model.p.channels,
            rules.offline_channel,
            rules.platform and self.model.platform_up,
            self.adopted,
            rules.personalisation,
            self.literacy,
            organisation is not None,
            organisation.activity if organisation is not None else 0.0,
        )

    def advance(self) -> None:
        """Make this month's acts and adoption visible to the neighbours."""
        self.coproduced, self.cocreated = self.next_coproduced, self.next_cocreated
        self.participated = self.coproduced or self.cocreated
        self.adopted, self.hours = self.next_adopted, self.next_hours

    def receive_services(self) -> None:
        """Share of this citizen's needs met by the neighbourhood's service levels."""
        self.met, met = production.needs_met.py_func(
            self.need, self.hood.level, self.model.production
        )
        self.model.useful_output += met

    def hear(self) -> None:
        """Note the neighbours' mean trust as it stands before anyone learns this month."""
        if self.neighbours:
            self.heard = sum(other.trust for other in self.neighbours) / len(self.neighbours)

    def learn(self) -> None:
        """This month's experiences, neighbours and rewards move trust, efficacy, motivation."""
        m, p, rules = self.model, self.model.p, self.administration.rules
        b = m.behaviour
        visible = 1.0 + feedback.VISIBILITY * rules.open_processes
        traits = {"trust": self.trust, "efficacy": self.efficacy}
        for name, moved, up, rate in feedback.experiences(
            b.learning_rate, b.trust_asymmetry, visible
        ):
            times = float(getattr(self, name))
            for trait in moved if times else ():
                traits[trait] = feedback.experienced.py_func(traits[trait], times, rate, up)
        trust = feedback.trust_after.py_func(
            p.learning,
            traits["trust"],
            self.trust_ref,
            self.met,
            self.heard,
            bool(self.neighbours),
        )
        efficacy = traits["efficacy"]
        efficacy += b.learning_rate * feedback.REVERSION * (self.efficacy0 - efficacy)
        motivation = feedback.motivation_after.py_func(
            p.learning,
            self.motivation,
            self.motivation0,
            self.participated and rules.recognition,
            self.participated and rules.monetary,
        )
        clip = feedback.clip01.py_func
        self.trust, self.efficacy, self.motivation = clip(trust), clip(efficacy), clip(motivation)
        self.trust_ref += b.trust_reference_drift * (self.trust - self.trust_ref)
        if self.engaged:  # dropout: falls with acts made, rises after a bad experience
            bad = self.ignored or self.wronged or self.rejected
            if self.random.random() < participation.quit_hazard.py_func(p.dropout, bad, self.acts):
                self.engaged = False
        self.acted = self.accepted = self.rejected = False
        self.ignored = self.wronged = self.corrected_late = False


class Business(mesa.Agent):
    """A business that may engage, sponsor its service and reuse open data."""

    def __init__(self, model, administration, hood, domain, csr) -> None:
        super().__init__(model)
        self.administration, self.hood, self.domain, self.csr = administration, hood, domain, csr
        self.engaged = self.lobbied = False
        self.barred = 0

    def step(self) -> None:
        """Start or end engagement; lobby or not; an engaged business sponsors and reuses data.

        A partner lobbies when its gain this month (exponential, mean 1) less the expected
        sanction beats its scruples; a partner caught is disengaged and barred for a while.
        """
        m, a, rnd = self.model, self.administration, self.random.random
        rules, p = a.rules, partners.partner_params()
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
        self.lobbied = False
        if self.engaged and partners.lobbies.py_func(
            -math.log(1.0 - rnd()), a.detection, self.csr, p
        ):
            if rnd() < a.detection:
                self.engaged, self.barred = False, p.exclusion
            else:
                self.lobbied = True  # unseen
                a.lobbyists.append(self)
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
        self.administration, self.hood = administration, hood
        self.activity = partners.BASE_ACTIVITY

    def step(self) -> None:
        """Set this month's mobilising activity."""
        self.activity = partners.organisation_activity.py_func(
            self.administration.rules.inclusion_outreach,
            partners.BASE_ACTIVITY,
            partners.OUTREACH_ACTIVITY,
        )


class Administration(mesa.Agent):
    """One municipality's administration: outreach, the input queue, allocation."""

    def __init__(self, model, rules: SimpleNamespace, population: int, budget: float) -> None:
        super().__init__(model)
        self.rules, self.population, self.budget = rules, population, budget
        self.hoods: list[Neighbourhood] = []
        self.residents: list[Citizen] = []
        self.businesses: list[Business] = []
        self.lobbyists: list[Business] = []
        self.mean_trust, self.detection = 0.0, partners.DETECT_BASE
        self.data_reuse, self.data_services = [0] * model.n_domains, [0.0] * model.n_domains
        self.spending = self.overhead = self.staff_employed = 0.0
        self.handled = self.expired = self.errors = self.decisions = self.backlog = 0.0
        self.queue: list[tuple[int, int, int, Citizen]] = []  # (since, kind, domain, owner)
        self.staff: float | None = None  # planned at the budget round; None before the first
        self.workload = [0.0] * 12

    def survey_trust(self) -> None:
        """Mean trust of the residents, which businesses weigh before engaging, and the
        probability that lobbying is detected (audit; open processes watched by co-creators).
        """
        population = max(self.population, 1)
        self.mean_trust = sum(c.trust for c in self.residents) / population
        watching = sum(c.cocreated for c in self.residents) / population
        self.lobbyists = []
        self.detection = partners.detection_probability.py_func(
            self.rules.open_processes,
            watching,
            partners.DETECT_BASE,
            partners.DETECT_OPEN,
            partners.DETECT_WATCH,
        )

    def reach_out(self) -> None:
        """Outreach reaches low participants, makes their needs visible and recruits them."""
        outreach = self.rules.inclusion_outreach
        if outreach <= 0.0:
            return
        reach = partners.outreach_reach.py_func(outreach, partners.OUTREACH_REACH)
        rnd = self.random.random
        for citizen in self.residents:
            if citizen.contributions >= partners.LOW_PARTICIPATION or rnd() >= reach:
                continue
            hood = citizen.hood
            for j, need in enumerate(citizen.need):
                hood.outreach[j] += need
            if citizen.organisation is None and hood.organisation is not None:
                if rnd() < partners.OUTREACH_RECRUIT:
                    citizen.organisation = hood.organisation

    def process_inputs(self) -> None:
        """Handle the oldest inputs up to capacity, expire the too old, record outcomes."""
        m, rules, rnd, step = self.model, self.rules, self.random.random, self.model.steps
        settings = m.scenario.administration
        sp = inputs.staff_params()
        settle = inputs.SettleParams(
            inputs.BUNDLING_BONUS,
            inputs.REPORT_VISIBILITY,
            inputs.QUALITY_GAIN,
            inputs.QUALITY_MAX,
            inputs.QUALITY_DEPRECIATION,
        )

        def staff_time(kind: int) -> float:
            return inputs.staff_time.py_func(
                kind, rules.speed, rules.automated, rules.human_review, sp
            )

        arrivals = sum(staff_time(kind) for since, kind, _, _ in self.queue if since == step)
        backlog = sum(staff_time(kind) for since, kind, _, _ in self.queue if since != step)
        month, share = (step - 1) % 12, 1.0 - rules.inclusion_outreach
        ceiling = rules.capacity * settings.staff_per_capita * self.population
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
        def priority(item: tuple[int, int, int, Citizen]) -> tuple[bool, float]:
            urgent = item[3].need[item[2]] > inputs.URGENT_NEED
            return not urgent, inputs.triage_priority.py_func(item[0], rnd(), inputs.TRIAGE)

        keyed = [(priority(item), item) for item in self.queue]
        keyed.sort(key=lambda entry: entry[0])
        handled, waiting, spent = [], [], 0.0
        for _, item in keyed:
            spent += staff_time(item[1])
            (handled if not waiting and spent <= capacity else waiting).append(item)

        for hood in self.hoods:
            hood.quality = [inputs.depreciated_quality.py_func(q, settle) for q in hood.quality]
            hood.reported = [0.0] * len(hood.quality)
        in_time = errors = 0
        k = m.decision_rules
        for since, kind, domain, c in handled:
            in_time += step - since <= settings.target_delay
            merit = c.need[domain]  # the case's merit is the need it concerns
            traced = c.adopted and rules.platform_traces
            points = decisions.data_points.py_func(k, traced, c.cases)  # the file before the month
            estimate = decisions.estimate.py_func(
                k,
                rules.automated,
                merit,
                m.need_prior[domain],
                points,
                c.ses,
                m.decision_noise(rules.human_error),
                self.random.gauss(0.0, 1.0),
            )
            reviewed = rules.automated and rnd() < rules.human_review
            may_appeal = rules.appeals and estimate <= decisions.ENTITLEMENT
            wrong, appealed, unlawful = decisions.judgement.py_func(
                k,
                merit,
                estimate,
                reviewed,
                rnd() if may_appeal else 1.0,
                c.efficacy,
                c.literacy,
                rules.appeals,
            )
            if appealed:  # a human reconsideration, planned for as a review is
                self.workload[month] += (
                    inputs.input_staff_time.py_func(kind, sp) * inputs.REVIEW_COST
                )
            errors += unlawful
            if wrong and not reviewed and not appealed:
                c.wronged = True
                errors += 1
            elif kind == 1:
                member = 0 if c.organisation is not None else -1
                if rnd() < inputs.acceptance_probability.py_func(rules.acceptance, member, settle):
                    c.accepted, hood = True, c.hood
                    hood.quality[domain] = inputs.implemented_quality.py_func(
                        hood.quality[domain], hood.population, settle
                    )
                else:
                    c.rejected = True
            else:
                c.acted = True
                c.hood.reported[domain] += c.need[domain] * inputs.REPORT_VISIBILITY
            c.corrected_late = c.corrected_late or (wrong and appealed and not reviewed)
        for _, _, _, c in handled:  # every decision goes on file, after this month's decisions
            c.cases += 1
        for hood in self.hoods:
            hood.quality = [min(q, inputs.QUALITY_MAX) for q in hood.quality]

        expired = [item for item in waiting if step - item[0] >= settings.expiry]
        for item in expired:
            item[3].ignored = True
        self.queue = [item for item in waiting if step - item[0] < settings.expiry]
        self.handled = self.decisions = float(len(handled))
        self.expired, self.errors, self.backlog = (
            float(len(expired)),
            float(errors),
            len(self.queue),
        )
        m.handled_in_time += in_time

    def allocate(self) -> None:
        """Spend overhead and allocate front-line resources over neighbourhoods and domains."""
        m, rules, rnd, d = self.model, self.rules, self.random.random, self.model.n_domains
        p = allocation.cost_params(m.budget_multiplier)._replace(need_multiplier=m.need_multiplier)
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
            need_sum, trace_sum, skill = [0.0] * d, [0.0] * d, 0.0
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
                hood.data[j] = allocation.visible_need.py_func(
                    hood.data[j], visible, allocation.DATA_MEMORY
                )

        cells = [(hood, j) for hood in self.hoods for j in range(d)]
        noise = allocation.ASSESSMENT_NOISE
        assessed = [
            h.true_need[j] * math.exp(noise * self.random.gauss(0.0, 1.0)) for h, j in cells
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
                share, due = weight[i] / total, assessed[i] / assessed_total
                reviewed = rnd() < rules.human_review
                appeal = decisions.APPEAL_BASE + decisions.APPEAL_SKILL * hood.skill
                appealed = rules.appeals and share < due and rnd() < appeal
                if reviewed or appealed:  # checked against a needs assessment of the cell
                    cost = allocation.REVIEW_ASSESSMENT_COST * self.budget / len(cells)
                    self.overhead = min(self.overhead + cost, self.budget)
                if allocation.unlawful.py_func(share, due, allocation.ALLOCATION_TOLERANCE):
                    if reviewed or appealed:
                        weight[i] = due * total
                    else:
                        errors += 1

        frontline = self.budget - self.overhead
        captured_share = partners.captured_share.py_func(
            len(self.lobbyists),
            max(len(self.businesses), 1),
            partners.CAPTURE_PER_PARTNER,
            partners.CAPTURE_MAX,
        )
        total_weight = sum(weight)
        shares = [w / total_weight for w in weight]
        captured = captured_share * frontline
        to_partners = shares
        if captured > 0:
            lobbying = self.lobbyists
            pulls = [
                float(sum(1 for b in lobbying if b.hood is h and b.domain == j)) for h, j in cells
            ]
            if sum(pulls) > 0:
                to_partners = [pull / sum(pulls) for pull in pulls]
        else:
            captured = 0.0
        for (hood, j), share, to in zip(cells, shares, to_partners, strict=True):
            hood.resources[j] = allocation.cell_resources.py_func(
                share, frontline, captured_share, captured, to, hood.sponsored[j]
            )
        self.spending = self.overhead + frontline
        self.errors += errors
        self.decisions += len(cells)
        per_muni, pp = max(len(self.businesses), 1), partners.partner_params()
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
        self.scenario, self.behaviour = scenario, scenario.behaviour
        self.n_domains = len(scenario.services.domains)
        self.events = list(scenario.events)
        self.budget_multiplier = self.need_multiplier = self.need_multiplier_met = 1.0
        self.call_open, self.platform_up = False, True
        self.handled_in_time, self.useful_output = 0, 0.0
        self.measures: dict[str, float] = {}
        # coprod's model of the same scenario and seed, never stepped: its initial world
        # becomes the agents, and its arrays take their values for the monthly measures
        self.arrays = CoProductionModel(scenario, seed=seed)
        self._build(self.arrays)
        self._parameters()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in MEASURES}
        )

    def _build(self, w: CoProductionModel) -> None:
        """Wrap the rows of coprod's initial world as agents, with Python attributes."""
        d, local = self.n_domains, w.local
        rules = [
            SimpleNamespace(
                **{k: v[i].item() for k, v in vars(local).items() if isinstance(v, np.ndarray)}
            )
            for i in range(len(local))
        ]
        adm = w.administrations
        self.administrations = [
            Administration(self, rules[i], int(adm.population[i]), float(adm.budget[i]))
            for i in range(len(rules))
        ]
        self.hoods = [
            Neighbourhood(self.administrations[muni], pop, d)
            for muni, pop in zip(
                w.hoods.municipality.tolist(), w.hoods.population.tolist(), strict=True
            )
        ]
        for hood in self.hoods:
            hood.administration.hoods.append(hood)
        org = w.organisations
        self.organisations = [
            CommunityOrganisation(self, self.administrations[muni], self.hoods[h])
            for muni, h in zip(org.municipality.tolist(), org.hood.tolist(), strict=True)
        ]
        for organisation in self.organisations:
            organisation.hood.organisation = organisation
        b = w.businesses
        self.businesses = [
            Business(self, self.administrations[muni], self.hoods[h], dom, csr)
            for muni, h, dom, csr in zip(
                b.municipality.tolist(),
                b.hood.tolist(),
                b.domain.tolist(),
                b.csr.tolist(),
                strict=True,
            )
        ]
        for business in self.businesses:
            business.administration.businesses.append(business)
        c = w.citizens
        columns = {f.name: getattr(c, f.name).tolist() for f in fields(c)}
        self.citizens = [
            Citizen(self, **{name: values[i] for name, values in columns.items()})
            for i in range(len(c))
        ]
        indptr, indices = w.adjacency.indptr.tolist(), w.adjacency.indices.tolist()
        for i, citizen in enumerate(self.citizens):
            citizen.hood = hood = self.hoods[citizen.hood]
            citizen.administration = hood.administration
            citizen.organisation = (
                self.organisations[citizen.member] if citizen.member >= 0 else None
            )
            citizen.neighbours = [self.citizens[j] for j in indices[indptr[i] : indptr[i + 1]]]
            hood.residents.append(citizen)
            hood.administration.residents.append(citizen)
        # the algorithm's prior (the population's mean need per domain), read once
        self.need_prior = c.need.mean(axis=0).tolist()
        self.decision_rules = decisions.decision_rules(
            self, self.decision_noise(self.scenario.administration.algorithm_error)
        )

    def _parameters(self) -> None:
        """The rules' parameters for this month: from the scenario and coprod's modules now."""
        b = self.behaviour
        self.p = SimpleNamespace(
            channels=participation.channel_costs(),
            weights=participation.utility_weights(b),
            acts=participation.act_weights(),
            dropout=participation.Dropout(
                participation.QUIT_HAZARD,
                participation.BAD_EXPERIENCE_QUIT,
                participation.MOMENTUM,
            ),
            diffusion=participation.Diffusion(b.adoption_innovation, b.adoption_imitation),
            learning=feedback.Learning(
                b.learning_rate,
                b.trust_asymmetry,
                b.trust_social_influence,
                b.trust_reference_drift,
                b.crowding_out,
                feedback.SATISFACTION,
                feedback.EXPECTED_MET,
                feedback.REVERSION,
            ),
        )
        self.production = production.production_params(self, self.need_multiplier)

    def decision_noise(self, error_rate: float) -> float:
        """Estimate noise that errs at ``error_rate`` on this population's claims (once each).

        coprod's own calibration (``decisions.noise_for``), run once per rate, off the step.
        """
        cache = self.__dict__.setdefault("_decision_noise", {})
        if error_rate not in cache:
            cache[error_rate] = decisions.noise_for(error_rate, self.arrays.citizens.need)
        return cache[error_rate]

    def step(self) -> None:
        """One month, phase by phase, each phase a loop of agent methods."""
        agents, d = self.agents_by_type, self.n_domains
        budget, need, self.platform_up, scandals = month_effects(self.events, self.steps)
        self.budget_multiplier, self.need_multiplier = budget, need
        for factor in scandals:
            for citizen in self.citizens:
                citizen.trust *= factor
        self._parameters()
        for hood in self.hoods:
            hood.effort, hood.sponsored, hood.outreach = [0.0] * d, [0.0] * d, [0.0] * d
        self.call_open = (self.steps - 1) % 12 < self.scenario.administration.call_months
        agents[Citizen].shuffle_do("step")
        agents[Citizen].do("advance")
        self.need_multiplier_met = self.need_multiplier
        for a in self.administrations:
            a.data_reuse = [0] * d
            if self.businesses:
                a.survey_trust()
        for kind in (Business, CommunityOrganisation):
            if kind in agents:
                agents[kind].shuffle_do("step")
        administrations = agents[Administration]
        administrations.shuffle_do("reach_out")
        self.handled_in_time = 0
        administrations.shuffle_do("process_inputs")
        administrations.shuffle_do("allocate")
        for hood in self.hoods:
            hood.produce()
        self.useful_output = 0.0
        for method in ("receive_services", "hear", "learn"):
            agents[Citizen].do(method)
        self._collect()

    def _collect(self) -> None:
        """Gather the agents' values into coprod's arrays and measure them as coprod does.

        Collection, not the agents' step: coprod's own measure functions on the same values.
        """
        w = self.arrays
        for kind, agents, names in (
            (w.citizens, self.citizens, _CITIZEN_MEASURED),
            (w.administrations, self.administrations, _ADMINISTRATION_MEASURED),
            (w.businesses, self.businesses, ("engaged", "lobbied")),
            (w.hoods, self.hoods, ("resources",)),
        ):
            for name in names:
                getattr(kind, name)[:] = [getattr(agent, name) for agent in agents]
        w.businesses.detected[:] = False  # the lobbying caught is not in ``lobbied``
        w.steps = self.steps
        gross = sum(lv * h.population for h in self.hoods for lv in h.level)
        record = StepRecord(
            hours=np.array([c.hours for c in self.citizens]),
            gross_output=np.array([gross]),
            useful_output=np.array([self.useful_output]),
            handled_in_time=np.array([float(self.handled_in_time)]),
        )
        self.measures = collect_measures(w, record)
        self.datacollector.collect(self)

    @property
    def model_vars(self) -> pd.DataFrame:
        """Measures so far, one row per step (index ``step``, starting at 1), like coprod's."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="step")
        return frame


#: The agents' attributes gathered into coprod's arrays once a month for the measures.
_CITIZEN_MEASURED = (
    "coproduced",
    "cocreated",
    "met",
    "contributions",
    "reports",
    "adopted",
    "trust",
    "efficacy",
    "motivation",
    "last_proposal",
)
_ADMINISTRATION_MEASURED = (
    "spending",
    "overhead",
    "errors",
    "decisions",
    "backlog",
    "handled",
    "expired",
)


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
