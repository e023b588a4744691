"""The adapters' API: the edXML inbox other Liên Thông deployments send documents and status
replies to."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from lienthong.exchange.adapters import edxml_services
from lienthong.exchange.clients.auth import ClientAuth, client_of

router = Router(tags=["Liên thông văn bản (edXML)"])


@router.post(
    "/inbox",
    auth=ClientAuth(service=edxml_services.SERVICE),
    operation_id="exchange_edxml_inbox",
    summary="Nhận gói tin edXML (văn bản hoặc trạng thái xử lý) từ hệ thống khác",
    description=(
        "Thân yêu cầu là gói tin edXML (QCVN 102:2016/BTTTT, Content-Type: application/xml): "
        "một văn bản gửi tới cơ quan thuộc hệ thống này, hoặc một thông báo trạng thái "
        "(StatusCode 01…16) về văn bản hệ thống này đã gửi. Trả 201 với thông báo trạng thái "
        "(01 đã đến cho văn bản) khi lưu được, 200 khi gói tin này đã nhận trước đó, "
        "400/413/422 kèm lý do khi từ chối (không lưu gì)."
    ),
)
def edxml_inbox(request: HttpRequest) -> JsonResponse:
    """Receive one edXML package from a client system (another deployment)."""
    client = client_of(request)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    limit = edxml_services.max_bytes()
    if declared.isdigit() and int(declared) > limit:
        # Refused before the body is read into memory.
        refused = edxml_services.Refused(
            413, _("Gói tin edXML quá lớn."), [f"{declared} > {limit} bytes"]
        )
        edxml_services.log_refusal(b"", refused, client=client)
        return JsonResponse(refused.as_json(), status=refused.status)
    data = bytes(request.body)
    try:
        package, created = edxml_services.receive(data, client=client)
    except edxml_services.Refused as refused:
        edxml_services.log_refusal(data, refused, client=client)
        return JsonResponse(refused.as_json(), status=refused.status)
    return JsonResponse(edxml_services.status_answer(package), status=201 if created else 200)
