"""`make serve` (cli/serve_many.py) without Streamlit: the nginx configuration it writes, nginx
itself routing by that configuration to small stand-in servers (a session's websocket and its
upload land on one process, chosen by the cookie nginx sets), and several reading processes
seeing one write. The whole app behind nginx, in a browser: tests/test_browser_serve_many.py."""
from __future__ import annotations

import base64
import hashlib
import http.client
import re
import socketserver
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from cli.serve_many import COOKIE, find_nginx, free_ports, nginx_config, prepare_folder, upload_limit_mb
from tests.conftest import ROOT

PORTS = [41001, 41002, 41003]


def config(ports=PORTS, **kw) -> str:
    return nginx_config(ports, **{"port": 8501, "address": None, "folder": Path("/srv/chiso/build/serve"),
                                  "max_body_mb": 65, **kw})


def block(text: str, head: str) -> str:
    """The body of the first ``head { … }`` block (no nested braces in the blocks asked for)."""
    found = re.search(re.escape(head) + r" \{\n(.*?)\n\s*\}", text, re.S)
    assert found, head
    return found.group(1)


def test_each_process_is_one_upstream_on_loopback():
    conf = config()
    upstreams = re.findall(r"upstream (\w+) \{\s*server ([\d.]+):(\d+);\s*\}", conf)
    assert upstreams == [("chiso_node_1", "127.0.0.1", "41001"), ("chiso_node_2", "127.0.0.1", "41002"),
                         ("chiso_node_3", "127.0.0.1", "41003")]
    # a browser without a cookie: every process in turn
    assert re.findall(r"server ([\d.:]+) ", block(conf, "upstream chiso_node_any")) == [
        "127.0.0.1:41001", "127.0.0.1:41002", "127.0.0.1:41003"]
    # no idle connections kept to a process: it closes them after a few seconds, and a request
    # sent on one just then failed (nginx then took a new browser elsewhere for fail_timeout)
    assert "keepalive" not in conf
    assert "proxy_pass http://$chiso_upstream;" in conf
    assert "ip_hash" not in conf and "hash " not in conf  # one NAT, one process: not acceptable


def test_the_node_cookie_is_kept_and_set_when_missing():
    conf = config()
    known = block(conf, f"map $cookie_{COOKIE} $chiso_sticky")
    assert re.findall(r'"(\d)" (\d);', known) == [("1", "1"), ("2", "2"), ("3", "3")]
    assert 'default "";' in known  # a stale or forged value is not trusted: as a first visit
    route = block(conf, "map $chiso_sticky $chiso_upstream")
    assert '"" chiso_node_any;' in route and "default chiso_node_$chiso_sticky;" in route
    # the cookie names the process that answered: the last address nginx tried
    assert re.findall(r'"~:(\d+)\$" (\d);', block(conf, "map $upstream_addr $chiso_answered")) == [
        ("41001", "1"), ("41002", "2"), ("41003", "3")]
    set_cookie = block(conf, 'map "$chiso_sticky:$chiso_answered" $chiso_set_cookie')
    assert f'"~^:(?<n>[0-9]+)$" "{COOKIE}=$n; Path=/; HttpOnly; SameSite=Lax";' in set_cookie
    assert 'default "";' in set_cookie  # a valid cookie already: no header
    assert "add_header Set-Cookie $chiso_set_cookie always;" in conf


def test_websocket_forwarded_for_and_timeouts():
    conf = config()
    for line in ["proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $chiso_connection;",
                 "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                 "proxy_set_header Host $http_host;", "proxy_read_timeout 1d;", "client_max_body_size 65m;",
                 "listen 8501;", "daemon off;"]:
        assert line in conf, line
    assert "default upgrade;" in block(conf, "map $http_upgrade $chiso_connection")
    assert '"" close;' in block(conf, "map $http_upgrade $chiso_connection")


def test_everything_lives_under_the_serve_folder():
    conf = config(folder=Path("/srv/chiso/build/serve"))
    paths = re.findall(r"^\s*(?:pid|error_log|access_log|\w+_temp_path) (/\S+?);?(?:\s|$)", conf, re.M)
    assert len(paths) == 8 and all(p.startswith("/srv/chiso/build/serve/") for p in paths), paths
    assert "/var/" not in conf and "/run/" not in conf  # no root-owned path


def test_listen_address():
    assert "listen 127.0.0.1:8600;" in config(port=8600, address="127.0.0.1")
    assert "listen [::1]:8600;" in config(port=8600, address="::1")


def test_the_body_limit_follows_the_upload_limit(monkeypatch):
    monkeypatch.setenv("CHISO_MAX_UPLOAD_MB", "200")
    assert upload_limit_mb() == 201
    monkeypatch.setenv("CHISO_MAX_UPLOAD_MB", "0.5")
    assert upload_limit_mb() == 2


def test_ports_differ():
    ports = free_ports(8)
    assert len(set(ports)) == 8


# ---------------------------------------------------------------- nginx routing, with stand-in processes

NGINX = find_nginx()
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx chưa được cài (`make nginx`)")


def stand_in(node: int):
    """A tiny server standing for process ``node``: answers GET and PUT with «node=<n> xff=<X-Forwarded-For>»,
    and a websocket handshake with one text message of the same."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _answer(self):
            xff = self.headers.get("X-Forwarded-For", "")
            if self.headers.get("Upgrade", "").lower() == "websocket":
                accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"]
                                                        + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
                self.send_response(101)
                self.send_header("Upgrade", "websocket")
                self.send_header("Connection", "Upgrade")
                self.send_header("Sec-WebSocket-Accept", accept.decode())
                self.end_headers()
                text = f"node={node} xff={xff}".encode()
                self.wfile.write(bytes([0x81, len(text)]) + text)  # one unmasked text frame
                self.wfile.flush()
                time.sleep(0.2)
                self.close_connection = True
                return
            length = int(self.headers.get("Content-Length") or 0)
            got = self.rfile.read(length) if length else b""
            body = f"node={node} xff={xff} bytes={len(got)}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_POST = _answer

    class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
        daemon_threads = True
        allow_reuse_address = True

    return Server(("127.0.0.1", 0), Handler)


@contextmanager
def nginx_before(n: int, tmp_path: Path, max_body_mb: int = 2, stop_first: bool = False):
    """nginx with the generated config before ``n`` stand-in processes (the first one closed when
    ``stop_first``): yields (nginx's port, its folder)."""
    servers = [stand_in(i) for i in range(1, n + 1)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if stop_first:
        servers[0].shutdown()
        servers[0].server_close()
    port = free_ports(1)[0]
    folder = prepare_folder(tmp_path / "serve")
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config([s.server_address[1] for s in servers], port=port, address="127.0.0.1",
                                 folder=folder, max_body_mb=max_body_mb), encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while True:
            try:
                request(port, "GET", "/", f"{COOKIE}={n}")
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, proc.stderr.read().decode()
                time.sleep(0.1)
        yield port, folder
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for s in servers[1:] if stop_first else servers:
            s.shutdown()
            s.server_close()


def request(port: int, method: str, path: str, cookie: str | None = None, body: bytes | None = None,
            headers: dict | None = None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request(method, path, body=body, headers={**({"Cookie": cookie} if cookie else {}), **(headers or {})})
        r = c.getresponse()
        return r.status, r.getheader("Set-Cookie"), r.read().decode()
    finally:
        c.close()


@needs_nginx
def test_nginx_accepts_the_config(tmp_path):
    folder = prepare_folder(tmp_path / "serve")
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(free_ports(3), port=free_ports(1)[0], address="127.0.0.1", folder=folder,
                                 max_body_mb=upload_limit_mb()), encoding="utf-8")
    r = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@needs_nginx
def test_a_browser_stays_on_the_process_nginx_gave_it(tmp_path):
    from websockets.sync.client import connect

    with nginx_before(2, tmp_path) as (port, folder):
        firsts = [request(port, "GET", "/") for _ in range(40)]
        cookies = [c for _, c, _ in firsts]
        # no cookie yet: each process in turn (not by address: all 40 come from 127.0.0.1)
        assert sorted(set(cookies)) == [f"{COOKIE}={i}; Path=/; HttpOnly; SameSite=Lax" for i in (1, 2)]
        assert cookies.count(cookies[0]) == 20
        assert all(body.startswith(f"node={c.split(';')[0][-1]} ") for _, c, body in firsts)
        for node in ("1", "2"):
            cookie = f"{COOKIE}={node}; _streamlit_xsrf=abc"
            for _ in range(10):  # the page, its side requests, an upload: the same process, no new cookie
                status, set_cookie, body = request(port, "GET", "/_stcore/host-config", cookie)
                assert (status, set_cookie) == (200, None) and body.startswith(f"node={node} xff=127.0.0.1")
            status, _, body = request(port, "PUT", "/_stcore/upload_file/sess/file", cookie, b"x" * 100_000)
            assert status == 200 and body == f"node={node} xff=127.0.0.1 bytes=100000"
            with connect(f"ws://127.0.0.1:{port}/_stcore/stream", additional_headers={"Cookie": cookie},
                         subprotocols=None, open_timeout=5) as ws:
                assert ws.recv(timeout=5) == f"node={node} xff=127.0.0.1"
        # the visitor's address is appended to what came before (read right to left by access/client.py)
        _, _, body = request(port, "GET", "/", f"{COOKIE}=2", headers={"X-Forwarded-For": "203.0.113.9"})
        assert body.startswith("node=2 xff=203.0.113.9, 127.0.0.1")
        # a cookie naming no process (fewer processes than before): a fresh draw and a new cookie
        _, set_cookie, body = request(port, "GET", "/", f"{COOKIE}=9")
        assert set_cookie and body.startswith(f"node={set_cookie.split(';')[0][-1]} ")
        # above client_max_body_size: refused by nginx before any process reads it
        assert request(port, "PUT", "/_stcore/upload_file/s/f", f"{COOKIE}=1", b"x" * (3 << 20))[0] == 413
        log = (folder / "logs" / "access.log").read_text()
        assert "GET /_stcore/stream" in log and "cookie=1 node=1 upstream=127.0.0.1:" in log


@needs_nginx
def test_a_new_browser_skips_a_process_that_is_down(tmp_path):
    """While a process restarts, new browsers go to the others (and are kept there); a browser
    already on it gets an error until it is back, not another process's session."""
    with nginx_before(2, tmp_path, stop_first=True) as (port, folder):
        for _ in range(6):
            status, cookie, body = request(port, "GET", "/")
            assert status == 200 and cookie.startswith(f"{COOKIE}=2;") and body.startswith("node=2 ")
        assert request(port, "GET", "/", f"{COOKIE}=1")[0] == 502


# ---------------------------------------------------------------- one write, seen by every process

READER = """
import sys
from store.db import ReadOnlyDatabase
db = ReadOnlyDatabase(sys.argv[1])
for line in sys.stdin:
    cur, version = db.cursor_and_version()
    print(cur.execute("SELECT count(*) FROM t").fetchone()[0], version, flush=True)
"""


def test_every_reading_process_sees_a_write(tmp_path):
    """Two reading processes (two of `make serve`'s) hold the file open; a third process writes
    through store/db.py's atomic swap; both read the new file, under a new version (the cache key of
    ui/queries.py), on their next query, without a restart."""
    from store.db import writable_copy

    db = tmp_path / "chiso.duckdb"
    with duckdb.connect(str(db)) as c:
        c.execute("CREATE TABLE t AS SELECT 1 AS n")
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        def ask(p):
            p.stdin.write("?\n")
            p.stdin.flush()
            count, version = p.stdout.readline().split(" ", 1)
            return int(count), version

        before = [ask(p) for p in readers]
        assert [b[0] for b in before] == [1, 1]
        with writable_copy(db, keep_snapshots=1) as w:
            w.execute("INSERT INTO t VALUES (2)")
        after = [ask(p) for p in readers]
        assert [a[0] for a in after] == [2, 2]
        assert after[0][1] == after[1][1] != before[0][1]
    finally:
        for p in readers:
            p.stdin.close()
            p.wait(timeout=20)


# ---------------------------------------------------------------- the load test through `make serve`

@needs_nginx
@pytest.mark.bench
def test_bench_load_through_serve_many(built_db, tmp_path):
    """`python -m bench.load --serve production` (what `make bench-load` runs), 4 sessions on the
    shipped data: no error, figures summed over every process, the TARGETS block, and every
    session's websocket carried the node cookie nginx set on its first request."""
    import json

    db = tmp_path / "chiso.duckdb"
    db.write_bytes(built_db.read_bytes())
    log = tmp_path / "server.log"
    proc = subprocess.run([sys.executable, "-m", "bench.load", "--db", str(db), "--client", "protocol", "--serve",
                           "production", "--processes", "2", "--sessions", "4", "--ramp", "1", "--timeout", "120",
                           "--target-p95", "600", "--target-memory-mb", "100000", "--server-log", str(log)],
                          cwd=ROOT, capture_output=True, text=True, timeout=400)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-3000:]
    result = json.loads(next(line for line in out.splitlines() if line.startswith("BENCH-RESULT "))[13:])
    assert result["errors"] == 0 and result["pages_loaded"] == 20
    assert result["serve"] == "production" and result["processes"] == 2
    assert result["server_processes"] == 5  # cli.serve_many, 2 app processes, nginx's master and worker
    assert 0 < result["pss_start_kib"] <= result["pss_peak_kib"] < result["rss_peak_kib"]
    assert set(result["sessions_per_node"]) <= {"1", "2"} and sum(result["sessions_per_node"].values()) == 4
    assert [t["pass"] for t in result["targets"]] == [True, True, True]
    assert "TARGETS (python -m bench.load" in out and "--serve production --processes 2" in out
    streams = re.findall(r'"GET /_stcore/stream HTTP/1.1" 101 \d+ cookie=(\S+) node=(\d)', log.read_text())
    assert len(streams) == 4 and all(cookie == node for cookie, node in streams), streams
