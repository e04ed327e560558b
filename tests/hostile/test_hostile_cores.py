"""Hostile core-assay tables: impossible numbers, hidden or duplicate columns, malformed files (issue 12).

Each case breaks one thing in the Takaya-box project's ``cores.csv`` (or its ``[inputs.cores]``
table) and asserts that ``seabed check`` refuses it with exit 2 and one line naming the file, row,
core and column where relevant, the value, what was expected and the fix; or, where acceptance is
right, that it exits 0 with the warning recorded (logged by the loader and kept in
``intervals.attrs["warnings"]`` / ``["detection"]``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from harness import Project, assert_user_error

ELEMENTS = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y", "Sc"]


# --- ways to break the table ---------------------------------------------------------------------


def _cell(column: str, value: object, row: int = 0):
    """Set one cell (data row ``row + 1``) to ``value``."""
    def edit(p: Project) -> None:
        def fn(df: pd.DataFrame) -> pd.DataFrame:
            df[column] = df[column].astype(object)
            df.loc[row, column] = value
            return df
        p.edit_cores(fn)
    return edit


def _cells(values: dict[str, object], row: int = 0):
    def edit(p: Project) -> None:
        for column, value in values.items():
            _cell(column, value, row)(p)
    return edit


def _rename(old: str, new: str):
    return lambda p: p.edit_cores(lambda df: df.rename(columns={old: new}))


def _add_column(name: str, values: object):
    return lambda p: p.edit_cores(lambda df: df.assign(**{name: values}))


def _blank(*columns: str):
    return lambda p: p.edit_cores(lambda df: df.assign(**dict.fromkeys(columns, np.nan)))


def _text(edit_text):
    """Edit the raw text of cores.csv: ``edit_text(header, data_lines) -> (header, data_lines)``."""
    def edit(p: Project) -> None:
        lines = p.cores.read_text(encoding="utf-8").splitlines()
        comments = [ln for ln in lines if ln.startswith("#")]
        body = [ln for ln in lines if not ln.startswith("#")]
        header, data = edit_text(body[0], body[1:])
        p.cores.write_text("\n".join([*comments, header, *data]) + "\n", encoding="utf-8")
    return edit


def _bytes(make):
    def edit(p: Project) -> None:
        p.cores.write_bytes(make(p.cores.read_text(encoding="utf-8")))
    return edit


def _sep(sep: str):
    return _text(lambda h, d: (h.replace(",", sep), [ln.replace(",", sep) for ln in d]))


def _latin1(text: str) -> bytes:
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("SYN-MT-01"))
    lines[k + 2] = lines[k + 2].replace("SYN-MT-01", "SYN-MT-01é")  # a Latin-1 byte 0xe9 in a data line
    return ("\n".join(lines) + "\n").encode("latin-1", errors="replace")


def _cfg(key: str, raw_toml: str):
    return lambda p: p.set_key("inputs.cores", key, raw_toml)


def _both(*edits):
    def edit(p: Project) -> None:
        for e in edits:
            e(p)
    return edit


# --- the corpus: (how to break it, expected exit code, fragments) -------------------------------
# Refused: the fragments must be in the one-line error. Accepted: they must be in the logged
# warnings ("!fragment": must not be).

REFUSED = 2
ACCEPTED = 0

CASES = [
    # 1. physical limits, after conversion to ppm
    pytest.param(_cell("La", 1e30), REFUSED, ("cores.csv", "data row 1", "core SYN-MT-01", "column 'La'", "1e+30",
                                               "at most 1,000,000 ppm"), id="La-1e30"),
    pytest.param(_cell("Y", 1_000_001), REFUSED, ("data row 1", "column 'Y'", "1000001", "at most 1,000,000 ppm"),
                 id="element-over-1e6ppm"),
    pytest.param(_cells({"La": 600_000, "Ce": 500_000}, row=4), REFUSED,
                 ("data row 5", "core SYN-MT-01", "sum of 1,100,", "at most 1,000,000 ppm"), id="sample-sum-over-1e6ppm"),
    pytest.param(_cfg("units", '"wt%"'), REFUSED, ("cores.csv", "data row 1", "wt%", "look like ppm",
                                                  "[inputs.cores] units"), id="ppm-table-labelled-wt%"),
    pytest.param(_cfg("units", '"percent"'), REFUSED, ("look like ppm", "units"), id="ppm-table-labelled-percent"),
    pytest.param(_both(_cfg("units", '"wt%"'), _cfg("elements", '["La", "Nd"]')), REFUSED,
                 ("sum of", "look like ppm", "units"), id="ppm-labelled-wt%-sum-only"),
    # 2. plausibility: accepted, with a warning naming row and column
    pytest.param(_cell("Y", 25_000, row=2), ACCEPTED,
                 ("data row 3", "column 'Y'", "plausible_max_REY 20,000 ppm", "accepted"), id="REY-25000ppm-warns"),
    pytest.param(lambda p: p.edit_cores(lambda df: df.assign(**{e: df[e] * 30 for e in ELEMENTS[:-1]})), ACCEPTED,
                 ("plausible_max_REY", "more sample(s)"), id="REY-x30-warnings-capped"),
    pytest.param(lambda p: p.edit_cores(lambda df: df.assign(**{e: df[e] / 1e4 for e in ELEMENTS})), ACCEPTED,
                 ("median total REY", "look like wt%"), id="wt%-table-labelled-ppm-warns"),
    pytest.param(_both(_cell("Y", 25_000, row=2), _cfg("plausible_max_REY", '"30000 ppm"')), ACCEPTED, ("!plausible_max_REY",),
                 id="plausible-max-raised"),
    pytest.param(_both(_cell("Y", 25_000, row=2), _cfg("plausible_max_REY", '"off"')), ACCEPTED, ("!plausible_max_REY",),
                 id="plausible-max-off"),
    pytest.param(_both(_cell("Y", 12_000, row=2), _cfg("plausible_max_REY", '"1 wt%"')), ACCEPTED,
                 ("data row 3", "plausible_max_REY 10,000 ppm"), id="plausible-max-lowered"),
    pytest.param(_cfg("plausible_max_REY", '"20000"'), REFUSED, ("plausible_max_REY", "without units", "fix"),
                 id="plausible-max-no-units"),
    pytest.param(_cfg("plausible_max_REY", "20000"), REFUSED, ("plausible_max_REY", "20000", "string with units"),
                 id="plausible-max-bare-number"),
    pytest.param(_cfg("plausible_max_REY", '"2 km"'), REFUSED, ("plausible_max_REY", "2 km"),
                 id="plausible-max-length"),
    pytest.param(_cfg("plausible_max_REY", '"200 %"'), REFUSED, ("plausible_max_REY", "1,000,000 ppm"),
                 id="plausible-max-over-100%"),
    pytest.param(_cfg("plausible_min_REY", '"3 wt%"'), REFUSED, ("plausible_min_REY", "plausible_max_REY", "min < max"),
                 id="plausible-min-above-max"),
    # 3. columns
    pytest.param(_rename("Nd", "Neodymium"), REFUSED,
                 ("cores.csv", "column 'Neodymium'", "did you mean 'Nd'", 'columns = {Neodymium = "Nd"}',
                  "ignore_columns"), id="Neodymium"),
    pytest.param(_rename("Nd", "nd"), REFUSED, ("column 'nd'", "did you mean 'Nd'"), id="nd-lowercase"),
    pytest.param(_rename("Nd", "Nd_ppm"), REFUSED, ("column 'Nd_ppm'", "did you mean 'Nd'"), id="Nd_ppm"),
    pytest.param(_rename("Nd", "Nd (ppm)"), REFUSED, ("column 'Nd (ppm)'", "did you mean 'Nd'",
                                                      'columns = {"Nd (ppm)" = "Nd"}'), id="Nd-(ppm)"),
    pytest.param(_rename("Dy", "DY"), REFUSED, ("column 'DY'", "did you mean 'Dy'"), id="DY-uppercase"),
    pytest.param(_rename("Y", "Yttrium"), REFUSED, ("column 'Yttrium'", "did you mean 'Y'"), id="Yttrium"),
    pytest.param(_add_column("La_ICPMS", 90.0), REFUSED, ("column 'La_ICPMS'", "already has a 'La' column"),
                 id="second-La-column"),
    pytest.param(_add_column("Nd2O3", 90.0), REFUSED, ("column 'Nd2O3'", "oxide", "1.1664"), id="oxide-column"),
    pytest.param(_add_column("TREO", 900.0), REFUSED, ("column 'TREO'", "group total"), id="total-column"),
    pytest.param(_add_column("Th", 9.0), REFUSED, ("column 'Th'", "does not use"), id="other-element-column"),
    pytest.param(_add_column("lab_batch", 7), REFUSED, ("column 'lab_batch'", "holds numbers",
                                                        'ignore_columns = ["lab_batch"]'), id="numeric-unmapped"),
    pytest.param(_add_column("dry_density", 0.5), REFUSED, ("column 'dry_density'", "did you mean 'dry_bulk_density'"),
                 id="misspelt-density"),
    pytest.param(_text(lambda h, d: (h + ",La", [ln + ",1.0" for ln in d])), REFUSED,
                 ("cores.csv", "column 'La' appears 2 times", "columns [8, 24]"), id="duplicate-La"),
    pytest.param(_text(lambda h, d: (h.replace(",Ce,", ",La,"), d)), REFUSED,
                 ("column 'La' appears 2 times",), id="Ce-header-typed-La"),
    pytest.param(_both(_rename("Nd", "Neodymium"), _cfg("columns", '{Neodymium = "Nd"}')), ACCEPTED, (),
                 id="column-map"),
    pytest.param(_both(_add_column("lab_batch", 7), _cfg("ignore_columns", '["lab_batch"]')), ACCEPTED, (),
                 id="ignore-columns"),
    pytest.param(_both(_add_column("lab_batch", 7), _cfg("ignore_columns", '["lab_*"]')), ACCEPTED, (),
                 id="ignore-columns-glob"),
    pytest.param(_cfg("columns", '{Neodymium = "Neo"}'), REFUSED, ("inputs.cores.columns", "'Neo'", "schema"),
                 id="map-to-non-schema"),
    pytest.param(_both(_rename("Nd", "Neodymium"), _cfg("columns", '{Neodymium = "La"}')), REFUSED,
                 ("cores.csv", "'Neodymium' to 'La'", "already has a column 'La'"), id="map-to-present-column"),
    pytest.param(_cfg("columns", '{Praseodymium = "Pr"}'), REFUSED,
                 ("cores.csv", "no column 'Praseodymium'"), id="map-missing-source"),
    pytest.param(_cfg("columns", '{Neodymium = "Nd", Nd_ppm = "Nd"}'), REFUSED,
                 ("inputs.cores.columns", "several columns", "Nd"), id="map-two-sources"),
    pytest.param(_cfg("ignore_columns", '["La"]'), REFUSED, ("ignore_columns", "'La'", "schema"),
                 id="ignore-schema-column"),
    pytest.param(_both(_cfg("columns", '{lab = "La"}'), _cfg("ignore_columns", '["lab"]')), REFUSED,
                 ("both mapped", "ignored"), id="mapped-and-ignored"),
    # 4. malformed tables
    pytest.param(_sep(";"), REFUSED, ("cores.csv", "semicolon", "delimiter", "comma-separated"), id="semicolons"),
    pytest.param(_sep("\t"), REFUSED, ("cores.csv", "tab", "delimiter", "comma-separated"), id="tabs"),
    pytest.param(_text(lambda h, d: (h, [d[0], d[1] + ",9.9", *d[2:]])), REFUSED,
                 ("cores.csv", "data row 2", "got 24 fields", "expected 23 fields"), id="ragged-long-row"),
    pytest.param(_text(lambda h, d: (h, [d[0], d[1].rsplit(",", 2)[0], *d[2:]])), REFUSED,
                 ("data row 2", "got 21 fields", "expected 23"), id="ragged-short-row"),
    pytest.param(_bytes(lambda t: b""), REFUSED, ("cores.csv", "empty file"), id="empty-file"),
    pytest.param(_bytes(lambda t: b"# SYNTHETIC\n\n"), REFUSED, ("cores.csv", "empty file"), id="comments-only"),
    pytest.param(_text(lambda h, d: (h, [])), REFUSED, ("cores.csv", "no data rows", "header only"), id="header-only"),
    pytest.param(_blank(*ELEMENTS), REFUSED, ("cores.csv", "no assay values"), id="all-assays-blank"),
    pytest.param(_blank("Sc"), REFUSED, ("column 'Sc'", "no assay values"), id="one-element-blank"),
    pytest.param(_bytes(_latin1), REFUSED, ("cores.csv", "byte 0xe9", "encoding UTF-8"), id="latin-1"),
    pytest.param(_bytes(lambda t: t.encode("utf-16")), REFUSED, ("cores.csv", "UTF-16", "UTF-8"), id="utf-16"),
    pytest.param(_bytes(lambda t: b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256))), REFUSED,
                 ("cores.csv", "spreadsheet", "CSV"), id="xlsx-renamed-csv"),
    # 5. below detection: accepted, substitutions counted and logged
    pytest.param(_both(_cell("La", "<0.5", 0), _cell("La", "<0.5", 1), _cell("Sc", "<2", 1)), ACCEPTED,
                 ("3 below-detection assay(s)", "half the detection limit", "La 2", "Sc 1"), id="below-detection"),
    pytest.param(_both(_cell("La", "<0.5", 0), _cfg("detection_policy", '"drop"')), ACCEPTED,
                 ("1 below-detection assay(s)", "NaN", "detection_policy='drop'"), id="below-detection-drop"),
    # 6. values that are not numbers
    pytest.param(_cell("La", "1,234", 3), REFUSED,
                 ("data row 4", "core SYN-MT-01", "column 'La'", "'1,234'", "thousands separator"), id="thousands-comma"),
    pytest.param(_cell("Ce", "0,5", 3), REFUSED, ("column 'Ce'", "'0,5'", "decimal point"), id="decimal-comma"),
    pytest.param(_cell("Nd", "n.d.", 3), REFUSED, ("column 'Nd'", "'n.d.'", "below-detection value as '<DL'"),
                 id="n.d."),
    pytest.param(_cell("Dy", "BDL", 3), REFUSED, ("column 'Dy'", "'BDL'", "below-detection value as '<DL'"), id="BDL"),
    pytest.param(_cell("Y", "120 ppm", 3), REFUSED, ("column 'Y'", "'120 ppm'", "remove the unit"), id="unit-in-cell"),
    pytest.param(_cell("Y", ">5000", 3), REFUSED, ("column 'Y'", "'>5000'", "over-range"), id="over-range"),
    pytest.param(_cell("top_mbsf", "1,5", 3), REFUSED, ("column 'top_mbsf'", "'1,5'", "decimal point"),
                 id="depth-decimal-comma"),
]


@pytest.mark.parametrize(("breaker", "code", "fragments"), CASES)
def test_hostile_cores(project: Project, caplog, breaker, code, fragments):
    breaker(project)
    caplog.clear()
    r = project.check()
    if code == REFUSED:
        assert_user_error(r, *fragments)
        return
    assert r.code == 0, (r.code, r.err)
    assert "OK" in r.out
    logged = caplog.text.lower()
    for f in fragments:
        if f.startswith("!"):  # must not be logged
            assert f[1:].lower() not in logged, f"{f[1:]!r} in the logged warnings: {caplog.text}"
        else:
            assert f.lower() in logged, f"{f!r} not in the logged warnings: {caplog.text}"


def test_accepted_project_logs_no_core_warning(project: Project, caplog):
    """The unmodified demo table: no warning, so the warnings above come from the breakage."""
    assert project.check().code == 0
    assert "seabed.inputs.cores" not in caplog.text


def test_blank_element_left_out_by_elements_is_accepted(project: Project):
    """An empty Sc column is refused only when Sc is used."""
    _blank("Sc")(project)
    _cfg("elements", '["La", "Ce", "Nd", "Y"]')(project)
    assert project.check().code == 0


def test_run_refuses_impossible_assay_before_computing(project: Project):
    _cell("La", 1e30)(project)
    r = project.run()
    assert_user_error(r, "cores.csv", "data row 1", "column 'La'", "1e+30", "at most 1,000,000 ppm")
    assert not (project.root / "out").exists()
    assert project.leftovers() == []
