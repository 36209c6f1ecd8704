"""`flask` command groups: company, user, demo, ledger, rewards, payouts, prod; serve, worker."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from marketplace.accounts.models import Role
from marketplace.accounts.services import create_user
from marketplace.companies.services import create_company, find_company, issue_api_key
from marketplace.errors import DomainError
from marketplace.eventlog.services import Actor
from marketplace.experts.services import admit_to_pool, create_expert, parse_skills
from marketplace.rewards.currencies import parse_major

company_cli = AppGroup("company", help="Create companies, API keys and top-ups.")
user_cli = AppGroup("user", help="Create experts, moderators and admins.")
demo_cli = AppGroup("demo", help="The demo marketplace used by `make run`.")
CLI_ACTOR = Actor.system("cli")


def _fail(error: DomainError) -> None:
    fields = "; ".join(f"{k}: {v}" for k, v in (error.errors or {}).items())
    raise click.ClickException(f"{error.detail} {fields}".strip())


@company_cli.command("create")
@click.argument("name")
@click.option("--currency", default="CNY", show_default=True, help="ISO 4217 budget currency.")
@click.option("--slug", default=None, help="URL name (default: from NAME).")
@click.option("--budget", default=None, help="Initial prepaid budget in major units, e.g. 500.00")
def company_create(name: str, currency: str, slug: str | None, budget: str | None) -> None:
    """Create a company and print its first API key (shown only this once)."""
    from marketplace.rewards.services import top_up

    try:
        issued = create_company(name, currency.upper(), slug=slug, actor=CLI_ACTOR)
        if budget:
            top_up(
                issued.key.company_id,
                parse_major(budget, currency.upper()),
                currency.upper(),
                "initial",
                CLI_ACTOR,
            )
    except DomainError as error:
        _fail(error)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"company {issued.key.company_id}")
    click.echo(f"api key (shown once): {issued.secret}")


@company_cli.command("key")
@click.argument("company")
@click.option("--name", default="cli", show_default=True)
def company_key(company: str, name: str) -> None:
    """Issue another API key for COMPANY (slug or id); printed once."""
    try:
        issued = issue_api_key(find_company(company).id, name, CLI_ACTOR)
    except DomainError as error:
        _fail(error)
    click.echo(issued.secret)


@company_cli.command("top-up")
@click.argument("company")
@click.argument("amount")
@click.option("--currency", default=None, help="Default: the company's currency.")
@click.option(
    "--key",
    "idempotency_key",
    required=True,
    help="Idempotency key: the same key never tops up twice (e.g. a bank reference).",
)
def company_top_up(company: str, amount: str, currency: str | None, idempotency_key: str) -> None:
    """Add AMOUNT (major units, e.g. 250.00) to COMPANY's prepaid budget."""
    from marketplace.rewards.services import top_up

    try:
        target = find_company(company)
        currency = (currency or target.currency).upper()
        _, posted = top_up(
            target.id, parse_major(amount, currency), currency, idempotency_key, CLI_ACTOR
        )
    except DomainError as error:
        _fail(error)
    except (ValueError, KeyError) as error:
        raise click.ClickException(f"bad amount or currency: {error}") from error
    click.echo("topped up" if posted else "already done with this key; nothing changed")


@user_cli.command("create-expert")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--languages", default="en", show_default=True, help="e.g. en,zh")
@click.option("--skills", default="", help="tag:level pairs, e.g. billing:4,shipping:2")
@click.option("--capacity", default=2, show_default=True)
@click.option("--pool", "pools", multiple=True, help="company-slug/pool-slug to admit into")
def user_create_expert(
    email: str,
    name: str,
    password: str,
    languages: str,
    skills: str,
    capacity: int,
    pools: tuple[str, ...],
) -> None:
    """Create an expert and optionally admit them to pools (at probation tier)."""
    from marketplace.companies.services import find_pool

    try:
        user = create_expert(
            email,
            password,
            name,
            languages=languages.split(","),
            skills=parse_skills(skills),
            capacity=capacity,
            actor=CLI_ACTOR,
        )
        for spec in pools:
            company_slug, _, pool_slug = spec.partition("/")
            pool = find_pool(find_company(company_slug).id, pool_slug or None)
            admit_to_pool(user.id, pool.id, CLI_ACTOR)
    except DomainError as error:
        _fail(error)
    click.echo(f"expert {user.id}")


@user_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role if r != Role.EXPERT]), required=True
)
@click.option("--company", default=None, help="Company slug (company admins and moderators).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_create(email: str, name: str, role: str, company: str | None, password: str) -> None:
    """Create a moderator, company admin or platform admin."""
    try:
        company_id = find_company(company).id if company else None
        user = create_user(
            email, password, name, Role(role), company_id=company_id, actor=CLI_ACTOR
        )
    except DomainError as error:
        _fail(error)
    click.echo(f"{role} {user.id}")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has companies.")
def demo_seed(if_empty: bool) -> None:
    """Build the demo marketplace: 2 companies, 3 brand pools, 30 experts, 200 questions."""
    from marketplace.demo import services as demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refusing to seed demo data in production")
    if if_empty and not demo.is_empty():
        click.echo("database already has data; demo seed skipped")
        return
    try:
        summary = demo.seed()
    except DomainError as error:
        _fail(error)
    click.echo(
        f"seeded {len(summary.companies)} companies, {summary.experts} experts, "
        f"{summary.questions} questions"
    )


@demo_cli.command("key")
@click.option("--company", default="aurora", show_default=True)
def demo_key(company: str) -> None:
    """Print a fresh API key for a demo company (earlier demo keys are revoked)."""
    from marketplace.demo import services as demo

    try:
        click.echo(demo.fresh_demo_key(company))
    except LookupError as error:
        raise click.ClickException(str(error)) from error


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo logins."""
    from marketplace.demo.services import DEMO_PASSWORD

    click.echo(f"password for every demo login: {DEMO_PASSWORD}")
    for email, what in [
        ("expert01@demo.test", "expert (expert01..expert30@demo.test)"),
        ("admin@aurora.demo.test", "company admin, Aurora"),
        ("moderator@aurora.demo.test", "moderator, Aurora"),
        ("admin@lumen.demo.test", "company admin, Lumen"),
        ("moderator@lumen.demo.test", "moderator, Lumen"),
    ]:
        click.echo(f"  {email:32} {what}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve HTTP and Socket.IO with the embedded threaded server (development, `make run`)."""
    from werkzeug.serving import run_simple

    if current_app.config["SOCKETIO_ASYNC_MODE"] != "threading":
        raise click.ClickException(
            "`flask serve` is the embedded server; production uses "
            "gunicorn with gevent (see README)"
        )
    click.echo(f"serving on http://{host}:{port}  (Ctrl+C to stop)")
    # Flask-SocketIO's threading mode runs on Werkzeug's threaded server (websockets through
    # simple-websocket); app.run() would refuse to start from inside a `flask` command.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


@click.command("worker")
@click.option("--queues", default="high,default,low", show_default=True)
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option(
    "--fork/--no-fork",
    default=None,
    help="A fresh work horse per job (RQ's default) instead of running jobs in the worker "
    "process; default: WORKER_FORK, else no.",
)
def worker(queues: str, burst: bool, fork: bool | None) -> None:
    """Run an RQ worker (with the scheduler) for this app's queues; needs REDIS_URL."""
    from workers.runner import run_worker

    current_app.config["MATCHING_ENGINE_AUTOSTART"] = False  # engines run in web processes
    if fork is None:
        fork = current_app.config["WORKER_FORK"]
    run_worker(current_app, queues.split(","), burst=burst, fork=fork)


ledger_cli = AppGroup("ledger", help="Verify the double-entry ledger.")
rewards_cli = AppGroup("rewards", help="Settle accepted rewards.")
payouts_cli = AppGroup("payouts", help="Build payout batches and confirm their transfers.")


@ledger_cli.command("check")
def ledger_check() -> None:
    """Verify every money invariant; print each violation and exit 1 if there is any."""
    from marketplace.rewards.checks import check_ledger

    violations = check_ledger()
    for violation in violations:
        click.echo(f"violation: {violation}", err=True)
    if violations:
        raise click.exceptions.Exit(1)
    click.echo("ledger ok: every invariant holds")


@rewards_cli.command("settle")
@click.option("--limit", default=500, show_default=True, help="Rewards per transaction.")
def rewards_settle(limit: int) -> None:
    """Settle every pending reward now (what the scheduled sweep does every minute)."""
    from marketplace.rewards.settlement import settle_all

    total, _ = settle_all(limit, max_seconds=3600)
    click.echo(f"settled {total} rewards")


@rewards_cli.command("blocked")
def rewards_blocked() -> None:
    """List pending rewards settlement set aside (their question's hold falls short)."""
    from marketplace.rewards.settlement import blocked_rewards

    rewards = blocked_rewards()
    for reward in rewards:
        click.echo(
            f"{reward.id}  answer {reward.answer_id}  {reward.payout + reward.fee} "
            f"{reward.currency}  since {reward.blocked_at.isoformat()}: {reward.blocked_reason}"
        )
    click.echo(f"{len(rewards)} blocked rewards")


@rewards_cli.command("unblock")
@click.argument("reward_ids", nargs=-1, type=click.UUID)
def rewards_unblock(reward_ids: tuple) -> None:
    """Let settlement retry set-aside rewards (all, or REWARD_IDS); the next sweep runs them."""
    from marketplace.rewards.settlement import unblock

    click.echo(f"unblocked {unblock(list(reward_ids))} rewards")


@payouts_cli.command("build")
@click.option("--key", default=None, help="Batch key (default: today's UTC date).")
def payouts_build(key: str | None) -> None:
    """Gather earnings at or above the minimum into a batch and write its bank file."""
    from marketplace.rewards.payouts import build_payout_batch

    batch = build_payout_batch(key, actor=CLI_ACTOR)
    if batch is None:
        click.echo("nobody is due a payout; no batch built")
        return
    click.echo(f"batch {batch.key} ({batch.id}): {batch.file_path}")


@payouts_cli.command("mark")
@click.argument("batch")
@click.argument("outcome", type=click.Choice(["paid", "failed"]))
@click.option("--item", "items", multiple=True, help="Only this payout id (repeatable).")
def payouts_mark(batch: str, outcome: str, items: tuple[str, ...]) -> None:
    """Mark BATCH's in-flight payouts (or the --item ones) paid or failed."""
    import uuid

    from marketplace.rewards.payouts import resolve_payouts

    try:
        result = resolve_payouts(batch, outcome, [uuid.UUID(i) for i in items], CLI_ACTOR)
    except DomainError as error:
        _fail(error)
    except ValueError as error:
        raise click.ClickException(f"bad payout id: {error}") from error
    click.echo(f"batch {result.key}: marked {outcome}; batch is {result.status.value}")


prod_cli = AppGroup("prod", help="Run the production set-up of one machine (docs/operations.md).")


@prod_cli.command("serve")
@click.option(
    "--web", type=click.IntRange(min=1), default=2, show_default=True, help="Web processes."
)
@click.option(
    "--workers", type=click.IntRange(min=0), default=2, show_default=True, help="RQ workers."
)
@click.option("--port", default=8000, show_default=True, help="nginx's port; web use the next N.")
@click.option("--host", default="127.0.0.1", show_default=True, help="nginx's listen address.")
@click.option("--run-dir", default=None, help="Config, state and metrics [instance/prod].")
@click.option("--graceful-timeout", default=20, show_default=True, help="Seconds per web stop.")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def prod_serve(
    web: int,
    workers: int,
    port: int,
    host: str,
    run_dir: str | None,
    graceful_timeout: int,
    access_log: bool,
) -> None:
    """Migrate, then run nginx, WEB web processes and WORKERS RQ workers until SIGTERM/SIGINT."""
    import os
    from pathlib import Path

    from flask_migrate import upgrade

    from marketplace.ops import nginx, production

    try:
        production.check_environment(current_app.config)
    except production.NotConfigured as error:
        raise click.ClickException(f"refusing to start: {error}") from error
    binary = nginx.find_nginx()
    if binary is None:
        raise click.ClickException("nginx not found: `make serve-prod` installs Debian's nginx")
    options = production.ServeOptions(
        web=web,
        workers=workers,
        port=port,
        host=host,
        run_dir=Path(run_dir or os.path.join(current_app.instance_path, "prod")).resolve(),
        graceful_timeout=graceful_timeout,
        access_log=access_log,
    )
    upgrade()
    supervisor = production.build(options, binary, bool(current_app.config["METRICS_TOKEN"]))
    click.echo(f"serving on http://{host}:{port}  state: {supervisor.state_path}", err=True)
    raise SystemExit(supervisor.run())


@prod_cli.command("status")
@click.option("--run-dir", default=None, help="As given to `prod serve` [instance/prod].")
def prod_status(run_dir: str | None) -> None:
    """Print the state file of `prod serve`: its children with pid, role and port."""
    import json
    import os
    from pathlib import Path

    path = Path(run_dir or os.path.join(current_app.instance_path, "prod")) / "state.json"
    if not path.exists():
        raise click.ClickException(f"no {path}: `flask prod serve` has not run here")
    click.echo(json.dumps(json.loads(path.read_text()), indent=2))


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for command in (
        company_cli,
        user_cli,
        demo_cli,
        ledger_cli,
        rewards_cli,
        payouts_cli,
        prod_cli,
        serve,
        worker,
    ):
        app.cli.add_command(command)
