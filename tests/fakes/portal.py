"""A fake national public service portal (Cổng Dịch vụ công quốc gia): a real HTTP server that
takes the "DongBoHoSoMC" JSON body with a bearer token, validates every record the way the
portal's documented fields say, and stores what it accepted.

    with FakePortal(token="t") as fake:
        settings.LIENTHONG["PORTAL_URL"] = fake.endpoint
        ...
        assert [r["TrangThaiHoSo"] for r in fake.records_of(code)] == ["2", "4", "9", "10"]
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.server import FakeServer

PATH = "/api/dvcqg/DongBoHoSoMC"
DOSSIER_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")
MOMENT = re.compile(r"^\d{14}$")
REQUIRED = (
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "KenhThucHien",
    "ChuHoSo",
    "LoaiDoiTuong",
    "NgayTiepNhan",
    "TrangThaiHoSo",
    "DonViXuLy",
)
MOMENTS = ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "ThoiDiemCapNhat")


def problems(record: Any) -> list[str]:
    """What is wrong with one record (empty when it is acceptable)."""
    if not isinstance(record, dict):
        return ["a record must be a JSON object"]
    found = [f"{name} is required" for name in REQUIRED if not record.get(name)]
    code = str(record.get("MaHoSo", ""))
    if code and not DOSSIER_CODE.match(code):
        found.append(f"MaHoSo {code!r} is not {{agency}}-{{yyMMdd}}-{{NNNN}}")
    if str(record.get("TrangThaiHoSo", "")) not in {str(n) for n in range(1, 11)}:
        found.append("TrangThaiHoSo must be 1..10")
    if str(record.get("KenhThucHien", "")) not in {"1", "2", "3"}:
        found.append("KenhThucHien must be 1, 2 or 3")
    if str(record.get("LoaiDoiTuong", "")) not in {"1", "2"}:
        found.append("LoaiDoiTuong must be 1 or 2")
    for name in MOMENTS:
        value = record.get(name, "")
        if value and not MOMENT.match(str(value)):
            found.append(f"{name} must be yyyyMMddHHmmss")
    return found


class FakePortal(FakeServer):
    """The portal's synchronisation endpoint; `records` holds every accepted record in order."""

    def __init__(self, token: str = "portal-token", port: int = 0) -> None:
        super().__init__(port)
        self.token = token
        self.records: list[dict[str, Any]] = []
        self.refused: list[tuple[int, str]] = []
        self.dossiers: dict[str, dict[str, Any]] = {}
        #: Set to an HTTP status to make the portal fail every call with it.
        self.fail_with: int | None = None

    @property
    def endpoint(self) -> str:
        return self.url + PATH

    def records_of(self, code: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.records if r["MaHoSo"] == code]

    def _refuse(self, status: int, message: str, errors: list[str] | None = None) -> Any:
        with self.lock:
            self.refused.append((status, message))
        body: dict[str, Any] = {"error_code": -1, "message": message}
        if errors:
            body["errors"] = errors
        return status, body, {}

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        if self.fail_with is not None:
            return self._refuse(self.fail_with, "service unavailable")
        if method != "POST" or path != PATH:
            return self._refuse(404, "not found")
        if headers.get("Authorization") != f"Bearer {self.token}":
            return self._refuse(401, "invalid token")
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._refuse(400, "body is not JSON")
        if not isinstance(payload, dict) or payload.get("service") != "DongBoHoSoMC":
            return self._refuse(400, "service must be DongBoHoSoMC")
        if not isinstance(payload.get("isUpdating"), bool):
            return self._refuse(400, "isUpdating must be true or false")
        data = payload.get("data")
        if not isinstance(data, list) or not data:
            return self._refuse(400, "data must be a non-empty list")
        errors = [f"data[{i}]: {p}" for i, record in enumerate(data) for p in problems(record)]
        if errors:
            return self._refuse(400, "invalid records", errors)
        with self.lock:
            for record in data:
                self.records.append(record)
                self.dossiers[record["MaHoSo"]] = record
        return 200, {"error_code": 0, "message": "Thành công"}, {}
