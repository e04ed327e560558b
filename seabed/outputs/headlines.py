"""One-line headline results of a run, from its summary (what the CLI prints after ``wrote ...``)."""

from __future__ import annotations

from typing import Any

from seabed.outputs.report import format_quantity as fq

__all__ = ["offset_headlines", "run_headlines", "supply_headline"]


def run_headlines(summary: dict[str, Any]) -> list[str]:
    """Warnings first, then cores, the mineable resource, the cut-off, the uncertainty and supply.

    Parameters
    ----------
    summary : dict
        The run summary (:func:`seabed.outputs.summary.build_summary`).

    Returns
    -------
    list of str
        One line each, quantities with their units.
    """
    inp, res = summary["inputs"], summary["resource"]
    lines = [f"WARNING: {w}" for w in [*inp.get("warnings", []), *res.get("warnings", [])]]
    lines += [
        f"{inp['cores']['n_cores']} cores, {inp['cores']['n_intervals']} intervals"
        + (" (SYNTHETIC demo data: results illustrate the method)" if summary["synthetic_cores"] else ""),
        (f"mineable {fq(res['mineable_area'])}: {fq(res['dry_mud'])} dry mud at {fq(res['mean_REY_grade'])} REY, "
        f"TREO {fq(res['oxides'].get('TREO'))}, of which {fq(res['TREO_classified'])} classified"),
    ]
    if "above_cutoff" in res:
        a = res["above_cutoff"]
        lines.append(f"above the {fq(a['cutoff'])} {a['item']} cut-off ({a['mode']}): {fq(a['dry_mud'])} dry mud at "
                     f"{fq(a['grade'])}, TREO {fq(a['TREO'])}")
    if "uncertainty" in res:
        u = res["uncertainty"]
        lines.append(f"TREO P10/P50/P90: {fq(u['TREO_P10'])} / {fq(u['TREO_P50'])} / {fq(u['TREO_P90'])}")
    sup = summary.get("supply")
    if sup:
        lines += offset_headlines(sup)
        lines.append(f"NPV {fq(sup.get('npv'))}")
    return lines


def offset_headlines(sup: dict[str, Any]) -> list[str]:
    """The answer per controlled element, then the weakest link (from a summary's ``supply``).

    Each element shows the median (P50) first year from which domestic supply separated outside
    China covers its imports from China for good ("sustained offset"), or ``never`` within the
    horizon, with the probability that it has happened by the horizon's end.

    Examples
    --------
    >>> sup = {"offset_by_element": {
    ...     "Tb": {"first_sustained_offset_year": {"p50": None}, "probability_offset_by_end": 0.0},
    ...     "Yb": {"first_sustained_offset_year": {"p50": 2041}, "probability_offset_by_end": 0.74}},
    ...     "weakest_link": {"element_at_plateau": "Tb", "coverage_plateau": 0.286,
    ...                      "first_sustained_offset_year": {"p50": None}}}
    >>> for line in offset_headlines(sup):
    ...     print(line)
    imports from China sustainably offset by domestic supply (P50 first year; P by horizon end): Tb never (0 %), Yb 2041 (74 %)
    weakest link: Tb, 29 % of its imports from China covered at plateau; all controlled elements offset: never
    """
    by = sup.get("offset_by_element") or {}
    if not by:
        return [(f"first year supply offsets {sup.get('offset_item')} imports from China: "
                 f"{sup.get('first_offset_year') or 'not within the horizon'}")]
    parts = []
    for element, e in by.items():
        if e.get("reason") == "no imports from China":
            continue
        year = (e.get("first_sustained_offset_year") or {}).get("p50")
        p = e.get("probability_offset_by_end")
        parts.append(f"{element} {year or 'never'}" + (f" ({100 * p:.0f} %)" if p is not None else ""))
    lines = ["imports from China sustainably offset by domestic supply (P50 first year; P by horizon end): "
             + ", ".join(parts)]
    weak = sup.get("weakest_link") or {}
    if weak:
        year = (weak.get("first_sustained_offset_year") or {}).get("p50")
        cov = weak.get("coverage_plateau")
        lines.append(f"weakest link: {weak.get('element_at_plateau')}, "
                     + (f"{100 * cov:.0f} % of its imports from China covered at plateau; " if cov is not None else "")
                     + f"all controlled elements offset: {year or 'never'}")
    return lines


def supply_headline(summary: dict[str, Any]) -> str:
    """The headline of ``seabed supply``: NPV and the per-element offset answer.

    Examples
    --------
    >>> supply_headline({"supply": {"offset_item": "Dy", "first_offset_year": 2040}})
    'NPV —; first year supply offsets Dy imports from China: 2040'
    """
    sup = summary["supply"]
    return f"NPV {fq(sup.get('npv'))}; " + "; ".join(offset_headlines(sup))
