"""Who may change the data through the web app (salted PBKDF2-SHA256, stdlib only).

Only hashes are stored, in .streamlit/secrets.toml:

    [auth.users]                      # one account per person: the audit names the account
    "Nguyễn Văn A" = "pbkdf2_sha256$…"

    [auth]
    password_hash = "pbkdf2_sha256$…" # or one shared password; people then type their name

``python -m loaders set-password [--user NAME] [--remove]`` writes them. When any account
exists, the shared password no longer opens anything.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

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


def secrets_toml(stored_hash: str | None = None, users: dict[str, str] | None = None) -> str:
    lines = ["[auth]"]
    if stored_hash:
        lines.append(f"password_hash = {_quoted(stored_hash)}")
    if users:
        lines += ["", "[auth.users]"] + [f"{_quoted(name)} = {_quoted(h)}" for name, h in sorted(users.items())]
    return "\n".join(lines) + "\n"


def read_auth(path) -> dict:
    """The [auth] table of a secrets file ({} when there is none)."""
    import tomllib
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        return {}
    return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {}))


def update_secrets(path, *, user: str | None, stored_hash: str | None) -> str:
    """Set (or, with ``stored_hash=None``, remove) one account or the shared password in
    ``path``, keeping everything else in its [auth] table. Returns the new text."""
    from domain.text import nfc

    auth = read_auth(path)
    users = dict(auth.get("users", {}))
    shared = auth.get("password_hash")
    if user is None:
        shared = stored_hash
    elif stored_hash is None:
        users.pop(nfc(user), None)
    else:
        users[nfc(user)] = stored_hash
    return secrets_toml(shared, users)


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
    """Slows down guessing: after ``free`` wrong passwords in a row, every next attempt must
    wait twice as long as the one before (``base`` seconds, up to ``ceiling``), whichever
    browser session it comes from. A right password resets it. One per app process."""

    def __init__(self, free: int = 3, base: float = 2.0, ceiling: float = 300.0, clock=None):
        import threading
        import time

        self.free, self.base, self.ceiling = free, base, ceiling
        self._clock = clock or time.monotonic
        self._failures = 0
        self._last = 0.0
        self._lock = threading.Lock()

    def wait_seconds(self) -> float:
        """How long before the next attempt is even checked (0 = now)."""
        with self._lock:
            if self._failures < self.free:
                return 0.0
            delay = min(self.base * 2 ** (self._failures - self.free), self.ceiling)
            return max(0.0, self._last + delay - self._clock())

    def allowed(self) -> bool:
        """Whether an attempt may be checked now."""
        return self.wait_seconds() <= 0

    def record(self, ok: bool) -> None:
        with self._lock:
            if ok:
                self._failures = 0
            else:
                self._failures += 1
                self._last = self._clock()
