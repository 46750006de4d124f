"""Community organisations (third sector): intermediaries between citizens and administration.

They lower the cost of taking part for their members, above all for members with low digital
literacy (assisted access), mobilise members, and bundle their proposals; administrations can
fund them through inclusion outreach (Evers & Ewert 2021 on the third sector in co-productive
innovations; Clark, Brudney & Jang 2013 on correcting distributional bias).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coprod.agents._view import ArrayAgent, row_view


@dataclass
class CommunityOrganisationState:
    """All community organisations' state as arrays."""

    municipality: np.ndarray  # int32
    hood: np.ndarray  # int32, neighbourhood it is rooted in
    activity: np.ndarray  # mobilising activity in [0, 1], raised by outreach funding
    members: np.ndarray  # int32, current member count

    def __len__(self) -> int:
        return len(self.activity)


@row_view("municipality hood activity members")
class CommunityOrganisation(ArrayAgent):
    """One community organisation, a view onto its row of its state arrays.

    Attributes:
        municipality: Municipality index.
        hood: Neighbourhood it is rooted in.
        activity: Mobilising activity, 0..1.
        members: Member count.
    """
