"""A fake provincial LGSP gateway: a real HTTP server with an OAuth2 client-credentials token
endpoint (HTTP Basic client id and secret) and paged shared code lists behind bearer tokens.

    units = [{"ma": "25747", "ten": "Phường Thủ Dầu Một"}]
    with FakeLgsp(lists={"/dmdc/donvihanhchinh": units}) as fake:
        ...fake.token_url, fake.url...
        fake.revoke_all()      # every issued token now answers 401
"""

from __future__ import annotations

import base64
import secrets
import time
import urllib.parse
from typing import Any

from tests.fakes.server import FakeServer


class FakeLgsp(FakeServer):
    """Token endpoint at /oauth2/token, lists at the paths given, `page_size` items a page."""

    def __init__(
        self,
        *,
        client_id: str = "lienthong",
        client_secret: str = "bi-mat",
        lists: dict[str, list[dict[str, Any]]] | None = None,
        page_size: int = 2,
        expires_in: int = 3600,
        port: int = 0,
    ) -> None:
        super().__init__(port)
        self.client_id = client_id
        self.client_secret = client_secret
        self.lists = lists or {}
        self.page_size = page_size
        self.expires_in = expires_in
        self.tokens: dict[str, float] = {}
        self.token_requests = 0
        self.list_requests: list[tuple[str, int]] = []
        self.unauthorised = 0

    @property
    def token_url(self) -> str:
        return self.url + "/oauth2/token"

    def revoke_all(self) -> None:
        with self.lock:
            self.tokens.clear()

    def _token(self, headers: Any, body: bytes) -> tuple[int, Any, dict[str, str]]:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = urllib.parse.parse_qs(body.decode("ascii", "replace"))
        with self.lock:
            self.token_requests += 1
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, {"error": "invalid_client"}, {}
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {"error": "unsupported_grant_type"}, {}
        value = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[value] = time.monotonic() + self.expires_in
        answer = {"access_token": value, "token_type": "Bearer", "expires_in": self.expires_in}
        return 200, answer, {}

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        if method == "POST" and path == "/oauth2/token":
            return self._token(headers, body)
        parsed = urllib.parse.urlsplit(path)
        if method != "GET" or parsed.path not in self.lists:
            return 404, {"error": "not_found"}, {}
        bearer = str(headers.get("Authorization", ""))[7:]
        with self.lock:
            valid = self.tokens.get(bearer, 0) > time.monotonic()
            if not valid:
                self.unauthorised += 1
        if not valid:
            return 401, {"error": "invalid_token"}, {"WWW-Authenticate": "Bearer"}
        page = int(urllib.parse.parse_qs(parsed.query).get("page", ["1"])[0])
        items = self.lists[parsed.path]
        pages = max(1, -(-len(items) // self.page_size))
        chunk = items[(page - 1) * self.page_size : page * self.page_size]
        with self.lock:
            self.list_requests.append((parsed.path, page))
        return 200, {"data": chunk, "page": page, "total_pages": pages}, {}
