"""Grading with the scoring library: reasons stored, outcomes, gold, feedback, idempotency."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from marketplace.answers import grading
from marketplace.answers.models import Answer, Outcome
from marketplace.answers.services import submit_answer
from marketplace.eventlog.models import Event
from marketplace.eventlog.services import Actor
from marketplace.matching import claims, services
from marketplace.matching.models import Offer
from marketplace.questions.services import create_gold_question
from tests.factories import (
    answer_question,
    default_pool,
    make_company,
    make_pool_expert,
    post_question,
    question_payload,
)

GOOD = (
    "Open Settings > Battery and turn on adaptive charging, then restart the phone. "
    "If the battery still drains overnight, check which app uses it most in Battery usage."
)


def answered(app, db, text, languages=("en",), **question):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id), languages=languages)
    question_id = post_question(app, company, **question)
    return company, expert, answer_it(db, expert, question_id, text)


def answer_it(db, expert, question_id, body):
    services.drain()
    offer = db.session.scalars(
        sa.select(Offer).filter_by(question_id=question_id, expert_id=expert.id)
    ).one()
    assignment = claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    answer, _ = submit_answer(
        expert.id, assignment.id, body, f"k-{uuid.uuid4().hex[:12]}", Actor.user(expert.id)
    )
    return answer.id


def test_a_good_answer_is_scored_explained_and_accepted(app, db):
    _, _, answer_id = answered(app, db, GOOD)
    answer = grading.score_answer(answer_id)
    assert answer.outcome == Outcome.ACCEPTED and answer.score >= 0.6
    codes = {s["code"] for s in answer.signals["signals"]}
    assert {"personal_data", "off_topic", "too_short", "copied"} <= codes
    assert all(s["reason"] and s["reason_zh"] for s in answer.signals["signals"])
    assert answer.signals["components"][0]["name"] == "automatic"


def test_scoring_twice_stores_the_same_result_once(app, db):
    _, _, answer_id = answered(app, db, GOOD)
    first = grading.score_answer(answer_id)
    snapshot = (first.score, first.signals, first.outcome, first.decided_at)
    second = grading.score_answer(answer_id)
    assert (second.score, second.signals, second.outcome, second.decided_at) == snapshot
    scored = db.session.scalars(
        sa.select(Event).filter_by(entity_id=str(answer_id), action="answer.scored")
    ).all()
    assert len(scored) == 1


def test_a_personal_data_leak_waits_for_a_moderator(app, db):
    _, _, answer_id = answered(app, db, GOOD + " Call me on 13812345678 or mail me@qq.com.")
    answer = grading.score_answer(answer_id)
    assert answer.outcome == Outcome.PENDING
    leak = next(s for s in answer.signals["signals"] if s["code"] == "personal_data")
    assert leak["flagged"] and "13812345678" not in str(leak["details"])


def test_chinese_answers_are_checked_too(app, db):
    _, _, answer_id = answered(
        app,
        db,
        "请打开设置 > 电池，开启自适应充电后重启手机。如果夜间仍然掉电很快，请在电池用量里查看"
        "哪个应用耗电最多。我的手机号是 13812345678。",
        languages=("zh",),
        subject="手机夜间耗电很快",
        body="我的手机晚上待机一夜掉电 30%，这正常吗？",
        language="zh",
    )
    answer = grading.score_answer(answer_id)
    leak = next(s for s in answer.signals["signals"] if s["code"] == "personal_data")
    assert leak["flagged"] and leak["reason_zh"] and leak["reason_zh"] != leak["reason"]


def test_feedback_rescores_the_answer(app, db, client):
    company, _, answer_id = answered(app, db, GOOD)
    before = grading.score_answer(answer_id).score
    question_id = db.session.get(Answer, answer_id).question_id
    response = client.post(
        f"/api/v1/questions/{question_id}/feedback",
        json={"rating": 1, "resolved": False},
        headers=company.headers,
    )
    assert response.status_code == 201
    db.session.rollback()  # the test's session must not hold SQLite's write lock while we wait
    assert app.extensions["job_queue"].wait_until_idle(10)
    db.session.expire_all()
    answer = db.session.get(Answer, answer_id)
    assert answer.score < before
    names = [c["name"] for c in answer.signals["components"]]
    assert names == ["automatic", "customer_rating", "resolved"]
    assert answer.outcome == Outcome.ACCEPTED  # decided once; only a verdict or dispute changes it


def test_gold_answers_are_graded_against_the_reference(app, db):
    company = make_company(app)
    pool = default_pool(app, company.id)
    experts = [make_pool_expert(app, pool) for _ in range(2)]
    outcomes = []
    for expert, body in zip(
        experts,
        [
            "Hold the power and volume down keys for ten seconds until the logo shows, "
            "then release.",
            "Just buy a new phone, ours are great and on sale this week at every store.",
        ],
        strict=True,
    ):
        data = question_payload(subject="Phone frozen", body="My phone froze, how do I restart?")
        data |= {
            "reference_answers": [
                "Force restart: hold the power and volume down keys for "
                "ten seconds until the logo appears."
            ],
            "required_terms": ["power"],
            "threshold": 0.25,
        }
        from marketplace.questions.schemas import GoldQuestionCreateSchema

        result = create_gold_question(
            company.id, GoldQuestionCreateSchema().load(data), Actor.system("test")
        )
        assert result.question.is_gold
        answer_id = answer_it(db, expert, result.question.id, body)
        answer = grading.score_answer(answer_id)
        outcomes.append((answer.gold_passed, answer.outcome))
    assert outcomes == [(True, Outcome.ACCEPTED), (False, Outcome.REJECTED)]


def test_the_expert_sees_each_reason_through_the_api(app, db, client):
    _, expert, answer_id = answered(app, db, GOOD)
    grading.score_answer(answer_id)
    page = client.get("/api/v1/expert/answers", headers=expert.headers)
    assert page.status_code == 200
    [item] = page.get_json()["items"]
    assert item["outcome"] == "accepted" and item["signals"]["signals"]
    detail = client.get(f"/api/v1/expert/answers/{answer_id}", headers=expert.headers).get_json()
    assert detail["explanation"]["signals"][0]["reason_zh"]
    other = make_pool_expert(app, default_pool(app, make_company(app).id))
    assert (
        client.get(f"/api/v1/expert/answers/{answer_id}", headers=other.headers).status_code == 404
    )


def gold_question(app, company, **extra):
    from marketplace.questions.schemas import GoldQuestionCreateSchema

    data = question_payload(subject="Phone frozen", body="My phone froze, how do I restart?")
    data |= {
        "reference_answers": [
            "Force restart: hold the power and volume down keys for ten seconds until the logo "
            "appears."
        ],
        "required_terms": ["power"],
        **extra,
    }
    return create_gold_question(
        company.id, GoldQuestionCreateSchema().load(data), Actor.system("test")
    ).question


GOLD_PASS = (
    "Hold the power and volume down keys for ten seconds until the logo shows, then release."
)


def test_expert_views_never_say_a_question_was_gold(app, db, client):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    question = gold_question(app, company)
    answer_id = answer_it(db, expert, question.id, GOLD_PASS)
    stored = grading.score_answer(answer_id)
    assert stored.signals["gold"]["passed"] is True  # moderators and the company may know
    listed = client.get("/api/v1/expert/answers", headers=expert.headers).get_json()["items"]
    detail = client.get(f"/api/v1/expert/answers/{answer_id}", headers=expert.headers).get_json()
    for explanation in (listed[0]["signals"], detail["explanation"]):
        assert "gold" not in explanation
        assert "missing_terms" not in str(explanation) and "power" not in str(explanation)
    assert detail["explanation"]["signals"] and detail["explanation"]["components"]


def test_a_gold_answer_with_a_hard_flag_is_held_not_paid(app, db):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    question = gold_question(app, company)
    answer_id = answer_it(db, expert, question.id, GOLD_PASS + " Or call me on 13812345678.")
    answer = grading.score_answer(answer_id)
    assert answer.gold_passed is True
    assert answer.outcome == Outcome.PENDING
    from marketplace.moderation.models import AuditItem
    from marketplace.rewards.models import Reward

    assert db.session.scalars(sa.select(AuditItem).filter_by(answer_id=answer_id)).all()
    assert db.session.scalars(sa.select(Reward).filter_by(answer_id=answer_id)).all() == []


def test_gold_questions_take_the_companys_gold_threshold_when_none_is_given(app, db, client):
    from marketplace.questions.models import GoldReference

    company = make_company(app)
    patched = client.patch(
        "/api/v1/scoring/settings", json={"gold_threshold": 0.4}, headers=company.headers
    )
    assert patched.status_code == 200, patched.get_json()
    own = gold_question(app, company, threshold=0.3)
    default = gold_question(app, company, external_id="gold-default")
    assert db.session.get(GoldReference, own.id).threshold == 0.3
    assert db.session.get(GoldReference, default.id).threshold == 0.4


ORIGINAL = (
    "Open Settings, then Battery, and switch on adaptive charging. Restart the phone "
    "afterwards. If the battery still drains overnight, look at Battery usage to see which "
    "app is using the most power and uninstall or restrict it."
)


def _copied(answer):
    return next(s for s in answer.signals["signals"] if s["code"] == "copied")


def test_the_copy_is_flagged_and_rescoring_the_original_does_not_flag_it(app, db):
    company = make_company(app)
    pool = default_pool(app, company.id)
    author, copier = make_pool_expert(app, pool), make_pool_expert(app, pool)
    original_id = answer_question(app, post_question(app, company), ORIGINAL, author.id)
    first = grading.score_answer(original_id)
    before = (first.score, first.signals)
    # The expert's own earlier words are no copy.
    own_id = answer_question(app, post_question(app, company), ORIGINAL + " Thanks!", author.id)
    assert not _copied(grading.score_answer(own_id))["flagged"]
    copy_id = answer_question(app, post_question(app, company), "Hi! " + ORIGINAL, copier.id)
    copy = grading.score_answer(copy_id)
    assert _copied(copy)["flagged"] and copy.outcome == Outcome.PENDING
    again = grading.score_answer(original_id)
    assert not _copied(again)["flagged"]
    assert (again.score, again.signals) == before  # the same inputs as the first time


LATER = (
    "Overnight drain is often a mail app stuck syncing: remove the mail account, add it "
    "again, and charge the phone to full once so the battery gauge recalibrates."
)


def test_knowledge_base_entries_count_from_their_creation(app, db, client):
    company = make_company(app)
    expert = make_pool_expert(app, default_pool(app, company.id))
    entry = {"title": "Battery", "body": ORIGINAL, "language": "en", "tags": ["battery"]}
    created = client.post("/api/v1/knowledge", json=entry, headers=company.headers)
    assert created.status_code == 201, created.get_json()
    answer_id = answer_question(app, post_question(app, company), "Hello, " + ORIGINAL, expert.id)
    copied = _copied(grading.score_answer(answer_id))
    assert copied["flagged"] and copied["details"]["source"] == "knowledge_base"
    # An article written after the answer is not something it could have copied.
    later_id = answer_question(app, post_question(app, company), LATER, expert.id)
    assert not _copied(grading.score_answer(later_id))["flagged"]
    client.post(
        "/api/v1/knowledge", json=entry | {"body": LATER, "title": "Later"}, headers=company.headers
    )
    assert not _copied(grading.score_answer(later_id))["flagged"]
