"""The compiled tally of a realisation equals the scope-by-scope numpy sums."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.resource.tally import CLASS_SCOPES, tally_grades


def numpy_tally(g, t, codes, rows, factors, cutoffs):
    item = np.tensordot(factors, g[rows].astype(np.float64), axes=1)
    sels = [np.ones_like(t, dtype=bool)]
    if codes is not None:
        sels += [codes == c for c in CLASS_SCOPES]
    sels += [item >= c for c in cutoffs]
    tw = np.stack([np.where(sel, t, 0.0) for sel in sels])  # (scope, layer, cell)
    return tw.sum(axis=(1, 2)), np.einsum("eln,sln->se", g.astype(np.float64), tw) * 1e-6


@pytest.mark.parametrize("with_codes", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_equals_numpy_sums(with_codes, dtype) -> None:
    rng = np.random.default_rng(3)
    g = rng.lognormal(6, 0.6, (5, 4, 300)).astype(dtype)
    t = rng.uniform(0, 2e5, (4, 300))
    t[:, ::7] = 0.0  # cells with no tonnes in the resource
    codes = rng.integers(-1, 4, (4, 300)).astype(np.int8) if with_codes else None
    rows, factors, cutoffs = np.array([0, 2, 3]), np.array([1.2, 1.0, 1.17]), np.array([900.0, 1500.0, 1e9])
    mud, metal = tally_grades(g, t, codes=codes, item_rows=rows, item_factors=factors, cutoffs=cutoffs)
    want_mud, want_metal = numpy_tally(g, t, codes, rows, factors, cutoffs)
    assert mud.shape == (1 + 4 * with_codes + 3,)
    np.testing.assert_allclose(mud, want_mud, rtol=1e-12)
    np.testing.assert_allclose(metal, want_metal, rtol=1e-12)
    assert mud[-1] == 0.0  # nothing above 1e9 ppm
    if with_codes:  # the classes partition the cells with a class code
        in_class = np.isin(codes, CLASS_SCOPES)
        assert mud[1:5].sum() == pytest.approx(t[in_class].sum(), rel=1e-12)
