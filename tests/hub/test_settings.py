"""Settings: hub.toml and HUB_* variables, with errors that name the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import Profile, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("HUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray hub.toml from the working directory


def test_defaults_without_file_are_dev_profile() -> None:
    s = load_settings()
    assert s.profile is Profile.DEV
    assert s.gateway.port == 4000
    assert s.effective_database_url.startswith("sqlite+aiosqlite:///")


def test_file_values_are_read(tmp_path: Path) -> None:
    (tmp_path / "hub.toml").write_text('[gateway]\nport = 4100\n[simulators]\nbase_port = 5200\n', encoding="utf-8")
    s = load_settings()
    assert s.gateway.port == 4100
    assert s.simulators.base_port == 5200


def test_environment_wins_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hub.toml").write_text("[gateway]\nport = 4100\n", encoding="utf-8")
    monkeypatch.setenv("HUB_GATEWAY__PORT", "4200")
    assert load_settings().gateway.port == 4200


def test_bad_env_value_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_GATEWAY__PORT", "not-a-port")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "gateway.port" in str(err.value)
    assert "HUB_GATEWAY__PORT" in str(err.value)


def test_unknown_key_in_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "hub.toml").write_text("[gateway]\nprot = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"gateway\.prot.*unknown key"):
        load_settings()


def test_broken_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "hub.toml").write_text("[gateway\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"hub\.toml: not valid TOML"):
        load_settings()


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_production_requires_real_secret_and_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PROFILE", "production")
    with pytest.raises(SettingsError, match="id_hash_secret"):
        load_settings()
    monkeypatch.setenv("HUB_ID_HASH_SECRET", "x" * 40)
    with pytest.raises(SettingsError, match="database_url"):
        load_settings()
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://hub@127.0.0.1/hub")
    assert load_settings().profile is Profile.PRODUCTION


def test_bad_enum_value_lists_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PROFILE", "staging")
    with pytest.raises(SettingsError, match="profile"):
        load_settings()


def test_production_refuses_the_dev_secret_of_a_configured_outbound_receiver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PROFILE", "production")
    monkeypatch.setenv("HUB_ID_HASH_SECRET", "x" * 40)
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://hub@127.0.0.1/hub")
    assert load_settings().outbox.credit_url == ""  # no receiver configured: the dev defaults are harmless
    monkeypatch.setenv("HUB_OUTBOX__CREDIT_URL", "https://127.0.0.1:9443/api/credit/v1/penalties")
    with pytest.raises(SettingsError, match="credit_app_secret"):
        load_settings()
    monkeypatch.setenv("HUB_OUTBOX__CREDIT_APP_SECRET", "issued-by-the-credit-platform-0123")
    settings = load_settings()
    from subgraphs.cases.outbox.config import OutboxConfig

    (destination,) = OutboxConfig.from_settings(settings).destinations
    assert (destination.topic, destination.app_secret) == ("credit.penalty", "issued-by-the-credit-platform-0123")
    assert "issued-by" not in repr(destination)  # the secret never shows in logs or reprs


def test_the_publicity_period_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from subgraphs.cases.outbox.config import OutboxConfig

    monkeypatch.setenv("HUB_OUTBOX__PUBLICITY_GENERAL_DAYS", "180")
    policy = OutboxConfig.from_settings(load_settings()).publicity
    assert (policy.general_days, policy.serious_days) == (180, 1095)
    monkeypatch.setenv("HUB_OUTBOX__PUBLICITY_SERIOUS_DAYS", "0")
    with pytest.raises(SettingsError, match="publicity_serious_days"):
        load_settings()


def test_max_token_lifetime_reaches_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.audit import gateway_security

    config, _ = gateway_security(load_settings())
    assert config.jwt is not None
    assert config.jwt.max_lifetime_s == 12 * 3600
    monkeypatch.setenv("HUB_SECURITY__MAX_TOKEN_LIFETIME_S", "900")
    config, _ = gateway_security(load_settings())
    assert config.jwt is not None
    assert config.jwt.max_lifetime_s == 900


def test_source_policy_settings_reach_every_source(monkeypatch: pytest.MonkeyPatch) -> None:
    from subgraphs.common.config import SOURCES, SubgraphConfig

    monkeypatch.setenv("HUB_SOURCES__TIMEOUT_S", "1.5")
    monkeypatch.setenv("HUB_SOURCES__BREAKER_THRESHOLD", "2")
    config = SubgraphConfig.from_settings(load_settings())
    for source in SOURCES:
        policy = config.policy(source)
        assert (policy.timeout_s, policy.breaker_threshold) == (1.5, 2), source


def test_the_gateway_waits_longer_than_a_hanging_department(monkeypatch: pytest.MonkeyPatch) -> None:
    # a subgraph may call two departments' systems one after the other: the gateway must outwait both
    monkeypatch.setenv("HUB_SOURCES__TIMEOUT_S", "5")
    with pytest.raises(SettingsError, match=r"gateway.subgraph_timeout_s \(10 s\) must exceed 2 × sources.timeout_s"):
        load_settings()
    monkeypatch.setenv("HUB_GATEWAY__SUBGRAPH_TIMEOUT_S", "10.5")
    assert load_settings().gateway.subgraph_timeout_s == 10.5
