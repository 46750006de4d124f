"""coprod's rules stepped agent by agent, the plain Mesa way: the benchmarks' baseline.

Not part of coprod: what its benchmarks compare it with. Citizens, businesses, organisations and
administrations are Mesa agents with Python attributes, stepped by ``shuffle_do``, applying
coprod's own rules (``rule.*``: each compiled rule's ``py_func``) to Python numbers and lists;
citizens read their neighbours one by one, decide on their last month, then commit. The agents
start as the rows of a never-stepped ``CoProductionModel`` of the same scenario and seed, whose
arrays take their values monthly for coprod's ``collect_measures``. Draws use Python's
``random``: runs agree with coprod in distribution (``tests/test_baseline.py``). Not built:
innovation (``governance.innovation`` must be ``"none"``) and the measures by municipality.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np
import pandas as pd

import coprod.model.production as production
from coprod.model import allocation, decisions, feedback, inputs, participation, partners
from coprod.model.core import CoProductionModel
from coprod.model.events import month_effects
from coprod.model.measures import MEASURES, collect_measures
from coprod.model.scenario import Scenario, ScenarioError
from coprod.model.step_record import StepRecord

_MODULES = (allocation, decisions, feedback, inputs, participation, partners, production)
#: coprod's compiled rules as plain Python functions, by name (``rule.utility``, ...)
_RULES = {k: v.py_func for m in _MODULES for k, v in vars(m).items() if hasattr(v, "py_func")}
rule = SimpleNamespace(**_RULES)


class _Agent(mesa.Agent):
    """A Mesa agent whose attributes start as a row of coprod's initial world."""

    def __init__(self, model: BaselineModel, **row) -> None:
        super().__init__(model)
        self.__dict__.update(row)


class Citizen(_Agent):
    """A citizen: ``step`` decides on the neighbours' last month, ``advance`` commits."""

    participated = next_coproduced = next_cocreated = next_adopted = False
    acted = accepted = rejected = ignored = wronged = corrected_late = False  # once a month
    hours = next_hours = heard = 0.0

    def step(self) -> None:
        """Decide this month's acts, then draw adoption."""
        m, p, rules, rnd = self.model, self.model.p, self.administration.rules, self.random.random
        neighbours, hood, level = self.neighbours, self.hood, self.hood.level
        mult = m.need_multiplier_met  # the multiplier under which needs were last met
        k, cost = len(neighbours), self.channel_cost()
        reachable = cost < math.inf
        peers = sum(1 for other in neighbours if other.participated) / k if k else 0.0
        here = rules.invitation + rules.incentive_utility
        if self.organisation is not None:
            here += participation.MOBILISATION * self.organisation.activity
        traits = (self.motivation, self.efficacy, self.trust, self.met, peers, self.participated)
        effective = rule.effective_cost(cost, self.spare_time)
        utility = rule.utility(p.weights, *traits, effective, here, self.engaged)
        reports = 0  # incidents from last month's unmet need, each reported with a probability
        if reachable:
            unmet_need = (1.0 - self.met) * sum(self.need) * mult
            rate = participation.INCIDENT_RATE * self.activity * unmet_need
            lam = rate * rule.sigmoid(utility + participation.REPORT_OFFSET)
            reports = rule.poisson_count(rnd(), lam, math.exp(-lam))
        log_activity = math.log(self.activity)
        deliver = utility + participation.DELIVER_OFFSET + self.spare_time - 0.5 + log_activity
        delivers = reachable and rules.delivery and rnd() < rule.sigmoid(deliver)
        propose = utility + participation.COCREATE_OFFSET + self.efficacy - 0.5 + log_activity
        proposes = reachable and rules.cocreation and m.call_open and rnd() < rule.sigmoid(propose)
        if reports:
            gaps = [max(x * mult - level[j], 0.0) for j, x in enumerate(self.need)]
            for _ in range(reports):  # each report about a cell drawn by its unmet need
                pick, domain, cum = rnd() * sum(gaps), 0, gaps[0]
                while cum <= pick and domain < len(gaps) - 1:
                    domain += 1
                    cum += gaps[domain]
                self.administration.queue.append((m.steps, 0, domain, self))
        gaps = [x * m.need_multiplier - level[j] for j, x in enumerate(self.need)]
        domain = gaps.index(max(gaps))  # the domain furthest from its need
        if proposes:
            self.administration.queue.append((m.steps, 1, domain, self))
            self.last_proposal = m.steps
        effort = 0.5 + self.spare_time if delivers else 0.0
        hood.effort[domain] += effort
        self.contributions += rule.contribution(p.acts, reports, effort, proposes)
        self.acts += reports + delivers + proposes
        self.reports, self.deliveries = self.reports + reports, self.deliveries + delivers
        self.proposals += proposes
        self.engaged = self.engaged or bool(reports or delivers or proposes)
        self.next_hours = rule.hours_given(p.acts, reports, effort, proposes)
        self.next_coproduced, self.next_cocreated = reports > 0 or delivers, proposes
        if rules.platform and m.platform_up and not self.adopted:  # adoption (Bass)
            share = sum(1 for other in neighbours if other.adopted) / k if k else 0.0
            readiness = (self.literacy, rules.personalisation, rules.open_services)
            self.next_adopted = rnd() < rule.adoption_hazard(p.diffusion, share, *readiness)

    def channel_cost(self) -> float:
        """Cost of the cheapest channel open to this citizen; infinite where none is open."""
        rules, organisation = self.administration.rules, self.organisation
        offline, platform = rules.offline_channel, rules.platform and self.model.platform_up
        access = (self.adopted, rules.personalisation, self.literacy, organisation is not None)
        activity = organisation.activity if organisation is not None else 0.0
        return rule.cheapest_channel(self.model.p.channels, offline, platform, *access, activity)

    def advance(self) -> None:
        """Make this month's acts and adoption visible to the neighbours."""
        self.coproduced, self.cocreated = self.next_coproduced, self.next_cocreated
        self.participated = self.coproduced or self.cocreated
        self.adopted, self.hours = self.adopted or self.next_adopted, self.next_hours

    def receive_services(self) -> None:
        """Needs met by the neighbourhood's services; the neighbours' trust, before any learns."""
        self.met, met = rule.needs_met(self.need, self.hood.level, self.model.production)
        self.model.useful_output += met
        if self.neighbours:
            self.heard = sum(other.trust for other in self.neighbours) / len(self.neighbours)

    def learn(self) -> None:
        """This month's experiences, neighbours and rewards move trust, efficacy, motivation."""
        p, rules, b = self.model.p, self.administration.rules, self.model.behaviour
        traits = {"trust": self.trust, "efficacy": self.efficacy}
        for name, moved, up, k in self.administration.experiences:
            for trait in moved if getattr(self, name) else ():
                traits[trait] = rule.experienced(traits[trait], float(getattr(self, name)), k, up)
        heard = (self.heard, bool(self.neighbours))
        trust = rule.trust_after(p.learning, traits["trust"], self.trust_ref, self.met, *heard)
        efficacy = traits["efficacy"]
        efficacy += b.learning_rate * feedback.REVERSION * (self.efficacy0 - efficacy)
        rewards = (self.participated and rules.recognition, self.participated and rules.monetary)
        motivation = rule.motivation_after(p.learning, self.motivation, self.motivation0, *rewards)
        self.trust, self.efficacy = rule.clip01(trust), rule.clip01(efficacy)
        self.motivation = rule.clip01(motivation)
        self.trust_ref += b.trust_reference_drift * (self.trust - self.trust_ref)
        if self.engaged:  # dropout: falls with acts made, rises after a bad experience
            bad = self.ignored or self.wronged or self.rejected
            if self.random.random() < rule.quit_hazard(p.dropout, bad, self.acts):
                self.engaged = False
        self.acted = self.accepted = self.rejected = False
        self.ignored = self.wronged = self.corrected_late = False


class Business(_Agent):
    """A business that may engage, lobby, sponsor its service and reuse open data."""

    def step(self) -> None:
        """Engage; lobby when the gain (exponential, mean 1) less the sanction beats scruples."""
        a, rnd, p = self.administration, self.random.random, partners.partner_params()
        up = self.model.platform_up
        open_data, open_services = a.rules.open_data and up, a.rules.open_services and up
        openness = (a.rules.business_openness, self.csr, open_data, open_services, a.mean_trust)
        keen = rule.engagement_propensity(*openness)
        self.barred = max(self.barred - 1, 0)
        self.engaged = rule.stays_engaged(self.engaged, rnd(), keen, self.barred, p.disengage)
        self.lobbied = self.detected = False
        if self.engaged and rule.lobbies(-math.log(1.0 - rnd()), a.detection, self.csr, p):
            self.lobbied, self.detected = True, rnd() < a.detection
            if self.detected:
                self.engaged, self.barred = False, p.exclusion
            else:
                a.lobbyists.append(self)
        if self.engaged:
            sponsor = rule.sponsorship(a.budget, max(len(a.businesses), 1), open_services, p)
            self.hood.sponsored[self.domain] += sponsor
            a.data_reuse[self.domain] += bool(open_data)


class CommunityOrganisation(_Agent):
    """A community organisation whose activity rises with outreach funding."""

    def step(self) -> None:
        """Set this month's mobilising activity."""
        outreach, base = self.administration.rules.inclusion_outreach, partners.BASE_ACTIVITY
        self.activity = rule.organisation_activity(outreach, base, partners.OUTREACH_ACTIVITY)


class Administration(_Agent):
    """One municipality's administration: outreach, the input queue, allocation."""

    def __init__(self, model: BaselineModel, **row) -> None:
        super().__init__(model, **row)
        self.hoods, self.residents, self.businesses, self.lobbyists = [], [], [], []
        self.mean_trust, self.detection, self.staff_employed = 0.0, partners.DETECT_BASE, 0.0
        self.data_reuse, self.data_services = [0] * model.n_domains, [0.0] * model.n_domains
        self.queue: list[tuple[int, int, int, Citizen]] = []  # (since, kind, domain, owner)

    def survey_trust(self) -> None:
        """Residents' mean trust, which businesses weigh, and the chance lobbying is detected."""
        population = max(self.population, 1)
        self.mean_trust = sum(c.trust for c in self.residents) / population
        watching = sum(c.cocreated for c in self.residents) / population  # co-creators watch
        self.lobbyists, self.data_reuse = [], [0] * self.model.n_domains
        detect = (partners.DETECT_BASE, partners.DETECT_OPEN, partners.DETECT_WATCH)
        self.detection = rule.detection_probability(self.rules.open_processes, watching, *detect)

    def reach_out(self) -> None:
        """Outreach reaches low participants, makes their needs visible and recruits them."""
        if self.rules.inclusion_outreach <= 0.0:
            return
        rnd = self.random.random
        reach = rule.outreach_reach(self.rules.inclusion_outreach, partners.OUTREACH_REACH)
        for c in self.residents:
            if c.contributions >= partners.LOW_PARTICIPATION or rnd() >= reach:
                continue
            c.hood.outreach = [x + need for x, need in zip(c.hood.outreach, c.need, strict=True)]
            if c.organisation is None and c.hood.organisation is not None:
                if rnd() < partners.OUTREACH_RECRUIT:
                    c.organisation = c.hood.organisation

    def process_inputs(self) -> None:
        """Plan staff, handle the inputs in order up to capacity, decide, expire the too old."""
        m, rules, rnd, step = self.model, self.rules, self.random.random, self.model.steps
        settings, sp = m.scenario.administration, inputs.staff_params()
        names = "BUNDLING_BONUS REPORT_VISIBILITY QUALITY_GAIN QUALITY_MAX QUALITY_DEPRECIATION"
        settle = inputs.SettleParams(*(getattr(inputs, name) for name in names.split()))
        role = (rules.speed, rules.automated, rules.human_review, sp)
        time = [(since == step, rule.staff_time(kind, *role)) for since, kind, _, _ in self.queue]
        month, share = (step - 1) % 12, 1.0 - rules.inclusion_outreach
        ceiling = rules.capacity * settings.staff_per_capita * self.population
        if month == 0 and step > 1:  # the annual plan, from the workload and the backlog
            backlog = sum(t for new, t in time if not new)
            self.staff = rule.planned_staff(sum(self.workload) / 12, backlog, share, ceiling, sp)
        self.workload[month] = sum(t for new, t in time if new)
        self.staff_employed = rule.staff_employed(ceiling, self.staff, m.budget_multiplier, 0.0)
        capacity = self.staff_employed * share + rnd()
        # urgent inputs first, then routine ones; within each, oldest first with triage
        routine = [c.need[domain] <= inputs.URGENT_NEED for _, _, domain, c in self.queue]
        triage = [rule.triage_priority(since, rnd(), inputs.TRIAGE) for since, *_ in self.queue]
        order = sorted(range(len(self.queue)), key=lambda i: (routine[i], triage[i]))
        handled, waiting, spent = [], [], 0.0
        for item in (self.queue[i] for i in order):
            spent += rule.staff_time(item[1], *role)
            (handled if not waiting and spent <= capacity else waiting).append(item)
        for hood in self.hoods:
            hood.quality = [rule.depreciated_quality(q, settle) for q in hood.quality]
            hood.reported = [0.0] * len(hood.quality)
        errors, k = 0, m.decision_rules
        for since, kind, domain, c in handled:
            m.handled_in_time += step - since <= settings.target_delay
            merit = c.need[domain]  # the case's merit is the need it concerns
            points = rule.data_points(k, c.adopted and rules.platform_traces, c.cases)
            case = (merit, m.need_prior[domain], points, c.ses, self.sd_human)
            estimate = rule.estimate(k, rules.automated, *case, self.random.gauss(0.0, 1.0))
            reviewed = rules.automated and rnd() < rules.human_review
            who = (c.efficacy, c.literacy, rules.appeals)
            wrong, appealed, unlawful = rule.judgement(k, merit, estimate, reviewed, rnd(), *who)
            if appealed:  # a human reconsideration, planned for as a review is
                self.workload[month] += rule.input_staff_time(kind, sp) * inputs.REVIEW_COST
            errors += unlawful
            if wrong and not reviewed and not appealed:
                c.wronged, errors = True, errors + 1
            elif kind == 1:
                member = 0 if c.organisation is not None else -1
                if rnd() < rule.acceptance_probability(rules.acceptance, member, settle):
                    c.accepted, q = True, c.hood.quality
                    q[domain] = rule.implemented_quality(q[domain], c.hood.population, settle)
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
        self.queue = [item for item in waiting if step - item[0] < settings.expiry]
        for _, _, _, c in (item for item in waiting if step - item[0] >= settings.expiry):
            c.ignored = True
        self.handled = self.decisions = float(len(handled))
        self.expired = len(waiting) - len(self.queue)
        self.errors, self.backlog = errors, len(self.queue)

    def allocate(self) -> None:
        """Spend overhead and allocate front-line resources over neighbourhoods and domains."""
        m, rules, rnd, d = self.model, self.rules, self.random.random, self.model.n_domains
        p = allocation.cost_params(m.budget_multiplier)._replace(need_multiplier=m.need_multiplier)
        self.budget = rule.budget_of(rules.budget, self.population, p)
        paid = sum(1 for c in self.residents if c.participated) if rules.incentive_cost else 0
        decided, fixed = self.handled if rules.automated else 0.0, rules.assessment_cost
        costs = (decided, fixed + rules.platform_cost, rules.incentive_cost * paid, p)
        self.overhead = rule.overhead_cost(self.budget, self.staff_employed, *costs)
        traced = m.platform_up and rules.platform_traces  # seen: reports, traces, outreach
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
                hood.data[j] = rule.visible_need(hood.data[j], visible, allocation.DATA_MEMORY)
        cells = [(hood, j) for hood in self.hoods for j in range(d)]
        gauss, noise = self.random.gauss, allocation.ASSESSMENT_NOISE
        assessed = [h.true_need[j] * math.exp(noise * gauss(0.0, 1.0)) for h, j in cells]
        data = [hood.data[j] for hood, j in cells]
        totals = (sum(data), sum(assessed), len(cells))
        pairs = zip(assessed, (rule.scaled_record(x, *totals) for x in data), strict=True)
        weight = [rule.need_weight(a, x, rules.data_weight) for a, x in pairs]
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
                if rule.unlawful(share, due, allocation.ALLOCATION_TOLERANCE):
                    if reviewed or appealed:
                        weight[i] = due * total
                    else:
                        self.errors += 1
        frontline, lobbying = self.budget - self.overhead, self.lobbyists
        ceiling, per_muni = partners.CAPTURE_MAX, max(len(self.businesses), 1)
        per_partner = partners.CAPTURE_PER_PARTNER
        captured_share = rule.captured_share(len(lobbying), per_muni, per_partner, ceiling)
        total = sum(weight)
        shares = [w / total for w in weight]
        captured, to_partners = captured_share * frontline, shares
        if captured > 0:
            pulls = [float(sum(b.hood is h and b.domain == j for b in lobbying)) for h, j in cells]
            if (pulled := sum(pulls)) > 0:
                to_partners = [pull / pulled for pull in pulls]
        else:
            captured = 0.0
        for (hood, j), share, to in zip(cells, shares, to_partners, strict=True):
            cut = (frontline, captured_share, captured, to, hood.sponsored[j])
            hood.resources[j] = rule.cell_resources(share, *cut)
        self.spending, self.decisions = self.overhead + frontline, self.decisions + len(cells)
        gain = (per_muni, d, rules.transformative, partners.partner_params())
        self.data_services = [rule.data_service_gain(n, *gain) for n in self.data_reuse]

    def produce(self) -> None:
        """Service level per cell of its neighbourhoods: coprod's co-production rules."""
        p, delivers = self.model.production, self.rules.delivery
        for hood in self.hoods:
            pop = float(max(hood.population, 1))
            for j, quality in enumerate(hood.quality):
                r, c = rule.relative_inputs(hood.resources[j], hood.effort[j], pop, delivers, p)
                level = rule.coproduction(r, c, p)
                hood.level[j] = rule.service_level(quality, self.data_services[j], level, p)


class BaselineModel(mesa.Model):
    """coprod's rules stepped agent by agent for ``scenario`` (or its name or path), ``seed``."""

    def __init__(self, scenario: Scenario | str | Path, seed: int = 0) -> None:
        scenario = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
        if scenario.governance.innovation != "none":
            raise ScenarioError("the baseline implements governance.innovation = 'none' only")
        super().__init__(seed=int(seed))
        self.scenario, self.behaviour = scenario, scenario.behaviour
        self.n_domains, self.events = len(scenario.services.domains), list(scenario.events)
        self.need_multiplier, self.need_multiplier_met, self.platform_up = 1.0, 1.0, True
        # coprod's model of this scenario and seed, never stepped: its rows become the agents
        self.arrays = CoProductionModel(scenario, seed=seed)
        self._build(self.arrays)
        self._parameters()
        reporters = {name: (lambda m, n=name: m.measures[n]) for name in MEASURES}
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def _build(self, w: CoProductionModel) -> None:
        """Wrap the rows of coprod's initial world as agents, with Python attributes."""
        names = [k for k, v in vars(w.local).items() if isinstance(v, np.ndarray)]
        self.administrations = [Administration(self, **row) for row in _rows(w.administrations)]
        noise = functools.cache(lambda rate: decisions.noise_for(rate, w.citizens.need))
        for i, a in enumerate(self.administrations):  # the rules of its municipality
            a.rules = SimpleNamespace(**{k: getattr(w.local, k)[i].item() for k in names})
            a.sd_human = noise(a.rules.human_error)
        self.need_prior = w.citizens.need.mean(axis=0).tolist()  # the algorithm's prior
        algorithm_noise = noise(self.scenario.administration.algorithm_error)
        self.decision_rules = decisions.decision_rules(self, algorithm_noise)
        self.hoods = [SimpleNamespace(**row) for row in _rows(w.hoods)]
        self.organisations = [CommunityOrganisation(self, **r) for r in _rows(w.organisations)]
        self.businesses = [Business(self, **row) for row in _rows(w.businesses)]
        self.citizens = [Citizen(self, **row) for row in _rows(w.citizens)]
        for hood in self.hoods:
            hood.administration = self.administrations[hood.municipality]
            hood.administration.hoods.append(hood)
            hood.organisation, hood.residents = None, []
        for agent in (*self.organisations, *self.businesses, *self.citizens):
            agent.hood = self.hoods[agent.hood]
            agent.administration = agent.hood.administration
        for organisation in self.organisations:
            organisation.hood.organisation = organisation
        for business in self.businesses:
            business.administration.businesses.append(business)
        indptr, indices = w.adjacency.indptr.tolist(), w.adjacency.indices.tolist()
        for i, c in enumerate(self.citizens):
            c.organisation = self.organisations[c.member] if c.member >= 0 else None
            c.neighbours = [self.citizens[j] for j in indices[indptr[i] : indptr[i + 1]]]
            c.hood.residents.append(c)
            c.administration.residents.append(c)

    def _parameters(self) -> None:
        """The rules' parameters this month, from the scenario and coprod's modules now."""
        b, pa, fb = self.behaviour, participation, feedback
        rates = (b.learning_rate, b.trust_asymmetry, b.trust_social_influence)
        rates += (b.trust_reference_drift, b.crowding_out)
        learning = fb.Learning(*rates, fb.SATISFACTION, fb.EXPECTED_MET, fb.REVERSION)
        self.p = SimpleNamespace(learning=learning, channels=pa.channel_costs())
        self.p.weights, self.p.acts = pa.utility_weights(b), pa.act_weights()
        self.p.dropout = pa.Dropout(pa.QUIT_HAZARD, pa.BAD_EXPERIENCE_QUIT, pa.MOMENTUM)
        self.p.diffusion = pa.Diffusion(b.adoption_innovation, b.adoption_imitation)
        self.production = production.production_params(self, self.need_multiplier)
        for a in self.administrations:  # open processes make the results visible
            visible = 1.0 + fb.VISIBILITY * a.rules.open_processes
            a.experiences = fb.experiences(b.learning_rate, b.trust_asymmetry, visible)

    def step(self) -> None:
        """One month, phase by phase, each phase a loop of agent methods."""
        agents, d = self.agents_by_type, self.n_domains
        effects = month_effects(self.events, self.steps)
        self.budget_multiplier, self.need_multiplier, self.platform_up, scandals = effects
        for factor in scandals:
            for citizen in self.citizens:
                citizen.trust *= factor
        self._parameters()
        for hood in self.hoods:
            hood.effort, hood.sponsored, hood.outreach = [0.0] * d, [0.0] * d, [0.0] * d
        self.call_open = (self.steps - 1) % 12 < self.scenario.administration.call_months
        agents[Citizen].shuffle_do("step")
        agents[Citizen].do("advance")
        self.need_multiplier_met, self.handled_in_time = self.need_multiplier, 0
        if self.businesses:
            agents[Administration].do("survey_trust")
        for kind in (Business, CommunityOrganisation):
            if kind in agents:
                agents[kind].shuffle_do("step")
        for method in ("reach_out", "process_inputs", "allocate"):
            agents[Administration].shuffle_do(method)
        agents[Administration].do("produce")
        self.useful_output = 0.0
        agents[Citizen].do("receive_services")
        agents[Citizen].do("learn")
        self._collect()

    def _collect(self) -> None:
        """Gather the agents' values into coprod's arrays; measure them with coprod's functions."""
        w = self.arrays
        for kind, agents, names in (
            (w.citizens, self.citizens, _CITIZEN_MEASURED),
            (w.administrations, self.administrations, _ADMINISTRATION_MEASURED),
            (w.businesses, self.businesses, "engaged lobbied detected"),
            (w.hoods, self.hoods, "resources"),
        ):
            for name in names.split():
                getattr(kind, name)[:] = [getattr(agent, name) for agent in agents]
        w.steps = self.steps
        gross = sum(sum(h.level) * h.population for h in self.hoods)
        flows = (gross, self.useful_output, float(self.handled_in_time))  # as one municipality's
        r = StepRecord(hours=np.array([c.hours for c in self.citizens]))
        r.gross_output, r.useful_output, r.handled_in_time = map(np.atleast_1d, flows)
        self.measures = collect_measures(w, r)
        self.datacollector.collect(self)

    @property
    def model_vars(self) -> pd.DataFrame:
        """Measures so far, one row per step (index ``step``, starting at 1), like coprod's."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="step")
        return frame


#: The agents' attributes gathered into coprod's arrays once a month for the measures.
_CITIZEN_MEASURED = "coproduced cocreated met contributions reports adopted trust efficacy"
_CITIZEN_MEASURED += " motivation last_proposal"
_ADMINISTRATION_MEASURED = "spending overhead errors decisions backlog handled expired"


def _rows(state) -> list[dict]:
    """The rows of one of coprod's states (a dataclass of arrays), as dicts of Python values."""
    columns = {name: values.tolist() for name, values in vars(state).items()}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def run_baseline(scenario: Scenario | str | Path, steps: int, seed: int = 0) -> pd.DataFrame:
    """Run the baseline for ``steps`` months; its measures, one row per step."""
    model = BaselineModel(scenario, seed=seed)
    for _ in range(steps):
        model.step()
    return model.model_vars
