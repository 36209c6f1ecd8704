"""Deliver company webhooks; RQ retries a failed attempt with backoff."""

from __future__ import annotations

import logging
import uuid

from marketplace.webhooks import services
from marketplace.webhooks.models import DeliveryStatus
from workers.context import job_context

log = logging.getLogger(__name__)


class DeliveryNotYetAccepted(RuntimeError):
    """Raised so the queue retries the delivery later."""


def deliver(delivery_id: str) -> str:
    """Send one webhook delivery; raise while it should be retried."""
    with job_context():
        status = services.deliver(uuid.UUID(delivery_id))
    log.info("webhook %s: %s", delivery_id, status.value)
    if status == DeliveryStatus.PENDING:
        raise DeliveryNotYetAccepted(f"webhook {delivery_id} not accepted yet")
    return status.value
