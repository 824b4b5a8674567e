"""The directory login's settings from the environment (PLANNER_LDAP_*, issue 29)."""

from __future__ import annotations

import pytest

from planner import config
from planner.services import directory as service


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLANNER_LDAP_URL", "ldaps://dc1.kreis.local ldaps://dc2.kreis.local")
    monkeypatch.setenv("PLANNER_LDAP_STARTTLS", "false")
    monkeypatch.setenv("PLANNER_LDAP_GROUPS", "nested-ad")
    monkeypatch.setenv("PLANNER_LDAP_TIMEOUT", "3")
    settings = service.Settings.from_config(config.directory_settings())
    assert settings.urls == ("ldaps://dc1.kreis.local", "ldaps://dc2.kreis.local")
    assert settings.groups == "nested-ad" and settings.timeout == 3 and settings.recheck_minutes == 15
    monkeypatch.delenv("PLANNER_LDAP_URL")
    assert service.Settings.from_config(config.directory_settings()) is None


def test_an_unknown_group_mode_is_refused():
    with pytest.raises(ValueError, match="PLANNER_LDAP_GROUPS"):
        service.Settings.from_config({"LDAP_URL": "ldap://x", "LDAP_GROUPS": "magic"})
