"""Staff logins: argon2 credentials, one message for any wrong login, expiry, slow-down, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from conftest import make_settings

from assistant.config import Settings
from assistant.interfaces.cli import main as cli_main
from assistant.interfaces.staff.audit import AuditLog
from assistant.interfaces.staff.auth import (
    WRONG_LOGIN,
    LoginRefused,
    StaffAuth,
    disabled_reason,
    load_users,
    staff_hash_command,
)

# Cheap argon2 parameters keep the tests quick; the app uses argon2-cffi's defaults.
HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ALICE_PASSWORD = "alice-long-password-1"
BOB_PASSWORD = "bob-long-password-22"


class Clock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def settings_with_users(tmp_path: Path, **extra: object) -> Settings:
    users = f"alice:{HASHER.hash(ALICE_PASSWORD)},bob:{HASHER.hash(BOB_PASSWORD)}"
    return make_settings(tmp_path / "corpus", tmp_path, staff_users=users, **extra)


def refusal(auth: StaffAuth, name: str, password: str, address: str = "10.0.0.1") -> str:
    with pytest.raises(LoginRefused) as refused:
        auth.login(name, password, address)
    return str(refused.value)


def test_right_password_logs_in_and_wrong_user_or_password_get_the_same_message(
    tmp_path: Path,
) -> None:
    auth = StaffAuth(settings_with_users(tmp_path), hasher=HASHER)
    token = auth.login("alice", ALICE_PASSWORD, "10.0.0.1")
    assert auth.user(token) == "alice"
    assert auth.user(auth.login("bob", BOB_PASSWORD, "10.0.0.2")) == "bob"
    wrong_password = refusal(auth, "alice", "not-her-password", "10.0.0.3")
    wrong_user = refusal(auth, "mallory", ALICE_PASSWORD, "10.0.0.4")
    other_users_password = refusal(auth, "alice", BOB_PASSWORD, "10.0.0.5")
    assert wrong_password == wrong_user == other_users_password == WRONG_LOGIN
    assert auth.user("made-up-token") is None


def test_without_credentials_the_area_is_disabled_with_how_to_enable_it(tmp_path: Path) -> None:
    reason = disabled_reason(make_settings(tmp_path / "corpus", tmp_path))
    assert reason is not None
    assert reason.startswith("Staff area disabled")
    assert "SEND_STAFF_USERS" in reason and "SEND_STAFF_CREDENTIALS_FILE" in reason
    assert disabled_reason(settings_with_users(tmp_path)) is None


def test_a_malformed_setting_disables_the_area_and_names_the_setting(tmp_path: Path) -> None:
    plain = make_settings(tmp_path / "c", tmp_path, staff_users="alice:secret-in-plain-text")
    reason = disabled_reason(plain)
    assert reason is not None and "SEND_STAFF_USERS" in reason
    assert "secret-in-plain-text" not in reason
    missing = make_settings(
        tmp_path / "c", tmp_path, staff_credentials_file=tmp_path / "no-such-file"
    )
    assert "SEND_STAFF_CREDENTIALS_FILE" in (disabled_reason(missing) or "")


def test_credentials_file_with_comments_and_several_users(tmp_path: Path) -> None:
    path = tmp_path / "staff.txt"
    path.write_text(
        f"# staff accounts\nalice:{HASHER.hash(ALICE_PASSWORD)}\n\ncarol:{HASHER.hash('carol-password-333')}\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path / "corpus", tmp_path, staff_credentials_file=path)
    assert sorted(load_users(settings)) == ["alice", "carol"]
    auth = StaffAuth(settings, hasher=HASHER)
    assert auth.user(auth.login("carol", "carol-password-333", "10.0.0.1")) == "carol"


def test_session_expires_after_the_configured_idle_minutes(tmp_path: Path) -> None:
    clock = Clock()
    auth = StaffAuth(settings_with_users(tmp_path, staff_session_minutes=10), clock, HASHER)
    token = auth.login("alice", ALICE_PASSWORD, "10.0.0.1")
    clock.now += 9 * 60
    assert auth.user(token) == "alice"  # an action renews the session
    clock.now += 9 * 60
    assert auth.user(token) == "alice"
    clock.now += 10 * 60 + 1
    assert auth.user(token) is None
    assert auth.user(token) is None  # gone for good, not revived


def test_logout_ends_the_session(tmp_path: Path) -> None:
    auth = StaffAuth(settings_with_users(tmp_path), hasher=HASHER)
    token = auth.login("alice", ALICE_PASSWORD, "10.0.0.1")
    auth.logout(token)
    assert auth.user(token) is None


def test_repeated_wrong_passwords_for_one_user_are_slowed_down(tmp_path: Path) -> None:
    clock = Clock()
    settings = settings_with_users(
        tmp_path, staff_login_free_failures=3, staff_login_delay_seconds=30
    )
    auth = StaffAuth(settings, clock, HASHER)
    for attempt in range(4):  # from different addresses: counted per user name
        assert refusal(auth, "alice", "guess", f"10.0.1.{attempt}") == WRONG_LOGIN
    # Blocked now, even with the right password, and the message says how long to wait.
    blocked = refusal(auth, "alice", ALICE_PASSWORD, "10.0.2.1")
    assert blocked.startswith("Too many wrong attempts: wait 31 seconds")
    assert auth.user(auth.login("bob", BOB_PASSWORD, "10.0.2.2")) == "bob"  # others unaffected
    clock.now += 31
    assert refusal(auth, "alice", "guess again", "10.0.2.3") == WRONG_LOGIN
    assert "wait 61 seconds" in refusal(auth, "alice", ALICE_PASSWORD, "10.0.2.4")  # doubles
    clock.now += 61
    assert auth.user(auth.login("alice", ALICE_PASSWORD, "10.0.2.5")) == "alice"
    # A success clears the count: the next wrong password is a plain refusal again.
    assert refusal(auth, "alice", "typo", "10.0.2.6") == WRONG_LOGIN


def test_repeated_wrong_logins_from_one_address_are_slowed_down(tmp_path: Path) -> None:
    clock = Clock()
    auth = StaffAuth(settings_with_users(tmp_path, staff_login_free_failures=3), clock, HASHER)
    for name in ("ann", "ben", "cat", "dan"):  # a different (unknown) name each time
        assert refusal(auth, name, "guess", "192.0.2.9") == WRONG_LOGIN
    assert refusal(auth, "alice", ALICE_PASSWORD, "192.0.2.9").startswith("Too many wrong")
    assert auth.user(auth.login("alice", ALICE_PASSWORD, "192.0.2.10")) == "alice"


def test_staff_hash_makes_a_hash_that_logs_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["a-new-staff-password", "a-new-staff-password"])
    assert staff_hash_command(lambda _prompt: next(answers)) == 0
    hashed = capsys.readouterr().out.strip()
    assert hashed.startswith("$argon2id$") and "a-new-staff-password" not in hashed
    settings = make_settings(tmp_path / "corpus", tmp_path, staff_users=f"dee:{hashed}")
    auth = StaffAuth(settings)
    assert auth.user(auth.login("dee", "a-new-staff-password", "10.0.0.1")) == "dee"


def test_staff_hash_refuses_short_or_mismatched_passwords(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert staff_hash_command(lambda _prompt: "short") == 2
    assert "at least 12" in capsys.readouterr().err
    answers = iter(["first-long-password", "other-long-password"])
    assert staff_hash_command(lambda _prompt: next(answers)) == 2
    assert "differ" in capsys.readouterr().err


def test_staff_hash_is_a_cli_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    monkeypatch.setattr(getpass, "getpass", lambda _prompt="": "short")
    assert cli_main(["staff-hash"]) == 2


def test_audit_log_records_who_what_when(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "logs")
    log.record("alice", "published", document="swap-shop", file="swap-shop.pdf")
    log.record("bob", "removed", document="old-page")
    entries = log.entries()
    assert [(e["who"], e["action"]) for e in entries] == [
        ("alice", "published"),
        ("bob", "removed"),
    ]
    assert entries[0]["details"] == {"document": "swap-shop", "file": "swap-shop.pdf"}
    assert entries[0]["time"].endswith("+00:00")


def test_the_pages_own_polling_does_not_keep_a_session_alive(tmp_path: Path) -> None:
    clock = Clock()
    auth = StaffAuth(settings_with_users(tmp_path, staff_session_minutes=10), clock, HASHER)
    token = auth.login("alice", ALICE_PASSWORD, "10.0.0.1")
    for _ in range(9):  # a page polling for ingest progress, with nobody at it
        clock.now += 60
        assert auth.user(token, renew=False) == "alice"
    clock.now += 61
    assert auth.user(token, renew=False) is None


def test_uploads_are_accepted_by_the_server_only_when_the_staff_area_is_on(
    tmp_path: Path,
) -> None:
    from assistant.interfaces.web import upload_limit

    assert upload_limit(make_settings(tmp_path / "corpus", tmp_path)) == "1kb"
    on = settings_with_users(tmp_path, max_pdf_file_mb=50.0)
    assert upload_limit(on) == 50 * 1_048_576
