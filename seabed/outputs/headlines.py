"""One-line headline results of a run, from its summary (what the CLI prints after ``wrote ...``)."""

from __future__ import annotations

from typing import Any

from seabed.outputs.report import format_quantity as fq

__all__ = ["run_headlines", "supply_headline"]


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
        lines.append(f"first year supply offsets {sup.get('offset_item')} imports from China: "
                     f"{sup.get('first_offset_year') or 'not within the horizon'}; NPV {fq(sup.get('npv'))}")
    return lines


def supply_headline(summary: dict[str, Any]) -> str:
    """The headline of ``seabed supply``: NPV and the first year supply offsets imports.

    Examples
    --------
    >>> supply_headline({"supply": {"offset_item": "Dy", "first_offset_year": 2040}})
    'NPV —; first offset year of Dy: 2040'
    """
    sup = summary["supply"]
    return (f"NPV {fq(sup.get('npv'))}; first offset year of {sup.get('offset_item')}: "
            f"{sup.get('first_offset_year') or 'not within the horizon'}")
