"""The expert app's own endpoints: sign up, profile, pools, answers with scores."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from marketplace.answers.models import Answer
from marketplace.companies.models import Pool
from tests.factories import answer_question, default_pool, make_company, post_question
from tests.sessions import BrowserSession, log_in

SIGNUP = {
    "email": "New.Fan@example.test",
    "password": "long-enough-1",
    "display_name": "New fan 新粉丝",
    "languages": ["zh", "en"],
    "skills": {"battery": 4, "screen": 2},
    "locale": "zh-CN",
}


def sign_up(app, **changes) -> tuple[int, dict, BrowserSession | None]:
    client = app.test_client()
    response = client.post("/api/v1/auth/signup", json=SIGNUP | changes)
    body = response.get_json()
    session = BrowserSession(client, body["csrf_token"]) if response.status_code == 201 else None
    return response.status_code, body, session


def test_an_expert_signs_up_is_logged_in_and_sees_an_empty_profile(app, db):
    status, body, me = sign_up(app)
    assert status == 201, body
    assert body["role"] == "expert" and body["locale"] == "zh-CN"
    assert me.get("/api/v1/expert/pending").get_json()["availability"] == "offline"
    profile = me.get("/api/v1/expert/profile").get_json()
    assert profile["email"] == "new.fan@example.test" and profile["tier"] == "probation"
    assert profile["languages"] == ["en", "zh"]
    assert profile["skills"] == [{"tag": "battery", "level": 4}, {"tag": "screen", "level": 2}]
    assert profile["answers"] == 0
    assert log_in(app, "new.fan@example.test", "long-enough-1")
    again, body, _ = sign_up(app)
    assert again == 409 and "email" in body["errors"]


def test_sign_up_validates_and_can_be_closed(app, db):
    for changes, field in [
        ({"languages": []}, "languages"),
        ({"languages": ["Chinese"]}, "languages"),
        ({"skills": {"battery": 9}}, "skills"),
        ({"password": "short"}, "password"),
        ({"locale": "fr"}, "locale"),
        ({"role": "platform_admin"}, "role"),
    ]:
        status, body, _ = sign_up(app, **changes)
        assert status == 422 and field in body["errors"], (changes, body)
    app.config["EXPERT_SIGNUP"] = False
    try:
        assert sign_up(app)[0] == 403
    finally:
        app.config["EXPERT_SIGNUP"] = True


def test_pools_lists_memberships_and_open_pools(app, db):
    company = make_company(app, name="Aurora")
    pool_id = default_pool(app, company.id)
    closed = make_company(app, name="Secretive")
    db.session.execute(sa.update(Pool).where(Pool.company_id == closed.id).values(invite_only=True))
    db.session.commit()
    _, _, me = sign_up(app)
    pools = me.get("/api/v1/expert/pools").get_json()
    assert pools["memberships"] == []
    assert [p["company"] for p in pools["open"]] == ["Aurora"]
    from marketplace.eventlog.services import Actor
    from marketplace.experts.services import admit_to_pool

    user_id = me.get("/api/v1/expert/profile").get_json()["user_id"]
    admit_to_pool(uuid.UUID(user_id), pool_id, Actor.system("test"))
    pools = me.get("/api/v1/expert/pools").get_json()
    assert pools["open"] == []
    assert pools["memberships"][0]["status"] == "approved"
    assert pools["memberships"][0]["tier"] == "probation"


def test_answers_show_score_signals_and_the_customers_rating(app, db):
    company = make_company(app)
    question_id = post_question(app, company, subject="<script>window.x=1</script>")
    answer_id = answer_question(app, question_id, "Restart it.")
    client = app.test_client()
    client.post(
        f"/api/v1/questions/{question_id}/feedback",
        json={"rating": 4, "resolved": True, "comment": "call me on 138..."},
        headers=company.headers,
    )
    # The feedback queues a rescore; let it finish before setting the values shown below.
    db.session.rollback()
    assert app.extensions["job_queue"].wait_until_idle(10)
    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    answer.score, answer.score_confidence = 0.82, 0.6
    answer.signals = {"checks": [{"code": "too_short", "passed": True}]}
    db.session.commit()
    from marketplace.accounts.models import User

    email = db.session.get(User, answer.expert_id).email
    me = log_in(app, email)
    page = me.get("/api/v1/expert/answers?limit=1").get_json()
    assert page["next_cursor"] is None
    item = page["items"][0]
    assert item["subject"] == "<script>window.x=1</script>" and item["body"] == "Restart it."
    assert (item["score"], item["confidence"]) == (0.82, 0.6)
    assert item["signals"]["checks"][0]["code"] == "too_short"
    assert item["feedback"] == {"rating": 4, "resolved": True}
    assert "comment" not in str(item)
    assert client.get("/api/v1/expert/answers", headers=company.headers).status_code == 401
