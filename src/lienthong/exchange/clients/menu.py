"""Links on the exchange home page (/lien-thong/) that other exchange apps add.

# in an AppConfig.ready() of the delivery app:
from lienthong.exchange.clients.menu import register_link
register_link(_("Thư chết (sự kiện không chuyển được)"), "/lien-thong/thu-chet/")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    title: Any
    url: str
    visible: Callable[[Any], bool] | None = None


_links: list[Link] = []


def register_link(title: Any, url: str, visible: Callable[[Any], bool] | None = None) -> None:
    """Show a link on the exchange home page (to the officials `visible(user)` allows)."""
    if all(link.url != url for link in _links):
        _links.append(Link(title, url, visible))


def links_for(user: Any) -> list[Link]:
    """The registered links this user may see."""
    return [link for link in _links if link.visible is None or link.visible(user)]
