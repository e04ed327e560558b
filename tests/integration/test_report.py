"""The report answers its question first, carries its assumptions, and prints human numbers (issue 15)."""

import html as htmlmod
import json
import re
import shutil
import subprocess
import tempfile

import pytest

#: A number as printed: digits with thousands separators and decimals, or scientific notation.
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?")
#: Identifiers that are not quantities: DOIs, the seed, versions, file names and dates.
_NOT_QUANTITIES = re.compile(r"doi:\S+|10\.\d{4,}/\S+|seed \d+|seabed \S+|\S+\.(?:csv|toml|tif|png|json|nc)\b"
                             r"|\d{4}-\d{2}-\d{2}|\bs\d+\b|\b(?:19|20)\d\d\.\d\b")


def _without_quoted_sources(report: str) -> str:
    """The assumptions table's last column quotes the settings' descriptions (their sources) verbatim."""
    start = report.find('id="assumptions"')
    if start < 0:
        return report
    end = report.index("</table>", start)
    return report[:start] + re.sub(r"<td>[^<]*</td></tr>", "</tr>", report[start:end]) + report[end:]


def _text(report: str) -> str:
    report = re.sub(r"<style>.*?</style>", " ", report, flags=re.DOTALL)
    report = re.sub(r'src="data:[^"]*"', " ", report)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", report))


def bad_numbers(text: str) -> list[str]:
    """Numbers in scientific notation or with more than 4 significant figures."""
    bad = []
    for m in _NUMBER.finditer(_NOT_QUANTITIES.sub(" ", text)):
        s = m.group(0)
        if re.search(r"[eE][+-]?\d", s):
            bad.append(s)
            continue
        plain = s.replace(",", "")
        sig = plain.replace(".", "").lstrip("0")
        if "." not in plain:
            sig = sig.rstrip("0")
        if len(sig) > 4:
            bad.append(s)
    return bad


def test_bad_numbers_detector():
    assert bad_numbers("1.021e+06 and 12,345 and 2,859,986,449") == ["1.021e+06", "12,345", "2,859,986,449"]
    assert bad_numbers("2027.1, 2041, 24,830 Mt, 0.0001235, doi:10.1038/s41598-018-23948-5, seed 20260201") == []


def test_report_answers_first_and_has_assumptions(takaya_run):
    report = (takaya_run / "report.html").read_text(encoding="utf-8")
    summary = json.loads((takaya_run / "summary.json").read_text())
    body = report[report.index("<body>"):]
    answer = body.index('id="answer"')
    for method in ("Status of this estimate", "Sampling and data", "Estimation and modelling techniques"):
        assert answer < body.index(method)
    box = body[answer:body.index("</div>", body.index("coverage at plateau", answer))]
    for element in summary["supply"]["offset_by_element"]:
        assert f"<td>{element}</td>" in box
    assert "Weakest link" in box
    assert "not within horizon" in box or "never" in box
    assert (takaya_run / "figures" / "offset_timeline.png").is_file()
    assert 'id="assumptions"' in report
    for parameter in ("plan.solids_fraction", "economics.discount_rate", "demand.china_share",
                      "separation.plants[japan_commercial].heavy_capacity", "processing.leach_recovery"):
        assert parameter in report
    assert summary["supply"]["assumptions"]


def test_report_numbers_are_human(takaya_run):
    text = _text(_without_quoted_sources((takaya_run / "report.html").read_text(encoding="utf-8")))
    assert not re.search(r"\('[^']*', '[^']*'\)", text), "Python tuples as row labels"
    assert bad_numbers(text) == []


def test_cli_headlines_are_human(takaya_run):
    from seabed.outputs.headlines import run_headlines

    lines = run_headlines(json.loads((takaya_run / "summary.json").read_text()))
    assert bad_numbers("\n".join(lines)) == []


def test_report_answer_box_screenshot(takaya_run, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no Chromium on this machine (CI installs it when it can)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    uri = (takaya_run / "report.html").as_uri()
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run([browser, *flags, f"--user-data-dir={profile}", "--dump-dom", uri],
                             check=False, capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'id="answer"' in dom.stdout
    assert 'id="assumptions"' in dom.stdout
    shot = tmp_path / "report_top.png"
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([browser, *flags, f"--user-data-dir={profile}", "--window-size=1200,1400",
                            f"--screenshot={shot}", uri], check=False, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    print(f"screenshot of the top of the report: {shot}")


def test_report_states_drift_anisotropy_and_declustering_with_references(takaya_run):
    """The method section says what was assumed even when it is the default (no drift, isotropic)."""
    report = (takaya_run / "report.html").read_text(encoding="utf-8")
    method = report[report.index("<h2>Estimation and modelling techniques</h2>"):]
    method = method[:method.index("</section>")]
    assert "Drift: none" in method
    assert "Anisotropy: none" in method
    assert "Isaaks &amp; Srivastava 1989" in method
    assert "Declustering (cell, GSLIB DECLUS; Deutsch &amp; Journel 1998)" in method
