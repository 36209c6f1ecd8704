"""Staff or crowd is decided by the ring the offer came through, not by pool membership."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.answers.services import submit_answer
from marketplace.companies.models import PoolKind
from marketplace.companies.services import create_pool
from marketplace.eventlog.services import Actor
from marketplace.experts.models import PoolMembership
from marketplace.experts.services import admit_to_pool
from marketplace.matching import claims, services
from marketplace.matching.models import Offer
from marketplace.matching.settings import DEFAULT_RINGS
from marketplace.moderation.models import AuditItem
from marketplace.questions.models import Question
from marketplace.rewards import lifecycle
from marketplace.rewards.models import RewardStatus
from marketplace.rewards.services import held_for_question
from tests.factories import default_pool, make_company, make_pool_expert, post_question

STAFF_RING = [ring.name for ring in DEFAULT_RINGS].index("staff")


def answer(db, expert, question_id, key):
    offer = db.session.scalars(sa.select(Offer).filter_by(question_id=question_id)).one()
    assignment = claims.accept_offer(expert.id, offer.id, Actor.user(expert.id))
    submitted, _ = submit_answer(
        expert.id, assignment.id, "Here is how.", key, Actor.user(expert.id)
    )
    return offer, assignment, submitted


def test_a_crowd_member_answering_through_the_staff_ring_is_not_paid(app, db):
    company = make_company(app)
    crowd = default_pool(app, company.id)
    staff = create_pool(company.id, "staff", "Staff", "B", PoolKind.STAFF, Actor.system("t")).id
    # An employee who is also vetted into the brand's crowd pool.
    employee = make_pool_expert(app, staff, skills={})
    admit_to_pool(employee.id, crowd, Actor.system("t"))
    question_id = post_question(app, company)
    question = db.session.get(Question, question_id)
    question.ring = STAFF_RING
    db.session.commit()
    assert services.drain() == 1
    offer, assignment, submitted = answer(db, employee, question_id, "key-staff-0001")
    assert offer.pool_kind == PoolKind.STAFF
    assert services.offered_through_staff(assignment.id)
    assert held_for_question(question_id) == 0
    reward = lifecycle.accept_answer_reward(submitted.id, 1.0, Actor.system("t"))
    assert (reward.status, reward.payout) == (RewardStatus.VOID, 0)


def test_a_crowd_expert_no_longer_in_the_pool_is_still_crowd(app, db):
    company = make_company(app)
    crowd = default_pool(app, company.id)
    fan = make_pool_expert(app, crowd)
    question_id = post_question(app, company)
    assert services.drain() == 1
    offer = db.session.scalars(sa.select(Offer).filter_by(question_id=question_id)).one()
    assert offer.pool_kind == PoolKind.CROWD
    db.session.execute(sa.delete(PoolMembership).filter_by(expert_id=fan.id))  # left the pool
    db.session.commit()
    _, assignment, submitted = answer(db, fan, question_id, "key-crowd-0001")
    assert not services.offered_through_staff(assignment.id)
    assert held_for_question(question_id) > 0  # still to be paid from the hold
    # Audited like a newcomer, not waved through as staff.
    item = db.session.scalars(sa.select(AuditItem).filter_by(answer_id=submitted.id)).one()
    assert "probation" in item.reasons
