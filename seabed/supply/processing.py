"""Processing chain: dewatering, hydrocyclone beneficiation, leaching, separation.

Notes
-----
Oxide produced from the metal ``m_e`` (t) in the mud delivered:

.. math::

    O_e = m_e \\, R_b \\, R_{l,e} \\, R_{s,e} \\, F_e

(for Sc, ``R_b R_{l}`` is replaced by ``processing.scandium_recovery``: Sc is not carried by
the biogenic apatite) with ``R_b`` the beneficiation REY recovery (1 when beneficiation is off), ``R_l`` and ``R_s``
the leach and separation recoveries and ``F_e`` the element → oxide mass factor
(:mod:`seabed.elements`). The concentrate mass per tonne of mud (mass pull) is
``R_b / U`` with ``U`` the upgrade factor, and its grade ``U ×`` the head grade. Dewatering
(volume −80 %) changes volume, not mass, and is informational.

References
----------
Takaya, Y. et al. (2018). The tremendous potential of deep-sea mud as a source of rare-earth
elements. Scientific Reports 8, 5763. doi:10.1038/s41598-018-23948-5 (hydrocyclone up to 2.6×).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seabed.config.supply import ProcessingSettings
from seabed.elements import ELEMENTS

__all__ = ["mass_pull", "oxide_factors", "recovery_by_element"]


def oxide_factors(elements: Sequence[str]) -> np.ndarray:
    """Element → oxide mass factors (dimensionless), shape (E,)."""
    return np.array([ELEMENTS[e].oxide_factor for e in elements])


def recovery_by_element(
    elements: Sequence[str],
    processing: ProcessingSettings,
    *,
    leach: np.ndarray | None = None,
    separation: np.ndarray | None = None,
    beneficiation: np.ndarray | None = None,
) -> np.ndarray:
    """Overall recovery ``R_b R_l R_s`` per draw and element, shape (D, E).

    Parameters
    ----------
    elements : sequence of str
        Element symbols.
    processing : ProcessingSettings
        Base recoveries (fractions) and per-element overrides.
    leach, separation, beneficiation : ndarray (D,), optional
        Drawn values replacing the settings for every element; NaN rows of ``leach`` and
        ``separation`` keep the settings (beneficiation must be complete).
    """
    def per_element(default, by_element) -> np.ndarray:
        return np.array(
            [float(by_element.get(e, default).to("").magnitude) for e in elements]
        )[None, :]

    r_l = per_element(processing.leach_recovery, processing.leach_recovery_by_element)
    r_s = per_element(processing.separation_recovery, processing.separation_recovery_by_element)
    if leach is not None:  # NaN rows keep the settings
        leach = np.asarray(leach, dtype=float)[:, None]
        r_l = np.where(np.isnan(leach), r_l, leach)
    if separation is not None:
        separation = np.asarray(separation, dtype=float)[:, None]
        r_s = np.where(np.isnan(separation), r_s, separation)
    ben = processing.beneficiation
    if not ben.enabled:
        r_b = np.ones((1, 1))
    elif beneficiation is not None:
        r_b = beneficiation[:, None]
    else:
        r_b = np.array([[float(ben.recovery.to("").magnitude)]])
    r = r_b * r_l * r_s
    if "Sc" in elements:  # Sc is not in the apatite: its own recovery replaces R_b R_l
        j = list(elements).index("Sc")
        r = np.array(np.broadcast_to(r, np.broadcast_shapes(r.shape, r_s.shape)))
        r[:, j] = float(processing.scandium_recovery.to("").magnitude) * np.broadcast_to(r_s, r.shape)[:, j]
    return np.clip(r, 0.0, 1.0)


def mass_pull(recovery: np.ndarray, upgrade_factor: np.ndarray) -> np.ndarray:
    """Concentrate mass per mass of mud, ``R_b / U`` (dimensionless)."""
    return np.asarray(recovery, dtype=float) / np.asarray(upgrade_factor, dtype=float)
