"""Access rules of the leaders' dashboard (bảng điều hành, /bang-dieu-hanh/).

Leaders (Role LEADER) open it for their agencies and those below, so a leader of agency B
gets it too (for B's figures only: the app's own tests check which numbers each one sees);
IT administrators and superusers see the province; anyone else is refused.
"""

from __future__ import annotations

from lienthong.accounts.models import Role
from tests.security.vocabulary import Rule, Who, api, page

LEADER = Role.LEADER

RULES: list[Rule] = [
    page("dashboard:page", Who.ROLE_ANY, role=LEADER),
    page("dashboard:pdf", Who.ROLE_ANY, role=LEADER),
    api("GET /api/dashboard/summary", Who.ROLE_ANY, role=LEADER),
]
