"""`/api/exchange/subscriptions/`: a client system manages its own event subscriptions.

Authenticated with the system's API key or OAuth2 token (`ClientAuth`); any active system may
call it, and `subscribe` refuses event types the system holds no grant for.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from lienthong.core.context import acting
from lienthong.exchange.clients.auth import ClientAuth, client_of
from lienthong.exchange.delivery.models import Subscription
from lienthong.exchange.delivery.services import DeliveryError, subscribe, unsubscribe

router = Router(
    tags=["exchange: events"],
    auth=ClientAuth(service="api.exchange.subscriptions", require_grant=False),
)


class SubscriptionIn(Schema):
    types: list[str]
    url: str
    secret: str | None = None


class SubscriptionOut(Schema):
    id: int
    types: list[str]
    url: str
    status: str
    delivered_count: int


class SubscriptionCreated(SubscriptionOut):
    #: The HMAC key, shown this once.
    secret: str


class Error(Schema):
    detail: str


def _out(sub: Subscription) -> dict[str, object]:
    return {
        "id": sub.pk,
        "types": sub.types,
        "url": sub.url,
        "status": sub.status,
        "delivered_count": sub.delivered_count,
    }


@router.get("", response=list[SubscriptionOut], operation_id="exchange_subscriptions_list")
def list_subscriptions(request: HttpRequest) -> list[dict[str, object]]:
    """The calling system's subscriptions."""
    client = client_of(request)
    return [_out(sub) for sub in Subscription.objects.filter(client=client).order_by("pk")]


@router.post(
    "",
    response={201: SubscriptionCreated, 422: Error},
    operation_id="exchange_subscriptions_create",
)
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Status:
    """Subscribe a webhook to event types the system is granted; the secret is shown once."""
    client = client_of(request)
    try:
        with acting(via=f"api:{client.code}"):
            sub = subscribe(client, types=payload.types, url=payload.url, secret=payload.secret)
    except DeliveryError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, {**_out(sub), "secret": sub.secret})


@router.delete(
    "/{subscription_id}", response={204: None}, operation_id="exchange_subscriptions_delete"
)
def delete_subscription(request: HttpRequest, subscription_id: int) -> Status:
    """Remove one of the system's subscriptions (404 alike for missing and not yours)."""
    client = client_of(request)
    sub = Subscription.objects.filter(client=client, pk=subscription_id).first()
    if sub is None:
        raise HttpError(404, "Không tìm thấy.")
    with acting(via=f"api:{client.code}"):
        unsubscribe(sub)
    return Status(204, None)
