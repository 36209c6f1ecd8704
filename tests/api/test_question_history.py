"""A question's trail from the event log, for the dashboard's detail view."""

from __future__ import annotations

from tests.factories import answer_question, make_company, post_question


def test_the_trail_lists_the_questions_and_its_answers_events(app, db):
    company, other = make_company(app), make_company(app)
    question_id = post_question(app, company)
    answer_id = answer_question(app, question_id, "Restart it.")
    from marketplace.eventlog.services import Actor, record

    record(
        Actor.system("test"),
        "answer.scored",
        "answer",
        answer_id,
        company_id=company.id,
        after={"score": 0.8},
    )
    record(
        Actor.system("test"), "question.posted", "question", question_id, company_id=other.id
    )  # another tenant's row about the same id is never shown
    db.session.commit()
    client = app.test_client()
    response = client.get(f"/api/v1/questions/{question_id}/history", headers=company.headers)
    assert response.status_code == 200
    trail = response.get_json()
    assert [e["action"] for e in trail] == [
        "question.posted",
        "question.assigned",
        "question.answered",
        "answer.scored",
    ]
    assert trail[1]["before"] == {"status": "queued"} and trail[0]["actor"] == "api_key"
    assert trail[-1]["entity"] == "answer" and trail[-1]["after"] == {"score": 0.8}
    assert (
        client.get(f"/api/v1/questions/{question_id}/history", headers=other.headers).status_code
        == 404
    )
