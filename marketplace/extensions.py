"""Unbound extensions, bound to an app in create_app()."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy

from marketplace.database import Base
from marketplace.queue import JobQueue

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
queue = JobQueue()
