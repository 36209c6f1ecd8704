"""Structured logs: one JSON object per line with the request id (web) or job id (RQ), and
an X-Request-ID on every response."""

from __future__ import annotations

import io
import json
import logging

import pytest

from marketplace.ops.logs import ContextFilter, JsonFormatter, make_handler


@pytest.fixture
def captured():
    """A logger whose records go through our JSON handler into a buffer."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("tests.ops.captured")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_a_record_is_one_json_line_with_its_fields_and_extras(monkeypatch):
    monkeypatch.setenv("MARKETPLACE_PROCESS_NAME", "web-3")
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("tests.ops.fields")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("退货 %s", "ok", extra={"question_id": "q-1", "attempt": 2})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert set(first) == {
        "time",
        "level",
        "logger",
        "message",
        "process",
        "process_name",
        "question_id",
        "attempt",
    }
    assert first["message"] == "退货 ok" and first["level"] == "WARNING"
    assert first["logger"] == "tests.ops.fields" and first["process_name"] == "web-3"
    assert first["time"].endswith("+00:00") and (first["question_id"], first["attempt"]) == (
        "q-1",
        2,
    )
    assert second["exception"].startswith("Traceback") and "ValueError: boom" in second["exception"]


def test_records_in_a_request_carry_its_id(database_url, captured):
    from tests.conftest import make_app

    logger, lines = captured
    app = make_app(database_url)

    @app.get("/tests/log-something")
    def log_something():
        logger.info("inside")
        return {}

    response = app.test_client().get("/tests/log-something", headers={"X-Request-ID": "req-42"})
    assert response.headers["X-Request-ID"] == "req-42"
    assert lines()[-1]["request_id"] == "req-42"


def test_records_in_an_rq_job_carry_its_id(redis_url, captured):
    from redis import Redis
    from rq import Queue, SimpleWorker

    queue = Queue("test-logs", connection=Redis.from_url(redis_url))
    job = queue.enqueue("tests.ops.test_logs.log_from_a_job", job_id="job-log-1")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert job.get_status(refresh=True) == "finished"
    _, lines = captured
    assert [(line["message"], line["job_id"]) for line in lines()] == [("in a job", "job-log-1")]


def log_from_a_job() -> None:
    """The job of the test above."""
    logging.getLogger("tests.ops.captured").info("in a job")


def test_text_format_shows_the_context_in_brackets(app):
    stream = io.StringIO()
    handler = make_handler("text", stream)
    record = logging.makeLogRecord({"name": "x", "msg": "hello", "levelname": "INFO"})
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "abc"
        handler.handle(record)
    assert stream.getvalue().rstrip().endswith("x [request_id=abc]: hello")


def test_the_filter_leaves_records_outside_requests_alone():
    record = logging.makeLogRecord({"msg": "plain"})
    assert ContextFilter().filter(record)
    assert json.loads(JsonFormatter().format(record)).keys() == {
        "time",
        "level",
        "logger",
        "message",
        "process",
    }


@pytest.mark.parametrize(
    ("given", "kept"),
    [("abc-123_x.y:z", True), ("", False), ("has space", False), ("x" * 129, False)],
)
def test_a_request_id_is_kept_only_when_short_and_plain(client, given, kept):
    response = client.get("/healthz", headers={"X-Request-ID": given} if given else {})
    echoed = response.headers["X-Request-ID"]
    assert (echoed == given) is kept
    if not kept:
        assert len(echoed) == 32 and echoed.isalnum()


def test_errors_echo_the_request_id_too(client):
    response = client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "lost-1"})
    assert response.status_code == 404 and response.headers["X-Request-ID"] == "lost-1"


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_the_request_log_line_names_route_status_and_id(app):
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("marketplace.request")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    app.config["REQUEST_LOG"] = True
    try:
        app.test_client().get("/api/v1/no-such-thing", headers={"X-Request-ID": "r-9"})
        app.test_client().get("/healthz")  # probes that pass are not logged
    finally:
        app.config["REQUEST_LOG"] = False
        logger.removeHandler(handler)
    [line] = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert (line["status"], line["route"], line["request_id"]) == (404, "unmatched", "r-9")
    assert line["method"] == "GET" and line["duration_ms"] >= 0
