"""Webhooks: signed, delivered by the job queue, retried with backoff, logged, configurable."""

from __future__ import annotations

import hashlib
import hmac
import socket

import pytest
import sqlalchemy as sa

from marketplace.eventlog.services import Actor
from marketplace.webhooks import services
from marketplace.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.factories import make_company
from tests.receivers import WebhookReceiver

SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def quick_retries(app):
    app.config["WEBHOOK_RETRY_DELAYS"] = (0.05, 0.05, 0.05)
    yield
    app.config.pop("WEBHOOK_RETRY_DELAYS")


def send_event(app, db, company) -> WebhookDelivery:
    """Notify after a commit, as services do, then wait for the queue to finish with it."""
    services.notify_company(company.id, "question.answered", {"question_id": "q-1"})
    db.session.commit()
    assert app.extensions["job_queue"].wait_until_idle(10, include_delayed=True)
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    db.session.refresh(delivery)
    return delivery


def test_a_delivery_is_signed_over_timestamp_and_body(app, db, quick_retries):
    company = make_company(app)
    with WebhookReceiver() as receiver:
        services.set_endpoint(company.id, receiver.url, SECRET, Actor.system("test"))
        delivery = send_event(app, db, company)
    assert delivery.status == DeliveryStatus.DELIVERED
    [request] = receiver.received
    signature = request.headers["X-Marketplace-Signature"]
    timestamp, v1 = (part.split("=", 1)[1] for part in signature.split(","))
    expected = hmac.new(
        SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(v1, expected)
    assert request.json["event"] == "question.answered"
    assert request.json["data"] == {"question_id": "q-1"}
    assert request.headers["X-Marketplace-Delivery"] == str(delivery.id)


def test_failures_are_retried_with_backoff_until_accepted(app, db, quick_retries):
    company = make_company(app)
    with WebhookReceiver(statuses=[500, 503]) as receiver:
        services.set_endpoint(company.id, receiver.url, SECRET, Actor.system("test"))
        delivery = send_event(app, db, company)
    assert len(receiver.received) == 3
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        3,
        200,
    )
    assert services.deliver(delivery.id) == DeliveryStatus.DELIVERED  # never sent twice
    assert len(receiver.received) == 3


def test_a_dead_endpoint_is_marked_failed_after_the_last_retry(app, db, quick_retries):
    company = make_company(app)
    services.set_endpoint(
        company.id, "http://127.0.0.1:9/nothing-listens", SECRET, Actor.system("test")
    )
    delivery = send_event(app, db, company)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 4)
    assert "Connection refused" in delivery.last_error or "Max retries" in delivery.last_error


def test_the_api_configures_the_endpoint_and_shows_the_log(app, client, db, quick_retries):
    company = make_company(app)
    other = make_company(app)
    bad = client.put(
        "/api/v1/webhook", json={"url": "ftp://x", "secret": "short"}, headers=company.headers
    )
    assert bad.status_code == 422 and "secret" in bad.get_json()["errors"]
    bad_url = client.put(
        "/api/v1/webhook", json={"url": "ftp://x", "secret": SECRET}, headers=company.headers
    )
    assert bad_url.status_code == 422 and "url" in bad_url.get_json()["errors"]
    assert client.get("/api/v1/webhook", headers=company.headers).status_code == 404
    with WebhookReceiver() as receiver:
        put = client.put(
            "/api/v1/webhook", json={"url": receiver.url, "secret": SECRET}, headers=company.headers
        )
        assert put.status_code == 200 and "secret" not in put.get_json()
        send_event(app, db, company)
    log = client.get("/api/v1/webhook/deliveries", headers=company.headers).get_json()
    assert [(d["event"], d["status"]) for d in log] == [("question.answered", "delivered")]
    assert client.get("/api/v1/webhook/deliveries", headers=other.headers).get_json() == []
    assert client.delete("/api/v1/webhook", headers=company.headers).status_code == 204


def test_private_addresses_are_refused_when_configured(app, db):
    from marketplace.errors import InvalidInput

    company = make_company(app)
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    try:
        for url in ("http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://localhost/x"):
            with pytest.raises(InvalidInput):
                services.set_endpoint(company.id, url, SECRET, Actor.system("test"))
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE"] = True


@pytest.fixture
def rebinding_dns(monkeypatch):
    """'hooks.example' answers the listed addresses in turn (the last one sticks): DNS
    rebinding is "127.0.0.2" to the check, then "127.0.0.1" to anyone who asks again. For the
    test, 127.0.0.2 counts as a public address and 127.0.0.1 as the private target."""
    real = socket.getaddrinfo
    answers = ["127.0.0.2"]

    def getaddrinfo(host, port=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "hooks.example":
            return real(host, port, *args, **kwargs)
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(services, "_public", lambda address: address == "127.0.0.2")
    return answers


def test_a_delivery_goes_to_the_address_that_was_checked(app, db, quick_retries, rebinding_dns):
    company = make_company(app)
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    try:
        with WebhookReceiver(host="127.0.0.2") as checked:
            port = checked.server.server_address[1]
            with WebhookReceiver(host="127.0.0.1", port=port) as target:
                url = f"http://hooks.example:{port}/hooks"
                services.set_endpoint(company.id, url, SECRET, Actor.system("test"))
                rebinding_dns[:] = ["127.0.0.2", "127.0.0.1"]
                delivery = send_event(app, db, company)
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(checked.received) == 1 and target.received == []
    assert checked.received[0].headers["Host"] == f"hooks.example:{port}"


def test_a_host_that_resolves_to_a_private_address_at_send_time_is_not_contacted(
    app, db, quick_retries, rebinding_dns
):
    company = make_company(app)
    with WebhookReceiver() as target:
        url = f"http://hooks.example:{target.server.server_address[1]}/hooks"
        services.set_endpoint(company.id, url, SECRET, Actor.system("test"))  # dev: allowed
        rebinding_dns[:] = ["127.0.0.1"]
        app.config["WEBHOOK_ALLOW_PRIVATE"] = False
        try:
            delivery = send_event(app, db, company)
        finally:
            app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    assert target.received == []
    assert delivery.status == DeliveryStatus.FAILED
    assert "public address" in delivery.last_error
