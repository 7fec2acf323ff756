"""Settings come from CASELOAD_* environment variables, typed, checked, and secrets never shown."""
from __future__ import annotations

import pytest

from chalicelib.config import Secret, SettingError, get_settings, reset_settings


@pytest.fixture(autouse=True)
def _fresh():
    reset_settings()
    yield
    reset_settings()


def test_settings_when_unset_take_the_local_defaults(monkeypatch):
    for name in ("CASELOAD_AUTH_MODE", "CASELOAD_TRUST_GATEWAY_CLAIMS", "CASELOAD_ATTENDANCE_WORKERS",
                 "CASELOAD_MAILER"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert (settings.auth_mode, settings.trust_gateway_claims, settings.attendance_workers, settings.mailer) == (
        "local", False, 8, "file")


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("TRUE", True), ("1", True), ("false", False),
                                                ("0", False), (" no ", False)])
def test_settings_when_a_flag_is_set_read_it_as_a_bool(monkeypatch, text, expected):
    monkeypatch.setenv("CASELOAD_TRUST_GATEWAY_CLAIMS", text)
    assert get_settings().trust_gateway_claims is expected


def test_settings_when_typed_read_numbers_choices_and_text(monkeypatch):
    monkeypatch.setenv("CASELOAD_ATTENDANCE_WORKERS", "3")
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "cognito")
    monkeypatch.setenv("CASELOAD_TABLE_NAME", "t-1")
    settings = get_settings()
    assert (settings.attendance_workers, settings.auth_mode, settings.table_name) == (3, "cognito", "t-1")


@pytest.mark.parametrize(("name", "text"), [("CASELOAD_TRUST_GATEWAY_CLAIMS", "maybe"),
                                            ("CASELOAD_ATTENDANCE_WORKERS", "eight"),
                                            ("CASELOAD_ATTENDANCE_WORKERS", "0"),
                                            ("CASELOAD_ATTENDANCE_WORKERS", "33"),
                                            ("CASELOAD_AUTH_MODE", "none"), ("CASELOAD_MAILER", "smtp")])
def test_settings_when_a_value_is_wrong_name_the_variable(monkeypatch, name, text):
    monkeypatch.setenv(name, text)
    with pytest.raises(SettingError, match=name):
        get_settings()


def test_secret_when_shown_anywhere_stays_hidden(monkeypatch):
    monkeypatch.setenv("CASELOAD_CURSOR_SECRET", "s3cr3t-value")
    settings = get_settings()
    shown = [repr(settings), str(settings), f"{settings.cursor_secret}", f"{settings.cursor_secret!s:>40}"]
    assert not any("s3cr3t-value" in text for text in shown)
    assert settings.cursor_secret.get_secret_value() == "s3cr3t-value"
    assert settings.cursor_secret == Secret("s3cr3t-value") != Secret("other")
