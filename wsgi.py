"""WSGI entry point: builds `app` and `socketio` for servers (`gunicorn wsgi:app`)."""

from marketplace import create_app
from marketplace.extensions import socketio

app = create_app()

__all__ = ["app", "socketio"]
