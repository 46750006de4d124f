"""Businesses: partners that may sponsor or deliver services, reuse open data, and capture.

Engagement brings resources and, through partnership, influence over allocation in the
partner's favour; transparency of processes limits that capture (Nieuwenhuizen & Meijer 2021 on
integrity as a value of proper governance; Wimmer & Scherer 2018 on businesses taking over public
responsibility on the SocialGov platform).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coprod.agents._view import ArrayAgent, row_view


@dataclass
class BusinessState:
    """All businesses' state as arrays."""

    municipality: np.ndarray  # int32
    hood: np.ndarray  # int32, where it operates
    domain: np.ndarray  # int16, the service domain it is close to
    csr: np.ndarray  # corporate social responsibility orientation, [0, 1]
    engaged: np.ndarray  # bool, engaged this step
    months_engaged: np.ndarray  # int32, cumulative months of engagement
    lobbied: np.ndarray  # bool, lobbied for allocation in its favour this step
    detected: np.ndarray  # bool, its lobbying was detected this step
    barred: np.ndarray  # int32, months left in which it may not engage after detection

    def __len__(self) -> int:
        return len(self.csr)


@row_view("municipality hood domain csr engaged months_engaged lobbied detected barred")
class Business(ArrayAgent):
    """One business, a view onto its row of :class:`BusinessState`.

    Attributes:
        municipality: Municipality index.
        hood: Neighbourhood where it operates.
        domain: Service domain it is close to.
        csr: Social responsibility orientation, 0..1.
        engaged: Engaged this step.
        months_engaged: Cumulative months engaged.
        lobbied: Lobbied for allocation in its favour this step.
        detected: Its lobbying was detected this step.
        barred: Months left barred from engagement after detected lobbying.
    """
