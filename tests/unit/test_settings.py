"""Settings: defaults give the embedded setup, the environment overrides, all documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from goodwill.cli.app import make_settings
from goodwill.errors import ConfigError
from goodwill.settings import Settings

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_defaults_are_the_embedded_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"GOODWILL_{name.upper()}", raising=False)
    settings = Settings()
    assert settings.data_dir == Path("goodwill-data")
    assert settings.ledger_dir == Path("goodwill-data/ledger")
    assert settings.quarantine_dir == Path("goodwill-data/quarantine")


def test_environment_overrides_and_options_override_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOODWILL_DATA_DIR", "/srv/care")
    monkeypatch.setenv("GOODWILL_MAX_BAD_FRACTION", "0.05")
    assert Settings().data_dir == Path("/srv/care")
    assert Settings().max_bad_fraction == 0.05
    assert make_settings(Path("/elsewhere"), max_bad_fraction=0.2).data_dir == Path("/elsewhere")
    assert make_settings(None, max_bad_fraction=0.2).max_bad_fraction == 0.2


def test_a_bad_value_names_the_setting_and_value() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^setting max_bad_fraction=2\.0: Input should be less than or equal to 1",
    ):
        make_settings(None, max_bad_fraction=2.0)


def test_every_setting_is_documented_with_its_variable_and_default() -> None:
    rows = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(
            r"^\| `(\w+)` \| `(GOODWILL_\w+)` \| `([^`]*)` \|", DOC.read_text(), re.M
        )
    }
    assert set(rows) == set(Settings.model_fields), "docs/configuration.md and Settings disagree"
    for name, field in Settings.model_fields.items():
        variable, default = rows[name]
        assert variable == f"GOODWILL_{name.upper()}"
        default_value = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        assert default == str(default_value)
        assert field.description, f"setting {name} has no description"
