"""Who is at the other end of a connection: the visitor's address behind trusted reverse
proxies, and the browser token a signed-in session is bound to. No Streamlit here: the page
(ui/account._client) and the server's reconnect gate (cli/serve.py) both pass in what the
connection's handshake carried and get the same answer.

Behind a proxy every connection comes from the proxy's address; the visitor's own address is
in the X-Forwarded-For header, which each proxy extends on the right. Only addresses written
by a proxy we trust can be believed, so the header is read from the right and the first
address that is not a trusted proxy is the visitor (the standard algorithm). A connection
that does not come from a trusted proxy has its header ignored: anyone can send one.

The trusted proxies are listed in config/network.toml, overridable by CHISO_TRUSTED_PROXIES
(comma-separated); read once per process, so a change applies when the app restarts. Uvicorn,
Streamlit 1.67's web server, applies the same rule before us for the proxies in its
FORWARDED_ALLOW_IPS; cli/serve.py sets that to this list, and the rule applied twice gives the
same address, so the answer does not depend on which server runs the app.
"""
from __future__ import annotations

import binascii
import ipaddress
import os
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "config" / "network.toml"
ENV = "CHISO_TRUSTED_PROXIES"
DEFAULT_TRUSTED = ("127.0.0.1", "::1")  # loopback: a proxy on this same machine (nginx)
XSRF_COOKIE = "_streamlit_xsrf"  # Streamlit's own cookie: one per browser, never sent to another site

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_trusted(entries: Iterable[str], source: str = str(CONFIG)) -> tuple[Network, ...]:
    """Addresses and networks (CIDR, IPv4 or IPv6) as networks; a ValueError naming every entry
    that is neither."""
    networks, bad = [], []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            bad.append(repr(entry))
    if bad:
        raise ValueError(f"{source}: trusted_proxies có mục không phải địa chỉ IP hay dải mạng (CIDR): "
                         + ", ".join(bad))
    return tuple(networks)


@cache
def _load(path: Path, env: str | None) -> tuple[Network, ...]:
    if env is not None and env.strip():
        return parse_trusted([e for e in env.split(",") if e.strip()], ENV)
    entries = DEFAULT_TRUSTED
    if path.exists():
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("network", {})
        entries = table.get("trusted_proxies", entries)
        if isinstance(entries, str) or not isinstance(entries, list):
            raise ValueError(f"{path}: trusted_proxies phải là một danh sách, ví dụ [\"127.0.0.1\", \"::1\"]")
    return parse_trusted(entries, str(path))


def trusted_proxies(config: Path | None = None) -> tuple[Network, ...]:
    """Loopback, unless config/network.toml lists others; CHISO_TRUSTED_PROXIES, when set, wins."""
    return _load(config or CONFIG, os.environ.get(ENV))


def _address(text: str | None) -> Address | None:
    """A bare IPv4 or IPv6 address (an IPv4-mapped IPv6 one as IPv4); None for anything else."""
    try:
        ip = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip


def _trusted(ip: Address, trusted: Iterable[Network]) -> bool:
    return any(ip.version == net.version and ip in net for net in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[Network]) -> str | None:
    """The visitor's address. ``peer``: the address the connection comes from (None: unknown);
    ``forwarded_for``: its X-Forwarded-For header (several headers joined by commas).

    From an untrusted peer, the peer itself. From a trusted one, the right-most address of the
    header that is not a trusted proxy; if every one is, the left-most. An entry that is not an
    address where the walk reaches it, or no header at all: the peer."""
    trusted = tuple(trusted)
    ip = _address(peer)
    if ip is None:
        return peer
    if not forwarded_for or not _trusted(ip, trusted):
        return str(ip)
    hops = [_address(entry) for entry in forwarded_for.split(",")]
    for hop in reversed(hops):
        if hop is None:
            return str(ip)  # a proxy we trust wrote something unreadable: believe only the peer
        if not _trusted(hop, trusted):
            return str(hop)
    return str(hops[0])


def browser_token(cookie: str | None) -> str | None:
    """The secret inside Streamlit's XSRF cookie. The server sends the cookie again with a new
    random mask on every health check (which a page makes before each reconnect), so the cookie's
    text changes while the token stays: a session is bound to the token. Format «2|mask|masked|time»
    (the token is masked by XOR with the repeated mask); any other value is taken as it is."""
    if not cookie:
        return None
    value = cookie.strip("\"'")
    if value.startswith("2|"):
        try:
            _, mask_hex, masked_hex, _ = value.split("|")
            mask, masked = binascii.a2b_hex(mask_hex), binascii.a2b_hex(masked_hex)
        except ValueError:
            return value
        if mask:
            return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)).hex()
    return value


def identity(peer: str | None, headers: Iterable[tuple[str, str]], cookies: Mapping[str, str],
             trusted: Iterable[Network]) -> tuple[str | None, str | None, str | None]:
    """(address, user agent, browser token) of a connection, from its handshake: what
    access.auth.fingerprint binds a signed-in session to, and what the throttle keys on."""
    forwarded, agent = [], None
    for name, value in headers:
        name = name.lower()
        if name == "x-forwarded-for":
            forwarded.append(value)
        elif name == "user-agent" and agent is None:
            agent = value
    return (client_address(peer, ",".join(forwarded) or None, trusted), agent,
            browser_token(cookies.get(XSRF_COOKIE)))
