"""The flask command groups: companies, keys, top-ups, users and the demo marketplace."""

from __future__ import annotations

import re

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.companies.models import Pool, PoolKind
from marketplace.experts.models import ExpertProfile, PoolMembership
from marketplace.questions.models import Question


def test_company_create_prints_a_working_key_once(app, runner, client):
    result = runner.invoke(
        args=[
            "company",
            "create",
            "Acme 阿克米",
            "--slug",
            "acme",
            "--currency",
            "USD",
            "--budget",
            "250.00",
        ]
    )
    assert result.exit_code == 0, result.output
    key = re.search(r"api key \(shown once\): (\S+)", result.output).group(1)
    account = client.get("/api/v1/account", headers={"Authorization": f"Bearer {key}"})
    assert account.status_code == 200
    assert account.get_json()["balances"] == [
        {"currency": "USD", "budget": 25000, "on_hold": 0, "spent": 0, "topped_up": 25000}
    ]
    again = runner.invoke(args=["company", "create", "Other", "--slug", "acme"])
    assert again.exit_code != 0 and "Already taken" in again.output


def test_company_top_up_is_idempotent_per_key(app, runner, client):
    runner.invoke(args=["company", "create", "Acme", "--slug", "acme", "--currency", "JPY"])
    first = runner.invoke(args=["company", "top-up", "acme", "1000", "--key", "bank-ref-1"])
    second = runner.invoke(args=["company", "top-up", "acme", "1000", "--key", "bank-ref-1"])
    assert "topped up" in first.output and "already done" in second.output
    key = runner.invoke(args=["company", "key", "acme"]).output.strip()
    balances = client.get("/api/v1/account", headers={"Authorization": f"Bearer {key}"})
    assert balances.get_json()["balances"][0]["budget"] == 1000
    bad = runner.invoke(args=["company", "top-up", "acme", "10.5", "--key", "k2"])
    assert bad.exit_code != 0  # JPY has no minor unit
    negative = runner.invoke(args=["company", "top-up", "acme", "-5", "--key", "k3"])
    assert negative.exit_code != 0


def test_user_commands_create_experts_and_moderators(app, runner, db):
    runner.invoke(args=["company", "create", "Acme", "--slug", "acme"])
    expert = runner.invoke(
        args=[
            "user",
            "create-expert",
            "Fan@Example.test",
            "--name",
            "Fan",
            "--password",
            "long-password",
            "--languages",
            "zh,en",
            "--skills",
            "battery:4,screen",
            "--pool",
            "acme/default",
        ]
    )
    assert expert.exit_code == 0, expert.output
    moderator = runner.invoke(
        args=[
            "user",
            "create",
            "mod@example.test",
            "--name",
            "Mod",
            "--role",
            "moderator",
            "--company",
            "acme",
            "--password",
            "long-password",
        ]
    )
    assert moderator.exit_code == 0, moderator.output
    user = db.session.scalars(sa.select(User).filter_by(email="fan@example.test")).one()
    assert user.role == Role.EXPERT and user.password_hash != "long-password"
    assert db.session.get(ExpertProfile, user.id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolMembership)) == 1
    weak = runner.invoke(
        args=["user", "create-expert", "x@example.test", "--name", "X", "--password", "short"]
    )
    assert weak.exit_code != 0 and "password" in weak.output


def test_demo_seed_builds_the_demo_marketplace_once(app, runner, db):
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "seeded 2 companies, 30 experts, 200 questions" in result.output
    pools = db.session.scalars(sa.select(Pool)).all()
    assert len([p for p in pools if p.kind == PoolKind.CROWD]) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExpertProfile)) == 30
    channels = set(db.session.scalars(sa.select(Question.channel)))
    assert {c.value for c in channels} == {
        "web",
        "app",
        "email",
        "wechat",
        "weibo",
        "phone",
        "other",
    }
    languages = set(db.session.scalars(sa.select(Question.language)))
    assert languages == {"en", "zh"}
    skipped = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "skipped" in skipped.output
    regular = sa.select(sa.func.count()).select_from(Question).filter_by(is_gold=False)
    assert db.session.scalar(regular) == 200
    gold = sa.select(sa.func.count()).select_from(Question).filter_by(is_gold=True)
    assert db.session.scalar(gold) == 5  # qualification tests draw from them
    # Each company's first pool prices questions posted without a reward.
    priced = [p.slug for p in pools if (p.settings or {}).get("reward_table")]
    assert len(priced) == 2


def test_demo_key_revokes_the_previous_one(app, runner, client):
    runner.invoke(args=["demo", "seed"])
    first = runner.invoke(args=["demo", "key"]).output.strip()
    second = runner.invoke(args=["demo", "key"]).output.strip()
    auth = lambda key: {"Authorization": f"Bearer {key}"}  # noqa: E731
    assert client.get("/api/v1/account", headers=auth(first)).status_code == 401
    assert client.get("/api/v1/account", headers=auth(second)).status_code == 200
