"""Alembic environment for Flask-Migrate: runs against the app's engine and metadata."""

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

from marketplace.database import UtcDateTime

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Render our Python-side column types as plain SQL types, so migrations stand alone."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, sa.JSON):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def _configure(**kwargs):
    options = {"compare_type": True, "render_as_batch": True}
    options |= current_app.extensions["migrate"].configure_args | kwargs
    context.configure(target_metadata=target_db.metadata, render_item=render_item, **options)


def run_migrations_offline():
    """Emit SQL for the configured URL without connecting."""
    url = target_db.engine.url.render_as_string(hide_password=False)
    _configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations on the app's engine."""

    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with target_db.engine.connect() as connection:
        _configure(connection=connection, process_revision_directives=process_revision_directives)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
