"""Pages of event delivery under /lien-thong/su-kien/: the subscriptions of the user's agency's
systems and their dead letters, with replay. Views parse input and call services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lienthong.core.permissions import official_required
from lienthong.exchange.delivery.models import DeadLetter, Subscription
from lienthong.exchange.delivery.services import DeliveryError, replay_dead_letter

PAGE_SIZE = 100


@official_required
def events_view(request: HttpRequest) -> HttpResponse:
    """Subscriptions and dead letters the official may manage (sự kiện và webhook)."""
    subscriptions = (
        Subscription.objects.visible_to(request.user).select_related("client").order_by("pk")
    )
    letters = (
        DeadLetter.objects.visible_to(request.user)
        .exclude(status=DeadLetter.Status.DELIVERED)
        .select_related("subscription__client")
        .order_by("-pk")[:PAGE_SIZE]
    )
    return render(
        request,
        "exchange_delivery/events.html",
        {"subscriptions": subscriptions, "letters": letters},
    )


@official_required
@require_POST
def replay_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue one dead letter for another delivery; 404 alike for missing and not yours."""
    letter = DeadLetter.objects.visible_to(request.user).filter(pk=pk).first()
    if letter is None:
        raise Http404(_("Không tìm thấy hoặc bạn không có quyền xem."))
    try:
        replay_dead_letter(letter, by=request.user)
    except DeliveryError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã đưa sự kiện %(id)s vào hàng chuyển lại.") % {"id": letter.event_id},
        )
    return redirect("exchange_delivery:events")
