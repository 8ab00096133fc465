"""Who may change the data through the web app (salted PBKDF2-SHA256, stdlib only).

Only hashes are stored, in .streamlit/secrets.toml:

    [auth.users]                      # one account per person: the audit names the account
    "Nguyễn Văn A" = "pbkdf2_sha256$…"

    [auth.units]                      # an account tied to a unit of one entity (commune, district)
    "Nguyễn Văn A" = "VN-38-15349/vp_hdnd_ubnd_xa"
    "Lê Văn D" = "VN-38/so_noi_vu"    # Sở Nội vụ of the province: every commune («Toàn tỉnh»)
    "Trần Thị B" = "phong_tu_phap"    # an old line: the unit alone (see scope_of, legacy_entity)

    [auth]
    password_hash = "pbkdf2_sha256$…" # or one shared password; people then type their name

``python -m loaders set-password [--user NAME] [--unit CODE --entity NAME] [--remove]`` writes them. When any account
exists, the shared password no longer opens anything.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache

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
        lines += ["", "# tài khoản của một cơ quan thuộc một đơn vị (\"mã đơn vị/mã cơ quan\"): chỉ xem, nhập báo cáo",
                  "# tiến độ của cơ quan đó trong kế hoạch của đơn vị đó (cơ quan đầu mối: của mọi cơ quan trong đơn vị)",
                  "[auth.units]"]
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
    ``path``, keeping everything else in its [auth] table; ``unit``: what the account reports
    for, «entity code/unit code» (``binding_text``; None: an administrator's account, tied to
    no unit). Returns the new text."""
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


SEPARATOR = "/"  # [auth.units]: "entity code/unit code", e.g. "VN-38-15349/vp_hdnd_ubnd_xa"


def binding_text(entity: str | None, unit: str) -> str:
    """The value of an [auth.units] line: the unit in its entity («VN-38-15349/vp_hdnd_ubnd_xa»)."""
    return f"{entity}{SEPARATOR}{unit}" if entity else unit


def parse_binding(value: str | None) -> tuple[str | None, str | None]:
    """(entity code, unit code) of an [auth.units] value; (None, None) for an administrator's
    (empty). An old line names only the unit: (None, unit)."""
    value = (value or "").strip()
    if not value:
        return None, None
    entity, sep, unit = value.rpartition(SEPARATOR)
    return (entity.strip() or None, unit.strip() or None) if sep else (None, value)


# Units of a province whose account, tied to the province («VN-38/so_noi_vu»), sees every commune
# of that province in the province's own view: Sở Nội vụ, the department that follows the
# communes' administrative reform (data/registry/units.csv; kind external, so it never owes a
# commune a report).
PROVINCE_OFFICES = frozenset({"so_noi_vu"})


@dataclass(frozen=True)
class Scope:
    """What a signed-in account may see and change.

    ``unit`` None: an administrator — every entity, every unit's reports, score imports, undo
    of any write. Tied to a unit of an entity (``entity``, a commune's or a district's code):
    that unit's own progress reports in that entity's plans, and, when the unit is the
    coordinating unit of the plan's level (data/progress/coordinators.csv: Phòng Văn hóa - Xã
    hội for a commune, Phòng Nội vụ for a district), every unit's reports of that entity's
    plans — never another entity's. Commune offices share one unit code in every commune, so
    the entity is what keeps one commune's office out of the next one's reports. ``entity``
    None with a unit: an old account line that could not be tied to one entity (see
    ``scope_of``): it sees and writes no reports until it is re-tied. Tied to the province's
    Sở Nội vụ («VN-38/so_noi_vu», PROVINCE_OFFICES): the province's own view of every commune
    of that province («Toàn tỉnh», ``sees_province``), read only."""
    account: str
    unit: str | None
    entity: str | None = None

    @property
    def admin(self) -> bool:
        return self.unit is None

    def sees_province(self, province: str | None) -> bool:
        """Whether the province's own view of ``province`` («Toàn tỉnh»: every commune's plan,
        who has reported, overdue duties, ranks) is this account's: administrators, and an account
        of a PROVINCE_OFFICES unit tied to that very province. A commune's or a district's account
        never: it sees its own entity's plans on «Tiến độ», not the next commune's."""
        return self.unit is None or (province is not None and self.entity == province
                                     and self.unit in PROVINCE_OFFICES)

    def of_entity(self, entity: str | None) -> bool:
        """Whether the plans of ``entity`` are this account's to see at all."""
        return self.unit is None or (self.entity is not None and self.entity == entity)

    def sees_all(self, entity: str | None, coordinator: str | None) -> bool:
        """Every unit's reports of a plan of ``entity`` coordinated by ``coordinator``."""
        return self.unit is None or (self.of_entity(entity) and coordinator is not None and self.unit == coordinator)

    def report_units(self, entity: str | None, coordinator: str | None) -> set[str] | None:
        """The units this account may report for in such a plan; None = all, set() = none."""
        if self.sees_all(entity, coordinator):
            return None
        return {self.unit} if self.of_entity(entity) else set()

    def owns_write(self, user_name: str | None) -> bool:
        """Whether a write logged under ``user_name`` is this account's own (web writes are
        logged as «web: <account>»)."""
        return user_name == f"web: {self.account}"

    def progress_views(self, entity: str | None, coordinator: str | None) -> tuple[str, ...]:
        """The parts of «Tiến độ» this account opens for a plan of ``entity`` (PROGRESS_VIEWS):
        the coordinating unit and administrators the overview and the documents too."""
        if not self.of_entity(entity):
            return ()
        return ("overview", "entry", "documents") if self.sees_all(entity, coordinator) else ("entry",)

    def may_undo(self, last) -> bool:
        """Whether «Hoàn tác» is offered on «Tiến độ» for ``last`` (the log's last write still in
        effect): this account's own report write. store.history.undo checks it again under the
        write lock (``owner``), so a write landing in between is never undone."""
        from store.audit import REPORT_ACTIONS

        return last is not None and last.action in REPORT_ACTIONS and self.owns_write(last.user_name)

    def manages_data(self) -> bool:
        """Score imports and undo of anyone's write: scores are the whole province's (every
        commune is ranked among all), so administrators only."""
        return self.unit is None


def scope_of(account: str, auth: dict, legacy=None) -> Scope:
    """The scope of an account that signed in (``account_for``); the shared password is an
    administrator's. An old line that names only a unit (before accounts were tied to an
    entity) is tied by ``legacy(unit) -> entity or None`` (default: ``legacy_entity``)."""
    entity, unit = parse_binding((auth.get("units") or {}).get(account))
    if unit is not None and entity is None:
        entity = (legacy or legacy_entity)(unit)
    return Scope(account, unit, entity)


def legacy_entity(unit: str) -> str | None:
    """The entity an old account line «tên = mã cơ quan» is tied to: the one entity of
    data/home.csv (home and history rows) at the level of the unit's plans — Phòng Tư pháp
    (units of a district's plan) belongs to huyện Vĩnh Lộc, the only district there. A commune
    office is shared by the three communes: no single entity, None (the account must be re-tied
    with ``set-password --user … --entity …``)."""
    return _legacy_entities().get(unit)


@cache
def _legacy_entities() -> dict[str, str]:
    from domain.entities import EntityRegistry
    from domain.units import UnitRegistry
    from domain.vocabulary import DATA_DIR, home

    entities = EntityRegistry.load(DATA_DIR / "registry")
    served = [c for codes in home().values() for c in codes if c in entities.codes()]
    by_level: dict[str, list[str]] = {}
    for code in served:
        by_level.setdefault(entities.level(code), []).append(code)
    units = UnitRegistry.load(DATA_DIR / "registry")
    out = {}
    for code in units.codes():
        level = units.unit_level(code)
        if level and len(by_level.get(level, [])) == 1:
            out[code] = by_level[level][0]
    return out


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
