"""The provincial LGSP gateway (nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh) client: an OAuth2
client-credentials bearer token, and the shared code lists (danh mục dùng chung) it serves.

    lgsp.fetch_list("don-vi-hanh-chinh")   # GET <LGSP_URL>/dmdc/donvihanhchinh, all pages,
                                           # stored as SharedCodeList + SharedCode rows
    lgsp.codes("don-vi-hanh-chinh")        # read back from the database (the cache)

The token comes from LGSP_TOKEN_URL (`grant_type=client_credentials`, client id and secret
in HTTP Basic), is kept in the process until shortly before `expires_in` runs out, and is
fetched again once when the gateway answers 401. Every call — token requests included, with
the token itself masked — is logged in message-log chain "lgsp".

A list answers `{"data": [{"ma": …, "ten": …, "ma_cha": …, …}], "page": 1, "total_pages": n}`
(or a bare list); `code`/`name`/`parent_code` are accepted too. Settings
(`settings.LIENTHONG`): LGSP_URL, LGSP_TOKEN_URL, LGSP_CLIENT_ID, LGSP_CLIENT_SECRET,
LGSP_TIMEOUT, LGSP_LISTS (list name → path).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.exchange.adapters import http
from lienthong.exchange.adapters.models import SharedCode, SharedCodeList
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import Exchange, record

CHAIN = "lgsp"

DEFAULTS: dict[str, Any] = {
    "LGSP_URL": "",
    "LGSP_TOKEN_URL": "",
    "LGSP_CLIENT_ID": "",
    "LGSP_CLIENT_SECRET": "",
    "LGSP_TIMEOUT": 15.0,
    "LGSP_LISTS": {
        "don-vi-hanh-chinh": "/dmdc/donvihanhchinh",
        "thu-tuc-hanh-chinh": "/dmdc/thutuchanhchinh",
        "co-quan": "/dmdc/coquan",
    },
}
#: Largest number of pages read from one list (a guard against a gateway that never ends).
MAX_PAGES = 1000


def setting(name: str) -> Any:
    """An LGSP setting from `settings.LIENTHONG`, else its default."""
    return getattr(settings, "LIENTHONG", {}).get(name) or DEFAULTS[name]


class LgspError(Exception):
    """The gateway could not be used: not configured, unreachable, or it refused."""


# --- The token ------------------------------------------------------------------------------


@dataclass
class _Token:
    value: str
    expires_at: float


_tokens: dict[tuple[str, str], _Token] = {}
_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop the cached tokens (tests; a changed secret)."""
    with _lock:
        _tokens.clear()


def _log(
    service: str,
    *,
    operation: str,
    request: Any,
    response: Any,
    status: int | None,
    error: str = "",
    duration_ms: int | None = None,
) -> None:
    with transaction.atomic():
        record(
            Exchange(
                service=service,
                chain=CHAIN,
                direction=MessageLogEntry.Direction.OUTBOUND,
                kind="lgsp",
                operation=operation,
                status=status,
                outcome=MessageLogEntry.Outcome.ERROR if error else MessageLogEntry.Outcome.OK,
                error=error[:500],
                duration_ms=duration_ms,
                request=request,
                response=response,
            )
        )


def _masked(body: bytes) -> Any:
    """A token answer with the token itself masked (the log must not hold a credential)."""
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return body
    if isinstance(answer, dict) and "access_token" in answer:
        answer["access_token"] = "***"
    return answer


def _configured() -> tuple[str, str, str, str]:
    names = ("LGSP_URL", "LGSP_TOKEN_URL", "LGSP_CLIENT_ID", "LGSP_CLIENT_SECRET")
    values = tuple(str(setting(name) or "") for name in names)
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise LgspError(_("Chưa cấu hình LGSP: %(names)s.") % {"names": ", ".join(missing)})
    return values[0], values[1], values[2], values[3]


def token(*, fresh: bool = False) -> str:
    """A bearer token for the gateway: the cached one while it lasts, else a new one."""
    _url, token_url, client_id, secret = _configured()
    key = (token_url, client_id)
    with _lock:
        cached = _tokens.get(key)
        if cached is not None and not fresh and cached.expires_at > time.monotonic():
            return cached.value
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        body = b"grant_type=client_credentials"
        try:
            response = http.call(
                "POST",
                token_url,
                body=body,
                headers={
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
                timeout=float(setting("LGSP_TIMEOUT")),
            )
        except http.Unreachable as exc:
            _log("lgsp.token", operation="token", request=body, response=None, status=None,
                 error=str(exc), duration_ms=exc.duration_ms)  # fmt: skip
            raise LgspError(_("Không kết nối được LGSP: %(error)s") % {"error": exc}) from None
        answer = response.json()
        value = answer.get("access_token") if isinstance(answer, dict) else None
        error = "" if response.ok and value else f"HTTP {response.status}: no access_token"
        _log("lgsp.token", operation="token", request=body, response=_masked(response.body),
             status=response.status, error=error, duration_ms=response.duration_ms)  # fmt: skip
        if error:
            raise LgspError(
                _("LGSP không cấp mã truy cập (HTTP %(status)d).") % {"status": response.status}
            )
        lifetime = float(answer.get("expires_in") or 300)
        # Renew a little before the gateway would refuse it.
        margin = min(30.0, lifetime / 10)
        _tokens[key] = _Token(str(value), time.monotonic() + lifetime - margin)
        return str(value)


def get(path: str, params: dict[str, Any] | None = None) -> Any:
    """GET a JSON resource of the gateway with the bearer token (renewed once on 401)."""
    base = _configured()[0].rstrip("/")
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    for attempt in (1, 2):
        bearer = token(fresh=attempt == 2)
        try:
            response = http.call(
                "GET",
                url,
                headers={"Authorization": f"Bearer {bearer}", "Accept": "application/json"},
                timeout=float(setting("LGSP_TIMEOUT")),
            )
        except http.Unreachable as exc:
            _log(f"lgsp{path}", operation="GET", request=url, response=None, status=None,
                 error=str(exc), duration_ms=exc.duration_ms)  # fmt: skip
            raise LgspError(_("Không kết nối được LGSP: %(error)s") % {"error": exc}) from None
        error = "" if response.ok else f"HTTP {response.status}"
        _log(f"lgsp{path}", operation="GET", request=url, response=response.body,
             status=response.status, error=error, duration_ms=response.duration_ms)  # fmt: skip
        if response.status == 401 and attempt == 1:
            continue  # the token was revoked or expired early: fetch a new one, once
        if not response.ok:
            raise LgspError(
                _("LGSP trả lỗi HTTP %(status)d cho %(path)s.")
                % {"status": response.status, "path": path}
            )
        answer = response.json()
        if answer is None:
            raise LgspError(_("LGSP trả về dữ liệu không phải JSON (%(path)s).") % {"path": path})
        return answer
    raise AssertionError("unreachable")  # pragma: no cover


# --- Code lists -----------------------------------------------------------------------------


def list_names() -> list[str]:
    """The shared lists this deployment knows how to fetch."""
    return sorted(dict(setting("LGSP_LISTS")))


def _first(item: dict[str, Any], *names: str) -> str:
    for name in names:
        value = item.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _entries(answer: Any) -> tuple[list[dict[str, Any]], int]:
    """(items, total pages) of one page of a list."""
    if isinstance(answer, list):
        return answer, 1
    if isinstance(answer, dict) and isinstance(answer.get("data"), list):
        return answer["data"], int(answer.get("total_pages") or 1)
    raise LgspError(_("LGSP trả về danh mục không đúng dạng."))


def fetch_list(name: str) -> SharedCodeList:
    """Fetch every page of a shared list and store it in place of the previous copy."""
    lists = dict(setting("LGSP_LISTS"))
    if name not in lists:
        raise LgspError(
            _("Không có danh mục %(name)s (có: %(names)s).")
            % {"name": name, "names": ", ".join(sorted(lists))}
        )
    items: list[dict[str, Any]] = []
    page, pages = 1, 1
    while page <= pages and page <= MAX_PAGES:
        found, pages = _entries(get(lists[name], {"page": page}))
        items.extend(item for item in found if isinstance(item, dict))
        page += 1
    rows: dict[str, SharedCode] = {}
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        code = _first(item, "ma", "code", "Ma", "MA")
        label = _first(item, "ten", "name", "Ten", "TEN")
        if not code or not label:
            problems.append(_("mục %(n)d thiếu mã hoặc tên") % {"n": number})
            continue
        rows[code] = SharedCode(
            code=code[:60],
            name=label[:500],
            parent_code=_first(item, "ma_cha", "parent_code", "MaCha", "parent")[:60],
            data=item,
        )
    if problems:
        # Keep the copy we have rather than a list with holes.
        raise LgspError(
            _("Danh mục %(name)s không hợp lệ: %(problems)s")
            % {"name": name, "problems": "; ".join(problems[:10])}
        )
    canonical = json.dumps(items, sort_keys=True, ensure_ascii=False).encode()
    digest = hashlib.sha256(canonical).hexdigest()
    with transaction.atomic():
        code_list, _created = SharedCodeList.objects.select_for_update().get_or_create(
            name=name, defaults={"fetched_at": timezone.now(), "digest": ""}
        )
        if code_list.digest != digest:
            code_list.codes.all().delete()
            for row in rows.values():
                row.code_list = code_list
            SharedCode.objects.bulk_create(rows.values(), batch_size=1000)
        code_list.digest = digest
        code_list.count = len(rows)
        code_list.fetched_at = timezone.now()
        code_list.save()
    return code_list


def codes(name: str) -> list[SharedCode]:
    """The stored entries of a list (empty before its first fetch)."""
    return list(SharedCode.objects.filter(code_list__name=name).order_by("code"))
