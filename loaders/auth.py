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
