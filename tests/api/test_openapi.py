"""The OpenAPI document and its human-readable reference page."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

EXPECTED = {
    ("/api/v1/questions", "get"),
    ("/api/v1/questions", "post"),
    ("/api/v1/questions/batch", "post"),
    ("/api/v1/questions/{question_id}", "get"),
    ("/api/v1/questions/{question_id}/cancel", "post"),
    ("/api/v1/questions/{question_id}/feedback", "post"),
    ("/api/v1/account", "get"),
}


def test_openapi_document_is_valid_and_complete(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    operations = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert operations >= EXPECTED
    create = spec["components"]["schemas"]["QuestionCreate"]
    assert {"external_id", "channel", "reward", "sla_deadline"} <= set(create["properties"])
    assert create["properties"]["channel"]["enum"][:2] == ["web", "app"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_reference_page_lists_every_endpoint_without_external_resources(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for path, method in EXPECTED:
        assert path in page and method.upper() in page
    assert "QuestionCreate" in page
    assert not re.search(r"""(src|href)=["']https?://""", page), "the page must not use a CDN"


def test_landing_page_speaks_english_and_chinese(client):
    page = client.get("/").get_data(as_text=True)
    assert "Overflow customer questions" in page
    assert "客户咨询" in page
