"""answer.scored reaches the expert (/expert) and the company (/company), and nobody else."""

from __future__ import annotations

import pytest

from marketplace.answers import grading
from marketplace.extensions import socketio
from tests.answers.test_grading import GOLD_PASS, GOOD, gold_question
from tests.factories import answer_question, default_pool, make_company, make_pool_expert


def received(client, namespace, name="answer.scored"):
    return [e["args"][0] for e in client.get_received(namespace) if e["name"] == name]


@pytest.fixture
def clients(app):
    opened = []

    def connect(namespace, auth):
        client = socketio.test_client(app, namespace=namespace, auth=auth)
        assert client.is_connected(namespace)
        client.get_received(namespace)  # drop the connect-time state
        opened.append((client, namespace))
        return client

    yield connect
    for client, namespace in opened:
        if client.is_connected(namespace):
            client.disconnect(namespace)


def test_the_expert_and_the_company_hear_the_score_once(app, db, clients):
    company, other = make_company(app), make_company(app)
    pool = default_pool(app, company.id)
    expert, bystander = make_pool_expert(app, pool), make_pool_expert(app, pool)
    expert_client = clients("/expert", {"token": expert.token})
    bystander_client = clients("/expert", {"token": bystander.token})
    company_client = clients("/company", {"api_key": company.api_key})
    other_client = clients("/company", {"api_key": other.api_key})
    answer_id = answer_question(app, gold_question(app, company).id, GOLD_PASS, expert.id)
    answer = grading.score_answer(answer_id)
    [to_expert] = received(expert_client, "/expert")
    [to_company] = received(company_client, "/company")
    for payload in (to_expert, to_company):
        assert payload["answer_id"] == str(answer_id)
        assert payload["score"] == answer.score and payload["outcome"] == answer.outcome.value
        assert {s["code"] for s in payload["signals"]} >= {"personal_data", "rude"}
    assert "gold" not in str(to_expert)  # the expert is not told the question was gold
    assert received(bystander_client, "/expert") == []
    assert received(other_client, "/company") == []
    grading.score_answer(answer_id)  # same inputs: nothing new to tell
    assert received(expert_client, "/expert") == []
    assert received(company_client, "/company") == []


def test_a_rescore_that_changes_the_score_is_announced_again(app, db, clients):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    expert_client = clients("/expert", {"token": expert.token})
    answer_id = answer_question(app, _question(app, company), GOOD, expert.id)
    grading.score_answer(answer_id)
    [first] = received(expert_client, "/expert")
    from marketplace.answers.models import Answer

    db.session.get(Answer, answer_id).peer_good_probability = 0.05
    db.session.commit()
    grading.score_answer(answer_id)
    [second] = received(expert_client, "/expert")
    assert second["score"] < first["score"]


def _question(app, company):
    from tests.factories import post_question

    return post_question(app, company)
