"""Who may change the data through the web app (salted PBKDF2-SHA256, stdlib only).

Only hashes are stored, in .streamlit/secrets.toml:

    [auth.users]                      # one account per person: the audit names the account
    "Nguyễn Văn A" = "pbkdf2_sha256$…"

    [auth.units]                      # an account tied to a unit reports for that unit only
    "Nguyễn Văn A" = "phong_tu_phap"

    [auth]
    password_hash = "pbkdf2_sha256$…" # or one shared password; people then type their name

``python -m loaders set-password [--user NAME] [--unit CODE] [--remove]`` writes them. When any account
exists, the shared password no longer opens anything.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ITERATIONS = 390_000
IDLE_MINUTES = 30  # a signed-in web session left idle this long must sign in again
SCHEME = "pbkdf2_sha256"


def hash_password(password: str, *, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), iterations)
    return f"{SCHEME}${iterations}${salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check; False for any malformed stored value."""
    try:
        scheme, iterations, salt, expected = stored.split("$")
        if scheme != SCHEME:
            return False
        candidate = hash_password(password, salt=salt, iterations=int(iterations))
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(candidate, stored)


def _quoted(text: str) -> str:
    """A TOML basic string (names may hold quotes or backslashes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def secrets_toml(stored_hash: str | None = None, users: dict[str, str] | None = None,
                 units: dict[str, str] | None = None) -> str:
    lines = ["[auth]"]
    if stored_hash:
        lines.append(f"password_hash = {_quoted(stored_hash)}")
    if users:
        lines += ["", "[auth.users]"] + [f"{_quoted(name)} = {_quoted(h)}" for name, h in sorted(users.items())]
    units = {k: v for k, v in (units or {}).items() if k in (users or {})}
    if units:
        lines += ["", "# tài khoản của một cơ quan: chỉ xem, nhập báo cáo tiến độ của cơ quan đó", "[auth.units]"]
        lines += [f"{_quoted(name)} = {_quoted(code)}" for name, code in sorted(units.items())]
    return "\n".join(lines) + "\n"


def read_auth(path) -> dict:
    """The [auth] table of a secrets file ({} when there is none)."""
    import tomllib
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        return {}
    return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {}))


KEEP = object()  # update_secrets: leave the account's unit as it is


def update_secrets(path, *, user: str | None, stored_hash: str | None, unit=KEEP) -> str:
    """Set (or, with ``stored_hash=None``, remove) one account or the shared password in
    ``path``, keeping everything else in its [auth] table; ``unit``: the unit code the account
    reports for (None: an administrator's account, tied to no unit). Returns the new text."""
    from domain.text import nfc

    auth = read_auth(path)
    users = dict(auth.get("users", {}))
    units = dict(auth.get("units", {}))
    shared = auth.get("password_hash")
    if user is None:
        shared = stored_hash
    elif stored_hash is None:
        users.pop(nfc(user), None)
        units.pop(nfc(user), None)
    else:
        users[nfc(user)] = stored_hash
        if unit is None:
            units.pop(nfc(user), None)
        elif unit is not KEEP:
            units[nfc(user)] = unit
    return secrets_toml(shared, users, units)


@dataclass(frozen=True)
class Scope:
    """What a signed-in account may see and change. ``unit`` None: an administrator (every
    unit's reports, score imports, undo). Tied to a unit: that unit's own progress reports;
    tied to the coordinating unit of a plan's level (data/reporting/coordinators.csv, Phòng Nội
    vụ for a district's plan): every unit's reports of that plan, and score imports."""
    account: str
    unit: str | None

    def sees_all(self, coordinator: str | None) -> bool:
        return self.unit is None or (coordinator is not None and self.unit == coordinator)

    def report_units(self, coordinator: str | None) -> set[str] | None:
        """The units this account may report for in a plan coordinated by ``coordinator``; None = all."""
        return None if self.sees_all(coordinator) else {self.unit}

    def manages_data(self, coordinators: set[str]) -> bool:
        """Score imports and undo of anyone's write: administrators and coordinating units."""
        return self.unit is None or self.unit in coordinators


def scope_of(account: str, auth: dict) -> Scope:
    """The scope of an account that signed in (``account_for``); the shared password is an
    administrator's."""
    units = auth.get("units") or {}
    return Scope(account, units.get(account) or None)


def account_for(name: str, password: str, auth: dict) -> str | None:
    """The account a sign-in opens, or None. With accounts, the name must be one of them
    (case, spacing and Unicode form ignored) and the password that account's; otherwise the
    shared password opens a session under the name typed."""
    from domain.text import nfc

    typed = " ".join(nfc(name).split())
    if not typed:
        return None
    users = auth.get("users") or {}
    if users:
        match = next((u for u in users if " ".join(nfc(u).split()).casefold() == typed.casefold()), None)
        # a hash is computed even for an unknown name, so timing does not tell names apart
        stored = users.get(match) if match else hash_password("", salt="00" * 16)
        return match if verify_password(password, stored) and match else None
    shared = auth.get("password_hash")
    return typed if shared and verify_password(password, shared) else None


class SignInThrottle:
    """Slows down guessing, per account and per client address.

    Every attempt names its keys: (account, address) and (any account, address). After
    ``free`` wrong passwords in a row on a key, the next attempt on it must wait twice as long
    as the one before (``base`` seconds, up to ``ceiling``). A guesser therefore slows down only
    himself: the real user, at another address, signs in as usual, and a guesser trying many
    accounts from one address is slowed on all of them.

    Race-free: ``attempt`` reserves the attempt under the lock and counts it as a failure before
    the password is even checked, so parallel sessions cannot all slip through the same free
    slot; ``succeeded`` then clears the keys. It lives in this module (one per server process),
    not in a Streamlit cache that a client could clear."""

    def __init__(self, free: int = 3, base: float = 2.0, ceiling: float = 300.0, clock=None):
        import threading
        import time

        self.free, self.base, self.ceiling = free, base, ceiling
        self._clock = clock or time.monotonic
        self._failures: dict[tuple, int] = {}
        self._last: dict[tuple, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(account: str, address: str | None) -> list[tuple]:
        from domain.text import fold

        where = address or "?"
        return [(" ".join(fold(account).split()), where), ("*", where)]

    def _wait(self, key: tuple) -> float:
        failures = self._failures.get(key, 0)
        if failures < self.free:
            return 0.0
        delay = min(self.base * 2 ** (failures - self.free), self.ceiling)
        return max(0.0, self._last.get(key, 0.0) + delay - self._clock())

    def wait_seconds(self, keys: list[tuple]) -> float:
        """How long before an attempt on these keys is even checked (0 = now)."""
        with self._lock:
            return max((self._wait(k) for k in keys), default=0.0)

    def attempt(self, keys: list[tuple]) -> bool:
        """Reserve an attempt: False (nothing recorded) while any key must still wait; else the
        attempt is counted as a failure until ``succeeded`` says otherwise."""
        with self._lock:
            if any(self._wait(k) > 0 for k in keys):
                return False
            now = self._clock()
            for k in keys:
                self._failures[k] = self._failures.get(k, 0) + 1
                self._last[k] = now
            return True

    def succeeded(self, keys: list[tuple]) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
                self._last.pop(k, None)


THROTTLE = SignInThrottle()  # the server process's one throttle


def fingerprint(address: str | None, user_agent: str | None, browser_token: str | None) -> str:
    """What a signed-in state is bound to: the browser's own cookie (Streamlit's XSRF cookie,
    never sent to another site), its address and its user agent. A connection that presents
    another session's id but not that browser's cookie does not resume it signed in."""
    text = "\x1f".join(v or "" for v in (address, user_agent, browser_token))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def session_may_write(state, now: float) -> bool:
    """Whether a Streamlit session (its session state, any mapping-like object) is signed in
    and not idle for longer than IDLE_MINUTES: the upload endpoint keeps files only for those."""
    try:
        return bool(state["signed_in"]) and now - float(state["active_at"]) <= IDLE_MINUTES * 60
    except (KeyError, TypeError, ValueError):
        return False
