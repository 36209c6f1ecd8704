"""The generated nginx config: upstream of every web process, sticky, websockets, timeouts,
forwarded headers, /metrics kept local; and nginx itself accepts it."""

from __future__ import annotations

import subprocess

import pytest

from marketplace.ops import nginx


def settings(tmp_path, **overrides):
    values = {"host": "127.0.0.1", "port": 8000, "web_ports": (8001, 8002), "run_dir": tmp_path}
    return nginx.ProxySettings(**(values | overrides))


def test_the_upstream_lists_every_web_process_and_is_sticky(tmp_path):
    text = nginx.render(settings(tmp_path, web_ports=(8001, 8002, 8003)))
    for port in (8001, 8002, 8003):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" in text
    assert "hash $mkt_route consistent;" in text
    assert "listen 127.0.0.1:8000;" in text
    # The routing key: the cookie, else the address (polling) or a random id (websocket).
    assert (
        "map $cookie_mkt_route $mkt_route {\n        default $cookie_mkt_route;\n"
        '        "" $mkt_first_key;' in text
    )
    assert (
        "map $arg_transport $mkt_first_key {\n        default $remote_addr;\n"
        "        websocket $request_id;" in text
    )


def test_websockets_and_forwarded_headers_pass_through_with_long_timeouts(tmp_path):
    text = nginx.render(settings(tmp_path))
    socket_block = text[text.index("location /socket.io/") : text.index("location = /metrics")]
    assert "proxy_set_header Upgrade $http_upgrade;" in socket_block
    assert "proxy_set_header Connection $mkt_connection;" in socket_block
    assert "proxy_buffering off;" in socket_block
    assert "proxy_read_timeout 60s;" in text  # Socket.IO pings every 10 s, waits 10 s
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme"):
        assert text.count(f"proxy_set_header {header};") == 3  # in every location
    assert text.count("proxy_set_header Host $http_host;") == 3  # with the port: same origin


def test_metrics_are_loopback_only_unless_a_token_guards_them(tmp_path):
    local = nginx.render(settings(tmp_path))
    block = local[local.index("location = /metrics") : local.index("location / {")]
    assert "allow 127.0.0.0/8;" in block and "deny all;" in block
    public = nginx.render(settings(tmp_path, metrics_public=True))
    assert "deny all;" not in public


def test_nginx_accepts_the_written_config(tmp_path):
    binary = nginx.find_nginx()
    if binary is None:
        pytest.skip("nginx is not installed (`make serve-prod` installs Debian's)")
    path = nginx.write_config(settings(tmp_path))
    result = subprocess.run(
        [binary, "-t", "-p", f"{tmp_path}/", "-c", str(path), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_command_runs_nginx_in_the_foreground(tmp_path):
    argv = nginx.command("/usr/sbin/nginx", tmp_path, tmp_path / "nginx.conf")
    assert argv[-2:] == ["-g", "daemon off;"] and argv[argv.index("-e") + 1] == "stderr"
