from pathlib import Path

from seabed.config import Config
from seabed.config_reference import render_config_reference

ROOT = Path(__file__).resolve().parent.parent


def test_docs_config_md_is_up_to_date():
    expected = render_config_reference()
    actual = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert actual == expected, "regenerate with: python -m seabed.config_reference > docs/config.md"


def test_every_top_level_key_is_documented():
    text = render_config_reference()
    for name in Config.model_fields:
        if not Config.model_fields[name].exclude:
            assert f"| `{name}` |" in text


def test_quantities_show_their_units():
    text = render_config_reference()
    assert "| `cell_size` | quantity: a length" in text
    assert "`\"0.55 t/m^3\"`" in text
