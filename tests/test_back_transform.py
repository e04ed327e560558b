"""The compiled back-transform of many normal-score columns equals np.interp column by column."""

from __future__ import annotations

import numpy as np
import pytest

from seabed.geostats.back_transform import BUCKETS, back_transform_columns, stack_tables
from seabed.geostats.normal_score import NormalScoreTransform


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_equals_np_interp_on_every_column(dtype) -> None:
    rng = np.random.default_rng(4)
    transforms = [NormalScoreTransform.fit(rng.lognormal(6, 0.5, n)) for n in (2, 3, 25, 300, 2 * BUCKETS)]
    transforms.append(NormalScoreTransform.fit(np.array([1.0, 1.0, 2.0, 2.0, 2.0, 9.0])))  # ties
    y = (rng.standard_normal((len(transforms), 5_000)) * 2.5).astype(dtype)  # beyond ±5 too
    y[:, :3] = [-99.0, 99.0, np.nan]
    got = back_transform_columns(y, stack_tables([t.table() for t in transforms]), out=np.empty(y.shape))
    for c, t in enumerate(transforms):
        xs, ys = t.table()
        want = np.interp(y[c].astype(np.float64), ys, xs)
        np.testing.assert_allclose(got[c], want, rtol=1e-13, atol=0, equal_nan=True)
        assert got[c, 0] == t.lower
        assert got[c, 1] == t.upper
        assert np.isnan(got[c, 2])


def test_knots_map_to_their_values_exactly() -> None:
    t = NormalScoreTransform.fit(np.array([5.0, 1.0, 3.0, 10.0, 7.5]))
    xs, ys = t.table()
    got = back_transform_columns(ys[None, :], stack_tables([(xs, ys)]), out=np.empty((1, ys.size)))
    np.testing.assert_array_equal(got[0], xs)


def test_refuses_tables_that_do_not_increase() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        stack_tables([(np.array([1.0, 2.0]), np.array([0.0, 0.0]))])
    with pytest.raises(ValueError, match="one table per column"):
        back_transform_columns(np.zeros((2, 3)), stack_tables([(np.array([1.0, 2.0]), np.array([0.0, 1.0]))]))
