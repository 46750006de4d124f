"""Citizens: the people who may co-produce and co-create public services.

State follows the civic voluntarism model of participation (resources, engagement, recruitment;
Verba, Schlozman & Brady 1995, as used in the co-production literature cited by Nieuwenhuizen &
Meijer 2021): socio-economic status, digital literacy, spare time, intrinsic motivation, trust
and political efficacy, needs per service domain, platform adoption and contributions; latent
activity (heavy-tailed) and engagement, which first use and dropout change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from coprod.agents._view import ArrayAgent, row_view

#: Month recorded for an event that has not happened (far before any run's first month).
NEVER = -1_000_000


@dataclass
class CitizenState:
    """All citizens' state as arrays, one row per citizen (struct of arrays)."""

    hood: np.ndarray  # int32, global neighbourhood index
    municipality: np.ndarray  # int32
    ses: np.ndarray  # socio-economic status in [0, 1]
    quintile: np.ndarray  # int8, socio-economic quintile 1 (bottom) .. 5 (top), as q1..q5
    age: np.ndarray  # years
    literacy: np.ndarray  # digital literacy in [0, 1]
    spare_time: np.ndarray  # share of free time available, [0, 1]
    motivation: np.ndarray  # intrinsic civic motivation, [0, 1]
    motivation0: np.ndarray  # initial motivation, the level it reverts to
    trust: np.ndarray  # trust in the administration, [0, 1]
    trust0: np.ndarray
    efficacy: np.ndarray  # political (external) efficacy, [0, 1]
    efficacy0: np.ndarray
    need: np.ndarray  # (citizens, domains) need intensity, [0, 1]
    met: np.ndarray  # share of needs met last step, [0, 1]
    adopted: np.ndarray  # bool, uses the digital channel
    member: np.ndarray  # int32, community organisation index or -1
    contributions: np.ndarray  # cumulative contributions (acts weighted by effort)
    coproduced: np.ndarray  # bool, co-produced this step
    cocreated: np.ndarray  # bool, co-created this step
    activity: np.ndarray  # latent activity, log-normal with median 1 (fixed)
    engaged: np.ndarray  # bool, has acted and not dropped out since: no first-use barrier
    acts: np.ndarray  # int32, all acts so far (reports, deliveries, proposals), unweighted
    reports: np.ndarray  # int32, reports so far
    deliveries: np.ndarray  # int32, months of delivery so far
    proposals: np.ndarray  # int32, proposals so far
    cases: np.ndarray  # int32, cases decided on so far: the administration's file on them
    # the level trust reverts to; starts at trust0 and drifts towards experienced trust
    trust_ref: np.ndarray | None = field(default=None)
    # month of the latest proposal, NEVER for a citizen who has made none
    last_proposal: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        if self.trust_ref is None:
            self.trust_ref = self.trust0.copy()
        if self.last_proposal is None:
            self.last_proposal = np.full(len(self.ses), NEVER, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.ses)

    @property
    def participated(self) -> np.ndarray:
        """Co-produced or co-created this step."""
        return self.coproduced | self.cocreated

    def frame(self, domains: list[str]) -> pd.DataFrame:
        """All citizens as a DataFrame, one row each, needs spread over one column per domain."""
        data = {}
        for f in fields(self):
            values = getattr(self, f.name)
            if values.ndim == 2:
                for j, domain in enumerate(domains):
                    data[f"{f.name}_{domain}"] = values[:, j]
            else:
                data[f.name] = values
        return pd.DataFrame(data)


@row_view(
    "hood municipality ses quintile age literacy spare_time motivation trust trust_ref efficacy "
    "need met adopted member contributions coproduced cocreated cases activity engaged acts"
)
class Citizen(ArrayAgent):
    """One citizen, a view onto its row of :class:`CitizenState`.

    Attributes:
        hood: Neighbourhood index.
        municipality: Municipality index.
        ses: Socio-economic status, 0..1.
        quintile: Socio-economic quintile, 1 bottom .. 5 top (the q1..q5 of the measures).
        age: Age in years.
        literacy: Digital literacy, 0..1.
        spare_time: Share of free time, 0..1.
        motivation: Intrinsic civic motivation, 0..1.
        trust: Trust in the administration, 0..1.
        trust_ref: Level trust reverts to, 0..1 (drifts towards experienced trust).
        efficacy: Political efficacy, 0..1.
        need: Need per service domain, 0..1.
        met: Share of needs met last step.
        adopted: Uses the digital channel.
        member: Community organisation index, -1 if none.
        contributions: Cumulative contributions.
        coproduced: Co-produced this step.
        cocreated: Co-created this step.
        cases: Cases decided on so far (the administration's file).
        activity: Latent activity, median 1.
        engaged: Has acted and not dropped out since.
        acts: Acts so far.
    """
