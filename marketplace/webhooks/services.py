"""Tell companies what happened to their questions: signed webhooks and the dashboard stream."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import certifi
import sqlalchemy as sa
import urllib3
from flask import current_app

from marketplace import broadcast
from marketplace.aftercommit import after_commit
from marketplace.database import new_id, utcnow
from marketplace.errors import InvalidInput, NotFound
from marketplace.eventlog.services import Actor, record
from marketplace.extensions import db
from marketplace.queue import JobOptions, enqueue
from marketplace.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)
# Seconds between attempts (WEBHOOK_RETRY_DELAYS overrides); after the last the delivery fails.
RETRY_DELAYS = (10, 60, 300, 1800, 7200)
EVENTS = (
    "question.assigned",
    "question.answered",
    "question.returned",
    "question.expired",
    # Moderation (docs/moderation.md): a verdict on an answer the company already has.
    "question.answer_audited",
    "question.answer_rejected",
    "question.answer_restored",
)


def notify_company(company_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
    """Queue a webhook delivery (if the company has an endpoint) and stream it, after commit."""
    envelope = {
        "id": str(new_id()),
        "event": event,
        "created_at": utcnow().isoformat(),
        "data": data,
    }
    endpoint = db.session.scalars(
        sa.select(WebhookEndpoint).filter_by(company_id=company_id, active=True)
    ).one_or_none()
    if endpoint is not None:
        delivery = WebhookDelivery(
            id=uuid.UUID(envelope["id"]), company_id=company_id, event=event, payload=envelope
        )
        db.session.add(delivery)
        after_commit(_enqueue_delivery, delivery.id)
    after_commit(broadcast.to_company, company_id, event, envelope)


def retry_delays() -> tuple[float, ...]:
    """The backoff between delivery attempts."""
    return tuple(current_app.config.get("WEBHOOK_RETRY_DELAYS", RETRY_DELAYS))


def max_attempts() -> int:
    """Attempts before a delivery is marked failed."""
    return len(retry_delays()) + 1


def _enqueue_delivery(delivery_id: uuid.UUID) -> None:
    enqueue(
        "workers.webhooks.deliver",
        str(delivery_id),
        job_id=f"webhook-{delivery_id}",
        options=JobOptions(queue="high", timeout=30, retry_delays=retry_delays()),
    )


def set_endpoint(company_id: uuid.UUID, url: str, secret: str, actor: Actor) -> WebhookEndpoint:
    """Create or replace the company's webhook endpoint."""
    check_url(url)
    endpoint = db.session.scalars(
        sa.select(WebhookEndpoint).filter_by(company_id=company_id)
    ).one_or_none()
    if endpoint is None:
        endpoint = WebhookEndpoint(company_id=company_id, url=url, secret=secret, active=True)
        db.session.add(endpoint)
    else:
        endpoint.url, endpoint.secret, endpoint.active = url, secret, True
    db.session.flush()
    record(
        actor,
        "webhook.configured",
        "webhook_endpoint",
        endpoint.id,
        company_id=company_id,
        after={"url": url},
    )
    db.session.commit()
    return endpoint


def get_endpoint(company_id: uuid.UUID) -> WebhookEndpoint:
    """The company's endpoint."""
    endpoint = db.session.scalars(
        sa.select(WebhookEndpoint).filter_by(company_id=company_id)
    ).one_or_none()
    if endpoint is None:
        raise NotFound("No webhook is configured.")
    return endpoint


def delete_endpoint(company_id: uuid.UUID, actor: Actor) -> None:
    """Stop sending webhooks."""
    endpoint = get_endpoint(company_id)
    record(actor, "webhook.deleted", "webhook_endpoint", endpoint.id, company_id=company_id)
    db.session.delete(endpoint)
    db.session.commit()


def list_deliveries(
    company_id: uuid.UUID, before: uuid.UUID | None, limit: int
) -> list[WebhookDelivery]:
    """The company's delivery log, newest first."""
    query = sa.select(WebhookDelivery).filter_by(company_id=company_id)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def check_url(url: str) -> None:
    """http(s) with a host; outside development the host must not be a private address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 500:
        raise InvalidInput("Bad webhook URL.", errors={"url": ["Use an http(s) URL."]})
    if not current_app.config.get("WEBHOOK_ALLOW_PRIVATE", True):
        pinned_address(parts.hostname)


def pinned_address(host: str) -> str:
    """Resolve the host once and return the address to connect to; outside development every
    address it resolves to must be public. The request then goes to this very address (no
    second lookup), so DNS cannot answer "public" to the check and "private" to the send."""
    try:
        addresses = [info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
    except OSError:
        addresses = []
    if not addresses:
        raise InvalidInput(
            "The webhook host does not resolve.", errors={"url": ["The host does not resolve."]}
        )
    if not current_app.config.get("WEBHOOK_ALLOW_PRIVATE", True) and not all(
        _public(a) for a in addresses
    ):
        raise InvalidInput(
            "The webhook host must resolve to a public address.",
            errors={"url": ["Must resolve to a public address."]},
        )
    return addresses[0]


def _public(address: str) -> bool:
    return ipaddress.ip_address(address.split("%")[0]).is_global


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over '<timestamp>.<body>', hex encoded (documented in docs/api.md)."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def deliver(delivery_id: uuid.UUID) -> DeliveryStatus:
    """POST one delivery and record the attempt. Pending means: retry later."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery.status if delivery else DeliveryStatus.FAILED
    endpoint = db.session.scalars(
        sa.select(WebhookEndpoint).filter_by(company_id=delivery.company_id, active=True)
    ).one_or_none()
    target = (endpoint.url, endpoint.secret) if endpoint else None
    event, payload = delivery.event, delivery.payload
    db.session.rollback()  # hold no transaction (or SQLite lock) across the network call
    status_code, error = (
        _post(target, delivery_id, event, payload) if target else (None, "no active endpoint")
    )
    delivery = db.session.get(WebhookDelivery, delivery_id)
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = status_code, error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, utcnow()
    elif target is None or delivery.attempts >= max_attempts():
        delivery.status = DeliveryStatus.FAILED
    db.session.commit()
    return delivery.status


def _post(
    target: tuple[str, str], delivery_id: uuid.UUID, event: str, payload: dict[str, Any]
) -> tuple[int | None, str | None]:
    """Send the signed request; (status code, error text)."""
    url, secret = target
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "marketplace-webhooks/1",
        "X-Marketplace-Event": event,
        "X-Marketplace-Delivery": str(delivery_id),
        "X-Marketplace-Signature": f"t={timestamp},v1={sign(secret, timestamp, body)}",
    }
    try:
        status = _send_pinned(url, body, headers)
    except (urllib3.exceptions.HTTPError, OSError, InvalidInput) as error:
        return None, str(error)[:500]
    ok = 200 <= status < 300
    return status, None if ok else f"HTTP {status}"


def _send_pinned(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to the address the host resolved to (checked), keeping the name for Host and TLS."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = pinned_address(host)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    named = f"[{host}]" if ":" in host else host
    timeout = urllib3.Timeout(connect=3, read=10)
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = headers | {"Host": named if parts.port is None else f"{named}:{parts.port}"}
    try:
        response = pool.urlopen("POST", target, body=body, headers=headers, redirect=False)
        return response.status
    finally:
        pool.close()
