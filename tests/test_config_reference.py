from pathlib import Path

from seabed.config import Config
from seabed.config.reference import render_config_reference

ROOT = Path(__file__).resolve().parent.parent


def test_docs_config_md_is_up_to_date():
    expected = render_config_reference()
    actual = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert actual == expected, "regenerate with: python -m seabed.config.reference > docs/config.md"


def test_every_top_level_key_is_documented():
    text = render_config_reference()
    for name in Config.model_fields:
        if not Config.model_fields[name].exclude:
            assert f"| `{name}` |" in text


def test_quantities_show_their_units():
    text = render_config_reference()
    assert "| `cell_size` | quantity: a length" in text
    assert "`\"0.55 t/m^3\"`" in text


def test_defaults_are_written_as_toml():
    """One way of writing defaults: double-quoted strings, TOML booleans, no Python reprs."""
    text = render_config_reference()
    defaults = [row.split(" | ")[2] for row in text.splitlines() if row.startswith("| `")]
    for d in defaults:
        assert "'" not in d, d
        assert d not in ("`None`", "`True`", "`False`"), d
    assert "`\"4000 m\"`" in text
    assert "`\"8 percent/year\"`" in text
    assert "| `max_slope` | float (optional) | `7.0` |" in text


def test_max_slope_false_is_refused_not_zero():
    """``max_slope = false`` was read as 0 degrees (0 km2, exit 0); it is refused."""
    import pytest

    from seabed.config import MaskSettings

    with pytest.raises(ValueError, match="boolean"):
        MaskSettings(max_slope=False)
