"""A bare python-socketio echo server (gunicorn + gevent): the transport baseline for benchmarks."""

import socketio

sio = socketio.Server(async_mode="gevent", ping_interval=10, ping_timeout=10)
app = socketio.WSGIApp(sio)


@sio.on("echo")
def echo(sid, data):
    """Send the payload straight back as the acknowledgement."""
    return data
