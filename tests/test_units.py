import pytest

from seabed.errors import UnitsError
from seabed.units import Quantity, convert_currency, parse_quantity


@pytest.mark.parametrize(
    ("text", "dimension", "units", "expected"),
    [
        ("964 ppm", "[]", "g/t", 964.0),
        ("2 wt%", "[]", "ppm", 20_000.0),
        ("2 wt %", "[]", "ppm", 20_000.0),
        ("500 ppb", "[]", "ppm", 0.5),
        ("85 %", "[]", "dimensionless", 0.85),
        ("0.55 g/cm^3", "[mass]/[length]**3", "t/m^3", 0.55),
        ("2500 km^2", "[length]**2", "m^2", 2.5e9),
        ("200 nmi", "[length]", "km", 370.4),
        ("10 mbsf", "[length]", "m", 10.0),
        ("350 t/day", "[mass]/[time]", "kt/year", 127.8375),
        ("16 Mt", "[mass]", "kt", 16_000.0),
        ("3 day", "[time]", "hour", 72.0),
        ("120 USD/kg", "[currency]/[mass]", "USD/t", 120_000.0),
    ],
    ids=["ppm-g/t", "wt%", "wt-space-%", "ppb", "percent", "density", "area", "nmi", "mbsf",
         "rate-kt/year", "Mt", "days", "price"],
)
def test_parse_quantity_converts(text, dimension, units, expected):
    q = parse_quantity(text, dimension, field="f")
    assert q.to(units).magnitude == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("value", "dimension", "fragment"),
    [
        (0.55, "[mass]/[length]**3", "bare number 0.55"),
        ("0.55", "[mass]/[length]**3", "without units"),
        ("1 km", "[mass]", "expected a mass"),
        ("3 furlongs_per_fortnight", "[length]", "unknown unit"),
        (True, "[length]", "expected a quantity"),
    ],
    ids=["bare-number", "bare-string", "wrong-dimension", "unknown-unit", "bool"],
)
def test_parse_quantity_rejects(value, dimension, fragment):
    with pytest.raises(UnitsError, match="resource.density") as info:
        parse_quantity(value, dimension, field="resource.density")
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_kt_is_kilotonne_not_knot():
    assert Quantity("1 kt").to("t").magnitude == 1000.0


def test_currency_conversion_uses_given_rate():
    rate = parse_quantity("150 JPY/USD", "[currency_jpy]/[currency]")
    assert convert_currency(Quantity(16.4e9, "JPY"), "USD", jpy_per_usd=rate).to("USD").magnitude == pytest.approx(16.4e9 / 150)
    per_kg = convert_currency(Quantity(100, "USD/kg"), "JPY", jpy_per_usd=rate)
    assert per_kg.to("JPY/kg").magnitude == pytest.approx(15_000)
    other = parse_quantity("100 JPY/USD", "[currency_jpy]/[currency]")
    assert convert_currency(Quantity(1e4, "JPY"), "USD", jpy_per_usd=other).to("USD").magnitude == pytest.approx(100)


def test_currencies_do_not_mix_without_a_rate():
    with pytest.raises(Exception, match="Cannot convert"):
        Quantity(1, "USD").to("JPY")
