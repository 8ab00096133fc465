"""Serve the dashboard from every core: ``python -m cli.serve_many [--processes N] [--port 8501]``
(``make serve``). ``make run`` (``python -m cli.serve``) stays the one-process default.

Streamlit runs every session's script in one Python process, so one process uses about one core.
This command starts N processes of ``python -m cli.serve`` (default: one per core) on loopback
ports, all reading the one database file, and Debian's nginx in front of them on --port:

- **Sticky sessions by a cookie nginx sets.** A Streamlit session lives in the memory of one
  process, and not only its websocket (/_stcore/stream) must reach that process: so must the
  page's HTTP side requests (an upload to /_stcore/upload_file/<session>/…, media, downloads).
  Open-source nginx has no sticky-cookie module, so the config does it by hand: a request whose
  ``chiso_node`` cookie names one of the processes goes to it (an upstream of that one process);
  any other request goes to the next process in turn (an upstream of all of them, round-robin,
  skipping one that refuses connections) and the response sets the cookie to the process that
  answered (from ``$upstream_addr``). ``ip_hash`` would put everyone behind one NAT — an office,
  a commune's network — on one process.
- The processes listen on 127.0.0.1 TCP only: config/network.toml trusts X-Forwarded-For from
  loopback, which nginx writes (``$proxy_add_x_forwarded_for``).
- Every process sees a write made through any other: writers replace the file atomically under a
  lock shared by all processes (store/db.py), readers notice the file's new identity (inode, size,
  mtime) on their next script run, and ui/queries.py keys every cached query on that identity.
- Uploads are refused by nginx above config/limits.toml's max_upload_mb (plus 1 MB for the
  multipart envelope, so that the app, not nginx, answers a file just over the limit in Vietnamese).

Everything nginx needs is under --dir (default build/serve/): nginx.conf, written anew at each
start, the pid file, temp folders, and logs/ (access.log, error.log, one app-<i>.log per process).
nginx runs in the foreground as this command's child; Ctrl-C or SIGTERM stops nginx, then every
process. A process that dies is started again on its port (its sessions reconnect to a new
session there); one that keeps dying stops everything.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "build" / "serve"
COOKIE = "chiso_node"  # names the process (1…N) a browser's session lives on
UPSTREAM = "chiso_node_"  # nginx upstream blocks chiso_node_1 … chiso_node_N
LOOPBACK = "127.0.0.1"
START_SECONDS = 120  # a process's health check must answer within this (the national data: ~10 s)
RESTARTS = 5  # deaths of one process within RESTART_WINDOW seconds before the whole serve stops
RESTART_WINDOW = 300


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def upload_limit_mb() -> int:
    """nginx's client_max_body_size in MB: the upload limit of config/limits.toml (and its
    CHISO_MAX_UPLOAD_MB override), rounded up, plus 1 MB for the multipart envelope."""
    from loaders.guard import load_limits

    return int(-(-load_limits().max_upload_mb // 1)) + 1


def nginx_config(ports: list[int], *, port: int, address: str | None, folder: Path, max_body_mb: int) -> str:
    """The nginx configuration: listen on ``address:port`` (every interface when ``address`` is
    None), send each browser to one of the processes at 127.0.0.1:``ports`` and keep it there."""
    if not ports:
        raise ValueError("cần ít nhất một tiến trình")
    folder = folder.resolve()
    logs, temp = folder / "logs", folder / "temp"
    nodes = range(1, len(ports) + 1)
    upstreams = "\n".join(f"    upstream {UPSTREAM}{i} {{\n        server {LOOPBACK}:{p};\n    }}"
                          for i, p in zip(nodes, ports))
    known = "\n".join(f'        "{i}" {i};' for i in nodes)
    every = "\n".join(f"        server {LOOPBACK}:{p} max_fails=1 fail_timeout=3s;" for p in ports)
    answered = "\n".join(f'        "~:{p}$" {i};' for i, p in zip(nodes, ports))
    listen = f"{address}:{port}" if address else str(port)
    if address and ":" in address:
        listen = f"[{address}]:{port}"
    return f"""# Viết bởi python -m cli.serve_many khi khởi động ({len(ports)} tiến trình).
# Sửa cli/serve_many.py, đừng sửa tệp này.
daemon off;                 # chạy ở tiền cảnh, là tiến trình con của cli.serve_many
master_process on;
worker_processes 1;         # nginx chỉ chuyển tiếp: một tiến trình đủ cho hàng nghìn kết nối
worker_rlimit_nofile 16384;
pid {folder / "nginx.pid"};
error_log {logs / "error.log"} warn;
error_log stderr error;

events {{
    worker_connections 8192;  # mỗi phiên mở: một kết nối từ trình duyệt, một tới tiến trình ứng dụng
}}

http {{
    default_type application/octet-stream;
    server_tokens off;
    client_body_temp_path {temp / "client_body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};

    # cookie: cookie {COOKIE} trình duyệt gửi (- : chưa có); node: tiến trình phục vụ; upstream: cổng của nó
    log_format chiso '$remote_addr [$time_local] "$request" $status $body_bytes_sent cookie=$cookie_{COOKIE} '
                     'node=$chiso_node upstream=$upstream_addr rt=$request_time urt=$upstream_response_time';
    access_log {logs / "access.log"} chiso;

{upstreams}

    # Trình duyệt chưa có cookie hợp lệ: lần lượt từng tiến trình (round-robin); tiến trình không
    # nhận kết nối (đang khởi động lại) thì sang tiến trình sau.
    upstream {UPSTREAM}any {{
{every}
    }}

    # Phiên dính vào một tiến trình. Cookie {COOKIE} hợp lệ thì theo cookie; không có (lần đầu)
    # hoặc không hợp lệ (số tiến trình đã đổi) thì đến lượt tiến trình nào, tiến trình đó; câu
    # trả lời đặt cookie theo cổng của tiến trình đã trả lời (cổng cuối trong $upstream_addr).
    map $cookie_{COOKIE} $chiso_sticky {{
        default "";
{known}
    }}
    map $chiso_sticky $chiso_upstream {{
        "" {UPSTREAM}any;
        default {UPSTREAM}$chiso_sticky;
    }}
    map $upstream_addr $chiso_answered {{
        default "";
{answered}
    }}
    map $chiso_sticky $chiso_node {{
        "" $chiso_answered;
        default $chiso_sticky;
    }}
    map "$chiso_sticky:$chiso_answered" $chiso_set_cookie {{
        default "";
        "~^:(?<n>[0-9]+)$" "{COOKIE}=$n; Path=/; HttpOnly; SameSite=Lax";
    }}
    # WebSocket (/_stcore/stream): chuyển tiếp yêu cầu nâng cấp. Yêu cầu thường: một kết nối mỗi lần
    # (trên loopback gần như không tốn); không giữ kết nối chờ, vì tiến trình ứng dụng đóng kết nối
    # rảnh sau vài giây và nginx dùng lại đúng lúc đó thì yêu cầu hỏng
    map $http_upgrade $chiso_connection {{
        default upgrade;
        "" close;
    }}
    # sau một máy TLS ở phía trước: giữ https mà máy đó ghi
    map $http_x_forwarded_proto $chiso_proto {{
        default $http_x_forwarded_proto;
        "" $scheme;
    }}

    server {{
        listen {listen};
        # config/limits.toml max_upload_mb, thêm 1 MB cho phần bao của yêu cầu tải lên
        client_max_body_size {max_body_mb}m;

        location / {{
            proxy_pass http://$chiso_upstream;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $chiso_connection;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $chiso_proto;
            proxy_read_timeout 1d;     # phiên mở cả ngày không bị cắt
            proxy_send_timeout 1d;
            proxy_buffering off;        # không ghi đĩa: trả thẳng từ tiến trình
            proxy_request_buffering off;
            add_header Set-Cookie $chiso_set_cookie always;
        }}
    }}
}}
"""


def running(pid_file: Path) -> int | None:
    """The pid in ``pid_file`` when that process is alive (another serve on the same folder)."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid if pid != os.getpid() else None


def prepare_folder(folder: Path) -> Path:
    """--dir with the folders the config names (nginx makes only the last part of a temp path)."""
    folder = Path(folder).resolve()
    for sub in ("logs", "temp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                           if os.access(p, os.X_OK)), None)


def free_ports(n: int) -> list[int]:
    """n TCP ports free on 127.0.0.1 now (held together while chosen, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_free(address: str | None, port: int) -> bool:
    family = socket.AF_INET6 if address and ":" in address else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx binds it
        try:
            s.bind((address or "0.0.0.0", port))
            return True
        except OSError:
            return False


def _die_with_parent() -> None:
    """In a child before exec: get SIGTERM when this command dies, even by SIGKILL (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Node:
    """One ``python -m cli.serve`` process on a loopback port."""
    number: int
    port: int
    log: Path
    extra: list[str]
    proc: subprocess.Popen | None = None
    deaths: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} tiến trình {self.number}, cổng {self.port} ===\n")
            out.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli.serve", "--server.port", str(self.port), "--server.address", LOOPBACK,
                 "--server.headless", "true", "--browser.gatherUsageStats", "false", *self.extra],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, process_group=0,
                preexec_fn=_die_with_parent)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                return r.read() == b"ok"
        except OSError:
            return False


def _stop(procs: list[subprocess.Popen], seconds: float = 20) -> None:
    """SIGTERM to every process still running, then SIGKILL to those not gone after ``seconds``."""
    live = [p for p in procs if p is not None and p.poll() is None]
    for p in live:
        try:
            p.terminate()
        except ProcessLookupError:
            pass
    deadline = time.time() + seconds
    for p in live:
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Stop(Exception):
    pass


def _on_signal(signum, frame) -> None:
    raise Stop(signal.Signals(signum).name)


def wait_healthy(nodes: list[Node], seconds: float) -> Node | None:
    """None once every node answers its health check; else the first that died or is late."""
    deadline = time.time() + seconds
    pending = list(nodes)
    while pending:
        for n in list(pending):
            if n.proc.poll() is not None:
                return n
            if n.healthy():
                pending.remove(n)
        if pending:
            if time.time() > deadline:
                return pending[0]
            time.sleep(0.3)
    return None


TAIL_CHARS = 4_000  # how much of a process's log a failure shows


def _tail(path: Path, chars: int = TAIL_CHARS) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def where_to_open(address: str | None, port: int) -> list[str]:
    if address and address not in ("0.0.0.0", "::"):
        host = f"[{address}]" if ":" in address else address
        return [f"http://{host}:{port}"]
    return [f"http://localhost:{port}", f"http://{socket.gethostname()}:{port} (từ máy khác trong mạng)"]


def supervise(nodes: list[Node], nginx: subprocess.Popen) -> int:
    """Until a signal: restart a process that died, stop all if nginx or a process keeps dying."""
    while True:
        time.sleep(1)
        if nginx.poll() is not None:
            print(f"nginx đã dừng (mã {nginx.returncode}): dừng mọi tiến trình.", file=sys.stderr, flush=True)
            return 1
        for n in nodes:
            if n.proc.poll() is None:
                continue
            now = time.time()
            n.deaths = [t for t in n.deaths if now - t < RESTART_WINDOW] + [now]
            if len(n.deaths) > RESTARTS:
                print(f"Tiến trình {n.number} (cổng {n.port}) dừng {len(n.deaths)} lần trong {RESTART_WINDOW // 60} "
                      f"phút: dừng tất cả. Xem {n.log}", file=sys.stderr, flush=True)
                return 1
            print(f"Tiến trình {n.number} (cổng {n.port}) dừng bất thường (mã {n.proc.returncode}); khởi động lại. "
                  f"Các phiên trên nó được mở lại từ đầu. Nhật ký: {n.log}", file=sys.stderr, flush=True)
            n.start()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m cli.serve_many", allow_abbrev=False,
        description="Chạy bảng theo dõi bằng nhiều tiến trình (mỗi nhân CPU một tiến trình) sau nginx; mỗi phiên "
                    "được giữ ở một tiến trình. Các tùy chọn không có ở đây (ví dụ --secrets.files TỆP) được "
                    "chuyển cho từng tiến trình `python -m cli.serve`.")
    p.add_argument("--processes", "-n", type=int, default=cores(),
                   help=f"số tiến trình ứng dụng (mặc định: số nhân CPU, ở máy này {cores()})")
    p.add_argument("--port", type=int, default=8501, help="cổng nginx nghe (mặc định 8501, như make run)")
    p.add_argument("--address", default=None,
                   help="địa chỉ nginx nghe (mặc định mọi địa chỉ của máy; 127.0.0.1 khi có máy TLS phía trước)")
    p.add_argument("--dir", default=str(DEFAULT_DIR),
                   help="thư mục của cấu hình nginx, tệp pid, thư mục tạm và nhật ký (mặc định build/serve)")
    args, extra = p.parse_known_args(argv)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    if args.processes < 1:
        p.error("--processes phải từ 1 trở lên")
    taken = [a for a in extra if a.split("=", 1)[0] in ("--server.port", "--server.address")]
    if taken:
        p.error(f"{taken[0]}: mỗi tiến trình nghe trên một cổng riêng của {LOOPBACK}; cổng người dùng mở là --port")

    nginx_bin = find_nginx()
    if nginx_bin is None:
        print("Chưa cài nginx: chạy `make nginx` (apt-get install -y nginx-light) rồi chạy lại.", file=sys.stderr)
        return 2
    try:
        from access.client import trusted_proxies

        trusted = trusted_proxies()
    except (ValueError, OSError) as exc:
        print(f"Không khởi động: cấu hình máy chủ trung gian sai ({exc}).", file=sys.stderr)
        return 2
    import ipaddress

    if not any(ipaddress.ip_address(LOOPBACK) in net for net in trusted if net.version == 4):
        print(f"Cảnh báo: config/network.toml không tin {LOOPBACK}; sau nginx, mọi người dùng sẽ mang cùng một "
              "địa chỉ (chậm đăng nhập của một người làm chậm tất cả).", file=sys.stderr)
    if not port_free(args.address, args.port):
        print(f"Cổng {args.port} đang bận (có thể `make run` hay một `make serve` khác đang chạy): dừng nó, hoặc "
              f"chọn cổng khác bằng --port.", file=sys.stderr)
        return 2

    folder = prepare_folder(Path(args.dir))
    pid_file = folder / "serve_many.pid"
    other = running(pid_file)
    if other:
        print(f"Một `make serve` khác đang chạy (pid {other}) với thư mục {folder}: dừng nó trước "
              f"(kill {other}), hoặc dùng --dir khác.", file=sys.stderr)
        return 2
    ports = free_ports(args.processes)
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(ports, port=args.port, address=args.address, folder=folder,
                                 max_body_mb=upload_limit_mb()), encoding="utf-8")
    nginx_cmd = [nginx_bin, "-p", str(folder), "-c", str(conf)]
    check = subprocess.run([*nginx_cmd, "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        print(f"Cấu hình nginx {conf} sai:\n{check.stderr}", file=sys.stderr)
        return 2

    nodes = [Node(i, port, folder / "logs" / f"app-{i}.log", extra) for i, port in enumerate(ports, start=1)]
    nginx: subprocess.Popen | None = None
    old = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        pid_file.write_text(f"{os.getpid()}\n")
        print(f"Khởi động {len(nodes)} tiến trình ứng dụng (cổng {', '.join(map(str, ports))} trên {LOOPBACK}); "
              f"cơ sở dữ liệu {os.environ.get('CHISO_DB') or 'build/chiso.duckdb'}…", flush=True)
        for n in nodes:
            n.start()
        late = wait_healthy(nodes, START_SECONDS)
        if late is not None:
            state = "đã dừng" if late.proc.poll() is not None else f"không trả lời sau {START_SECONDS} giây"
            print(f"Tiến trình {late.number} (cổng {late.port}) {state}. Cuối nhật ký {late.log}:\n{_tail(late.log)}",
                  file=sys.stderr)
            return 1
        # own process groups: Ctrl-C reaches this command only, which stops nginx first, then the processes
        nginx = subprocess.Popen(nginx_cmd, stdin=subprocess.DEVNULL, process_group=0, preexec_fn=_die_with_parent)
        time.sleep(0.5)
        if nginx.poll() is not None:
            print(f"nginx không chạy được (mã {nginx.returncode}); xem {folder / 'logs' / 'error.log'}", file=sys.stderr)
            return 1
        urls = where_to_open(args.address, args.port)
        print(f"Bảng theo dõi đã sẵn sàng: {len(nodes)} tiến trình sau nginx. Mở {urls[0]}"
              + (f"; {urls[1]}" if len(urls) > 1 else "") + ".", flush=True)
        print(f"Nhật ký: {folder / 'logs'} (access.log, error.log, app-1.log …). Dừng: Ctrl-C, hoặc "
              f"kill {os.getpid()} (số trong {pid_file}).", flush=True)
        code = supervise(nodes, nginx)
    except Stop:
        print("Đang dừng nginx và các tiến trình…", flush=True)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if nginx is not None:
            _stop([nginx], 10)  # first: no request reaches a process being stopped
        _stop([n.proc for n in nodes])
        for s, h in old.items():
            signal.signal(s, h)
        (folder / "nginx.pid").unlink(missing_ok=True)
        pid_file.unlink(missing_ok=True)
    if code == 0:
        print("Đã dừng.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
