"""Agent kinds: citizens, businesses, community organisations, administrations."""

from coprod.agents.administration import Administration
from coprod.agents.business import Business
from coprod.agents.citizen import Citizen
from coprod.agents.community_organisation import CommunityOrganisation

__all__ = ["Administration", "Business", "Citizen", "CommunityOrganisation"]
