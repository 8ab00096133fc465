"""Password hashing for the write paths of the web app (salted PBKDF2-SHA256, stdlib only).

Only the hash is ever stored, in .streamlit/secrets.toml under [auth] password_hash;
``python -m loaders set-password`` writes it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

ITERATIONS = 390_000
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


def secrets_toml(stored_hash: str) -> str:
    return f'[auth]\npassword_hash = "{stored_hash}"\n'


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

    def attempt(self, password: str, stored: str) -> bool | None:
        """True or False for a checked password; None if it came too soon and was not checked."""
        if self.wait_seconds() > 0:
            return None
        ok = verify_password(password, stored)
        with self._lock:
            if ok:
                self._failures = 0
            else:
                self._failures += 1
                self._last = self._clock()
        return ok
