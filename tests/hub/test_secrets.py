"""`hub secrets init` writes a complete, strong production set (0600, no silent overwrite), and production
refuses every dev default, naming each setting at once."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.sm import sm2_generate_keypair, sm2_public_key
from hub.cli import app
from hub.production import production_problems
from hub.settings import Profile, Settings, SettingsError, load_settings

runner = CliRunner()
DEV_DEFAULTS = Settings()


@pytest.fixture(autouse=True)
def _no_hub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("HUB_"):
            monkeypatch.delenv(key)


def _init(path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["secrets", "init", "--out", str(path), *extra])
    return result.exit_code, result.output


def _production(path: Path, **overrides: object) -> Settings:
    base = load_settings(path, profile=Profile.DEV)
    return base.model_copy(update={"profile": Profile.PRODUCTION, "database_url": "postgresql://hub@db/hub",
                                   **overrides})


def test_init_writes_a_complete_private_set(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    code, output = _init(path)
    assert code == 0, output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = _production(path)
    assert production_problems(settings) == []
    # every secret is the set's own, none a dev default
    sec = settings.security
    assert sec.signing.secret != DEV_DEFAULTS.security.signing.secret
    assert settings.id_hash_secret != DEV_DEFAULTS.id_hash_secret
    assert sm2_public_key(sec.audit.anchor_private_key) == sec.audit.anchor_public_keys[sec.audit.anchor_key_id]
    for value in (settings.id_hash_secret, sec.signing.secret, sec.metrics_token, settings.supervision.client_secret,
                  settings.outbox.data_centre_app_secret, settings.outbox.credit_app_secret,
                  settings.simulators.population_api_key, settings.simulators.soap_password):
        assert len(value) >= 32


def test_two_sets_share_no_secret(tmp_path: Path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    assert _init(first)[0] == 0
    assert _init(second)[0] == 0
    a, b = _production(first), _production(second)
    assert a.id_hash_secret != b.id_hash_secret
    assert a.security.signing.secret != b.security.signing.secret
    assert a.security.audit.anchor_private_key != b.security.audit.anchor_private_key
    assert a.supervision.client_secret != b.supervision.client_secret


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text("# mine\n", encoding="utf-8")
    path.chmod(0o644)
    code, output = _init(path)
    assert code != 0
    assert "--force" in output
    assert path.read_text(encoding="utf-8") == "# mine\n"
    code, output = _init(path, "--force")
    assert code == 0, output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # narrowed although the file was readable before
    assert production_problems(_production(path)) == []


def test_an_env_file_is_as_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "hub.env"
    code, output = _init(path)
    assert code == 0, output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            assert key.startswith("HUB_")
            monkeypatch.setenv(key, value.strip("'"))
    settings = load_settings(profile=Profile.DEV).model_copy(
        update={"profile": Profile.PRODUCTION, "database_url": "postgresql://hub@db/hub"})
    assert production_problems(settings) == []


def test_production_names_every_dev_default_at_once() -> None:
    settings = DEV_DEFAULTS.model_copy(update={"profile": Profile.PRODUCTION})
    named = {line.split(" ")[0] for line in production_problems(settings)}
    assert named >= {"id_hash_secret", "database_url", "security.signing.secret",
                     "security.audit.anchor_private_key", "supervision.client_secret",
                     "simulators.population_api_key", "simulators.national_credit_app_secret",
                     "simulators.soap_password"}


@pytest.mark.parametrize(("section", "key"), [
    (None, "id_hash_secret"), ("security.signing", "secret"), ("outbox", "data_centre_app_secret"),
    ("outbox", "credit_app_secret"), ("supervision", "client_secret"), ("simulators", "population_api_key"),
    ("simulators", "soap_password"), ("simulators", "national_credit_app_secret"),
])
def test_each_dev_default_put_back_into_a_complete_set_is_refused(tmp_path: Path, section: str | None,
                                                                   key: str) -> None:
    path = tmp_path / "hub.toml"
    assert _init(path)[0] == 0
    settings = _production(path, outbox=_production(path).outbox.model_copy(update={
        "data_centre_url": "https://dc.example/records", "credit_url": "https://credit.example/penalties"}))
    assert production_problems(settings) == []
    if section is None:
        broken = settings.model_copy(update={key: getattr(DEV_DEFAULTS, key)})
    else:
        parts = section.split(".")
        dev_section, section_value = DEV_DEFAULTS, settings
        for part in parts:
            dev_section, section_value = getattr(dev_section, part), getattr(section_value, part)
        changed = section_value.model_copy(update={key: getattr(dev_section, key)})
        if len(parts) == 2:
            outer = getattr(settings, parts[0])
            broken = settings.model_copy(update={parts[0]: outer.model_copy(update={parts[1]: changed})})
        else:
            broken = settings.model_copy(update={parts[0]: changed})
    full = f"{section}.{key}" if section else key
    assert [line.split(" ")[0] for line in production_problems(broken)] == [full]


def test_an_anchor_key_whose_public_key_is_not_listed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    assert _init(path)[0] == 0
    settings = _production(path)
    other = sm2_generate_keypair()
    audit = settings.security.audit.model_copy(update={"anchor_public_keys": {"audit-1": other.public_key}})
    broken = settings.model_copy(update={"security": settings.security.model_copy(update={"audit": audit})})
    assert [line.split(" ")[0] for line in production_problems(broken)] == ["security.audit.anchor_public_keys"]
    bad = settings.security.audit.model_copy(update={"anchor_private_key": "xyz"})
    broken = settings.model_copy(update={"security": settings.security.model_copy(update={"audit": bad})})
    assert "security.audit.anchor_private_key" in {line.split(" ")[0] for line in production_problems(broken)}


def test_the_settings_of_production_report_every_problem_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PROFILE", "production")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "id_hash_secret" in str(refused.value)
    assert "database_url" in str(refused.value)


def test_up_in_production_with_dev_defaults_lists_what_is_missing_and_starts_nothing(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch
                                                                                   ) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["up", "--profile", "production"])
    assert result.exit_code == 2
    for key in ("id_hash_secret", "security.signing.secret", "security.audit.anchor_private_key",
                "supervision.client_secret"):
        assert key in result.output
    assert not (tmp_path / "data" / "seed").exists()


def test_secrets_check_passes_for_a_trial_set_with_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _init(tmp_path / "hub.toml")[0] == 0
    missing = runner.invoke(app, ["secrets", "check"])
    assert missing.exit_code == 1
    assert "database_url" in missing.output
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://hub@db.example/hub")
    complete = runner.invoke(app, ["secrets", "check"])
    assert complete.exit_code == 0, complete.output
