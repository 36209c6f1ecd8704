"""The nginx in front of the web processes: its config, written under instance/, and its binary.

Stickiness: a Socket.IO session polls over many requests that must reach the process that
holds it. nginx hashes a routing key (consistent hashing, so a restarted process gets its
keys back): the `mkt_route` cookie when the client has one, else the client address for a
polling handshake (clients that keep no cookie stay on one process) or a random key for a
websocket handshake (a websocket is one connection, so websockets from one address spread
over all processes). The first response sets the cookie to that key.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import resource
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

COOKIE = "mkt_route"
NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


@dataclass(frozen=True)
class ProxySettings:
    """What the generated config needs to know."""

    host: str
    port: int
    web_ports: tuple[int, ...]
    run_dir: Path
    # Longer than a Socket.IO ping interval + timeout, so idle sockets are never cut by nginx.
    read_timeout_seconds: int = 60
    max_body_bytes: int = 5 * 1024 * 1024
    metrics_public: bool = False  # True when METRICS_TOKEN guards /metrics in the app
    access_log: bool = True


def find_nginx() -> str | None:
    """The nginx binary: $NGINX, PATH, or Debian's location."""
    explicit = os.environ.get("NGINX")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_PATHS if os.access(p, os.X_OK)), None)


def command(binary: str, run_dir: Path, config_path: Path) -> list[str]:
    """nginx in the foreground, so the supervisor owns it; errors on stderr."""
    return [
        binary,
        "-p",
        f"{run_dir}/",
        "-c",
        str(config_path),
        "-e",
        "stderr",
        "-g",
        "daemon off;",
    ]


def write_config(settings: ProxySettings) -> Path:
    """Write nginx.conf under the run directory, and the temp directories nginx buffers
    large bodies in."""
    user = _worker_user()
    temp = temp_dir(settings.run_dir, user is not None)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / name).mkdir(parents=True, exist_ok=True)
    if user is not None:  # root's nginx workers run as an unprivileged user that owns temp
        for path in [temp, *temp.iterdir()]:
            os.chown(path, user.pw_uid, user.pw_gid)
    path = settings.run_dir / "nginx.conf"
    path.write_text(render(settings, user.pw_name if user else None))
    return path


def temp_dir(run_dir: Path, unprivileged_workers: bool) -> Path:
    """Under the run directory; for root's nginx, whose workers may not be able to enter it
    (a private instance/), a directory of their own under the system temp directory."""
    if not unprivileged_workers:
        return run_dir / "nginx-temp"
    digest = hashlib.sha256(str(run_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"marketplace-nginx-{digest}"


def _open_files_limit(wanted: int = 65536) -> int:
    """As many descriptors as nginx may have here (raising past the hard limit fails)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)


def _worker_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nginx", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def render(settings: ProxySettings, user: str | None = None) -> str:
    """The config text."""
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"
        for port in settings.web_ports
    )
    temp = temp_dir(settings.run_dir, user is not None)
    timeout = settings.read_timeout_seconds
    nofile = _open_files_limit()
    metrics_access = "" if settings.metrics_public else _LOOPBACK_ONLY
    access_log = (
        "access_log /dev/stdout marketplace_json;" if settings.access_log else "access_log off;"
    )
    return (
        _TEMPLATE.format(
            user=f"user {user};" if user else "# running unprivileged: no user directive",
            pid=settings.run_dir / "nginx.pid",
            temp=temp,
            access_log=access_log,
            cookie=COOKIE,
            servers=servers,
            listen=f"{settings.host}:{settings.port}",
            max_body=settings.max_body_bytes,
            timeout=timeout,
            metrics_access=metrics_access,
            nofile=nofile,
            connections=max(1024, nofile // 2),  # a proxied connection holds two descriptors
        )
        .replace("[[", "{")
        .replace("]]", "}")
    )


_LOOPBACK_ONLY = """
            allow 127.0.0.0/8;
            allow ::1;
            deny all;"""

_PROXY_HEADERS = """
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-ID $mkt_request_id;
            add_header Set-Cookie $mkt_set_cookie always;"""

_TEMPLATE = (
    """# Written by `flask prod serve`; regenerated at every start (edits here are lost).
{user}
worker_processes auto;
worker_rlimit_nofile {nofile};
pid {pid};
error_log stderr warn;
# Graceful stop (SIGQUIT) waits at most this long for open connections such as websockets.
worker_shutdown_timeout 10s;

events [[
    worker_connections {connections};
]]

http [[
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server_tokens off;

    log_format marketplace_json escape=json
        '[["time":"$time_iso8601","level":"INFO","logger":"nginx.access",'
        '"message":"$request_method $uri $status","process":$pid,'
        '"request_id":"$mkt_request_id","remote_addr":"$remote_addr",'
        '"method":"$request_method","path":"$uri","status":$status,'
        '"bytes":$body_bytes_sent,"request_time":$request_time,'
        '"upstream":"$upstream_addr","upstream_time":"$upstream_response_time"]]';
    {access_log}

    # Websockets: pass the Upgrade through. No upstream keepalive: an idle kept-alive
    # connection would hold a stopping web process for its whole graceful timeout.
    map $http_upgrade $mkt_connection [[
        default upgrade;
        "" close;
    ]]
    # A caller's X-Request-ID is passed on; otherwise nginx makes one (the app echoes it).
    map $http_x_request_id $mkt_request_id [[
        default $http_x_request_id;
        "" $request_id;
    ]]
    # Stickiness (see marketplace/ops/nginx.py): cookie, else address (polling) or random.
    map $arg_transport $mkt_first_key [[
        default $remote_addr;
        websocket $request_id;
    ]]
    map $cookie_{cookie} $mkt_route [[
        default $cookie_{cookie};
        "" $mkt_first_key;
    ]]
    map $cookie_{cookie} $mkt_set_cookie [[
        default "";
        "" "{cookie}=$mkt_route; Path=/; HttpOnly; SameSite=Lax";
    ]]

    upstream marketplace_web [[
        hash $mkt_route consistent;
{servers}
    ]]

    server [[
        listen {listen};
        client_max_body_size {max_body};
        proxy_http_version 1.1;
        proxy_connect_timeout 5s;
        proxy_read_timeout {timeout}s;
        proxy_send_timeout {timeout}s;
        # A process that refuses or drops a connection is skipped; the request goes on to
        # the next one (nginx never repeats a request it has already sent, e.g. a POST).
        proxy_next_upstream error timeout;
        proxy_next_upstream_tries 3;

        location /socket.io/ [[
            proxy_pass http://marketplace_web;
            proxy_buffering off;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $mkt_connection;"""
    + _PROXY_HEADERS
    + """
        ]]

        location = /metrics [[{metrics_access}
            proxy_pass http://marketplace_web;"""
    + _PROXY_HEADERS
    + """
        ]]

        location / [[
            proxy_pass http://marketplace_web;"""
    + _PROXY_HEADERS
    + """
        ]]
    ]]
]]
"""
)
