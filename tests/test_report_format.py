"""The report's number formatter: human numbers, never scientific notation, at most 4 significant figures."""

import re

import pytest

from seabed.outputs.report import format_quantity, human_number, human_percent


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (12345.6, "12,350"), (2041, "2,041"), (0.000123456, "0.0001235"), (-2.5, "−2.5"),
    (1.284e-11, "≈0"), (3.0e15, "3,000,000,000,000,000"), (None, "—"), (float("nan"), "—"), (83.456031, "83.46"),
])
def test_human_number(value, text):
    assert human_number(value) == text


@pytest.mark.parametrize(("q", "text"), [
    ({"value": -2859986449.12, "units": "USD"}, "−2.86 bn USD"),
    ({"value": 118002.6, "units": "t"}, "118 kt"),
    ({"value": 0.5, "units": "Mt"}, "500 kt"),
    ({"value": 24827.0, "units": "Mt"}, "24,830 Mt"),
    ({"value": 0.08, "units": "1 / a"}, "8 %/year"),
    ({"value": 4514.0, "units": "km^2"}, "4,514 km²"),
    ({"value": None, "units": "Mt"}, "—"),
])
def test_format_quantity(q, text):
    assert format_quantity(q) == text


def test_no_scientific_notation_and_at_most_four_significant_figures():
    for v in (1e-6, 1.23456789e-3, 9.87654321, 123456789.0, 1e22, -7.777777e9):
        text = human_number(v)
        assert not re.search(r"\de[+-]?\d", text, re.IGNORECASE)
        digits = text.replace(",", "").replace("−", "").replace("≈", "")
        sig = digits.replace(".", "").lstrip("0")
        sig = sig.rstrip("0") if "." not in digits else sig
        assert len(sig) <= 4, text


def test_human_percent():
    assert human_percent(0.286259) == "28.6 %"
    assert human_percent(None) == "—"
