"""Answer submission: sanitised, bounded, idempotent, one per assignment; the company hears."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.answers.models import Answer
from marketplace.answers.services import AssignmentClosed, sanitize, submit_answer
from marketplace.database import utcnow
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.eventlog.services import Actor
from marketplace.matching import claims, services
from marketplace.matching.models import Assignment, Offer
from marketplace.questions.models import Question, QuestionStatus
from marketplace.rewards.services import held_for_question
from tests.factories import default_pool, make_company, make_pool_expert, post_question


@pytest.fixture
def assigned(app, db):
    company = make_company(app)
    pool = default_pool(app, company.id)
    expert = make_pool_expert(app, pool)
    question_id = post_question(app, company)
    services.drain()
    offer = db.session.scalars(sa.select(Offer).filter_by(question_id=question_id)).one()
    assignment = claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    return company, expert, question_id, assignment.id


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<script>alert(1)</script>Restart the phone.", "Restart the phone."),
        ("<b>Hold</b> the <a href='javascript:x()'>power</a> key", "Hold the power key"),
        ("Use 5 < 7 & check <img src=x onerror=alert(1)>", "Use 5 < 7 & check"),
        ("  重启手机\u200b即可。<style>p{}</style>", "重启手机即可。"),
    ],
)
def test_answers_are_stored_as_plain_text(raw, clean):
    assert sanitize(raw) == clean


def test_submitting_answers_the_question_and_tells_the_company(app, db, client, assigned):
    company, expert, question_id, assignment_id = assigned
    answer, created = submit_answer(
        expert.id,
        assignment_id,
        "<p>Calibrate the battery.</p>",
        "key-aaaaaaaa",
        Actor.user(expert.id),
    )
    assert created and answer.body == "Calibrate the battery."
    db.session.expire_all()
    assert db.session.get(Question, question_id).status == QuestionStatus.ANSWERED
    seen = client.get(f"/api/v1/questions/{question_id}", headers=company.headers).get_json()
    assert seen["status"] == "answered" and seen["answer"]["body"] == "Calibrate the battery."


def test_the_same_key_returns_the_first_answer_and_a_second_answer_is_refused(app, db, assigned):
    _, expert, _, assignment_id = assigned
    actor = Actor.user(expert.id)
    first, _ = submit_answer(expert.id, assignment_id, "First.", "key-bbbbbbbb", actor)
    again, created = submit_answer(expert.id, assignment_id, "Changed mind.", "key-bbbbbbbb", actor)
    assert not created and again.id == first.id and again.body == "First."
    with pytest.raises(AssignmentClosed):
        submit_answer(expert.id, assignment_id, "Another.", "key-cccccccc", actor)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 1


@pytest.mark.parametrize("body", ["", "   ", "<script>only()</script>", "x" * 5001])
def test_empty_or_over_long_answers_are_refused_and_nothing_changes(app, db, assigned, body):
    _, expert, question_id, assignment_id = assigned
    with pytest.raises(InvalidInput) as error:
        submit_answer(expert.id, assignment_id, body, "key-dddddddd", Actor.user(expert.id))
    assert "body" in error.value.errors
    assert db.session.get(Question, question_id).status == QuestionStatus.ASSIGNED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_someone_elses_or_an_expired_assignment_is_refused(app, db, assigned):
    company, expert, _, assignment_id = assigned
    other = make_pool_expert(app, default_pool(app, company.id))
    with pytest.raises(NotFound):
        submit_answer(other.id, assignment_id, "Mine now.", "key-eeeeeeee", Actor.user(other.id))
    db.session.get(Assignment, assignment_id).deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    claims.expire_assignment(assignment_id)
    with pytest.raises(Conflict):
        submit_answer(expert.id, assignment_id, "Too late.", "key-ffffffff", Actor.user(expert.id))


def test_a_staff_answer_releases_the_hold(app, db):
    from marketplace.companies.models import PoolKind
    from marketplace.companies.services import create_pool
    from marketplace.matching.settings import DEFAULT_RINGS
    from marketplace.questions.models import Question as Q

    company = make_company(app)
    staff_pool = create_pool(
        company.id, "staff", "Staff", "B", PoolKind.STAFF, Actor.system("test")
    ).id
    staffer = make_pool_expert(app, staff_pool)
    question_id = post_question(app, company)
    question = db.session.get(Q, question_id)
    question.ring = [ring.name for ring in DEFAULT_RINGS].index("staff")
    db.session.commit()
    services.drain()
    offer = db.session.scalars(sa.select(Offer).filter_by(question_id=question_id)).one()
    assignment = claims.accept_offer(staffer.id, offer.id, Actor.user(staffer.id))
    assert held_for_question(question_id) > 0
    submit_answer(
        staffer.id, assignment.id, "Handled in-house.", "key-gggggggg", Actor.user(staffer.id)
    )
    assert held_for_question(question_id) == 0
