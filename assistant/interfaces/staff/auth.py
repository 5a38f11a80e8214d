"""Staff logins: argon2 password hashes from the environment or a file, expiring sessions, and
wrong passwords slowed down per user name and per address.

Hashing and verifying is argon2-cffi's (the reference Argon2 binding), never our own.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from assistant.config import Settings

# One message for an unknown name and a wrong password: a login never says which part was wrong.
WRONG_LOGIN = "That user name and password do not match a staff account."
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
# An argon2 hash holds commas ("m=65536,t=3,p=4"), so "name:hash,name:hash" is split only
# before a comma that starts the next "name:$argon2".
_ENTRY = re.compile(r"([^\s,:]+):(\$argon2\S*?)(?=,\s*[^\s,:]+:\$argon2|\s*$|\s+)")


class StaffConfigError(ValueError):
    """The staff credentials are set but cannot be used (the message says which setting)."""


def disabled_reason(settings: Settings) -> str | None:
    """Why the staff area is off (None when credentials are configured and readable)."""
    try:
        users = load_users(settings)
    except StaffConfigError as exc:
        return f"Staff area disabled: {exc}"
    if not users:
        return (
            "Staff area disabled: no staff accounts are configured. Set SEND_STAFF_USERS "
            "(name:hash, comma separated) or SEND_STAFF_CREDENTIALS_FILE (one name:hash a line); "
            "make a hash with `python -m assistant staff-hash`."
        )
    return None


def load_users(settings: Settings) -> dict[str, str]:
    """User name -> argon2 hash from SEND_STAFF_USERS and SEND_STAFF_CREDENTIALS_FILE.

    Raises StaffConfigError naming the setting (never printing a hash) when one is malformed.
    """
    users: dict[str, str] = {}
    if settings.staff_users and settings.staff_users.strip():
        users.update(_parse(settings.staff_users, "SEND_STAFF_USERS"))
    if settings.staff_credentials_file is not None:
        path = Path(settings.staff_credentials_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StaffConfigError(
                f"SEND_STAFF_CREDENTIALS_FILE {path} cannot be read ({exc.strerror or exc})"
            ) from exc
        lines = [line.strip() for line in text.splitlines()]
        wanted = "\n".join(line for line in lines if line and not line.startswith("#"))
        users.update(_parse(wanted, f"SEND_STAFF_CREDENTIALS_FILE {path}"))
    return users


def _parse(text: str, where: str) -> dict[str, str]:
    entries = {name: hashed for name, hashed in _ENTRY.findall(text)}
    leftover = _ENTRY.sub("", text).replace(",", " ").split()
    if leftover or not entries:
        raise StaffConfigError(
            f"{where} must be name:hash entries with argon2 hashes made by "
            "`python -m assistant staff-hash`"
        )
    for name in entries:
        if not _NAME.match(name):
            raise StaffConfigError(f"{where}: the user name {name!r} has characters not allowed")
    return entries


class LoginRefused(Exception):
    """A login that did not succeed; str(exc) is safe to show (it never says which part)."""


@dataclass
class _Failures:
    count: int = 0
    blocked_until: float = 0.0


@dataclass
class StaffAuth:
    """Checks logins and holds the live sessions (in memory: a restart logs everyone out)."""

    settings: Settings
    clock: Callable[[], float] = time.monotonic
    hasher: PasswordHasher = field(default_factory=PasswordHasher)

    def __post_init__(self) -> None:
        self.users = load_users(self.settings)
        self._sessions: dict[str, tuple[str, float]] = {}
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()
        # Verified against for unknown names, so both cases take the same argon2 time.
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    def login(self, name: str, password: str, address: str) -> str:
        """A new session token for a right name and password.

        Raises LoginRefused with WRONG_LOGIN for a wrong name or password (the same words for
        both), or with how long to wait when this name or address has failed too often.
        """
        name = name.strip()
        keys = (f"user:{name.lower()}", f"address:{address}")
        now = self.clock()
        with self._lock:
            wait = max(self._failures.get(key, _Failures()).blocked_until for key in keys) - now
        if wait > 0:
            raise LoginRefused(
                f"Too many wrong attempts: wait {int(wait) + 1} seconds before trying again."
            )
        hashed = self.users.get(name)
        if not self._verify(hashed or self._dummy, password) or hashed is None:
            self._failed(keys, now)
            raise LoginRefused(WRONG_LOGIN)
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
            token = secrets.token_urlsafe(32)
            self._sessions[token] = (name, now + self.settings.staff_session_minutes * 60)
        return token

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(hashed, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _failed(self, keys: tuple[str, ...], now: float) -> None:
        """Count a failure; past the free ones, block further tries for a doubling delay."""
        free = self.settings.staff_login_free_failures
        with self._lock:
            for key in keys:
                failures = self._failures.setdefault(key, _Failures())
                failures.count += 1
                if failures.count > free:
                    delay = self.settings.staff_login_delay_seconds * 2 ** (
                        failures.count - free - 1
                    )
                    failures.blocked_until = now + min(
                        delay, self.settings.staff_login_max_delay_seconds
                    )

    def user(self, token: str | None, renew: bool = True) -> str | None:
        """The staff name of a live session, or None if absent or expired.

        A staff action renews the session (`renew`); a page's own polling must not, or an open
        page would never time out.
        """
        if not token:
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            name, expires = session
            if now >= expires:
                del self._sessions[token]
                return None
            if renew:
                self._sessions[token] = (name, now + self.settings.staff_session_minutes * 60)
            return name

    def logout(self, token: str | None) -> None:
        """End a session (nothing happens for an unknown token)."""
        with self._lock:
            self._sessions.pop(token or "", None)


def hash_password(password: str) -> str:
    """An argon2id hash of the password (argon2-cffi's recommended parameters)."""
    return PasswordHasher().hash(password)


def staff_hash_command(read_password: Callable[[str], str] | None = None) -> int:
    """`python -m assistant staff-hash`: ask for a password twice (not echoed), print its hash."""
    import getpass
    import sys

    ask = read_password or getpass.getpass
    password = ask("New staff password: ")
    if len(password) < 12:
        print("error: use at least 12 characters", file=sys.stderr)
        return 2
    if ask("Repeat it: ") != password:
        print("error: the two passwords differ", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0
