"""Ordinary and simple kriging of many variables at once, point or block support.

The estimator follows the scikit-learn pattern: ``Kriging(model, ...)`` stores the
options, :meth:`Kriging.fit` stores the samples (fitted attributes end in ``_``) and
:meth:`Kriging.predict` returns a :class:`KrigingResult`.

How it is fast
--------------
* Neighbours come from a k-d tree; targets are processed in spatially compact chunks.
* Within a chunk, targets with the same neighbour set share one kriging matrix: the
  sets are deduplicated, each distinct matrix is inverted once, and the right-hand
  sides of all targets are multiplied by their set's inverse in one batched matrix
  product (targets sorted by set and packed into equal-size "pieces").
* With one (standardised) variogram for all variables (intrinsic correlation), the
  weights do not depend on the variable, so they are solved once per sample set and
  applied to every variable with the same pattern of missing values.

Examples
--------
>>> import numpy as np
>>> from seabed.geostats.variogram import Structure, VariogramModel
>>> model = VariogramModel(0.0, (Structure("spherical", 1.0, 10.0),))
>>> xy = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
>>> ok = Kriging(model, neighbourhood=Neighbourhood(min_samples=1)).fit(xy, [1.0, 2.0, 3.0])
>>> float(ok.predict(xy[:1]).estimate[0])
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix

from seabed.errors import ConfigError, InputDataError
from seabed.geostats.neighbourhood import Neighbourhood, SampleSearch, group_variables
from seabed.geostats.variogram import VariogramModel

__all__ = ["REASONS", "Kriging", "KrigingResult", "Neighbourhood"]

#: Meaning of the ``reason`` codes.
REASONS = {0: "estimated", 1: "too few samples in the neighbourhood"}

#: Largest sample count for which the sample-to-sample covariance matrix is cached.
_MAX_PRECOMPUTED = 3000

_DIAGNOSTICS = (
    "slope_of_regression",
    "kriging_efficiency",
    "n_samples",
    "nearest_distance",
    "negative_weight_sum",
    "reason",
)


@dataclass(frozen=True)
class KrigingResult:
    """Estimates and diagnostics at ``m`` targets for ``p`` variables.

    Arrays are ``(m, p)``, or ``(m,)`` when the fitted values were one-dimensional.

    Attributes
    ----------
    estimate : ndarray
        Estimate, units of the variable; NaN where not estimated.
    variance : ndarray
        Kriging (estimation) variance, squared units of the variable.
    group_of_variable : ndarray of int, shape (p,)
        Sample-set group of each variable (variables with the same missing-value
        pattern, and the same variogram, form one group and share weights).
    group_diagnostics : dict of str to ndarray, shape (m, n_groups)
        Per-group diagnostics (see the properties).
    block_variance : ndarray, shape (p,)
        Variance of the target support: the block variance :math:`\\bar C(V, V)` for block
        kriging, the total sill for point kriging, squared units of the variable.
    n_negative : ndarray of int, shape (p,)
        Number of negative estimates, counted before any clipping.
    n_clipped : ndarray of int, shape (p,)
        Number of estimates set to 0 by ``negative_estimates="clip"``.
    """

    estimate: np.ndarray
    variance: np.ndarray
    group_of_variable: np.ndarray
    group_diagnostics: dict[str, np.ndarray]
    block_variance: np.ndarray
    n_negative: np.ndarray
    n_clipped: np.ndarray
    squeeze: bool = field(default=False, repr=False)

    def _expand(self, name: str) -> np.ndarray:
        g = self.group_diagnostics[name]
        p = self.group_of_variable.size
        if self.squeeze:
            return g[:, self.group_of_variable[0]]
        if g.shape[1] == 1:
            return np.broadcast_to(g, (g.shape[0], p))  # read-only view, no copy
        return g[:, self.group_of_variable]

    def diagnostic(self, name: str, variable: int = 0) -> np.ndarray:
        """One diagnostic for one variable, shape ``(m,)``, without expanding the others."""
        return self.group_diagnostics[name][:, self.group_of_variable[variable]]

    @property
    def slope_of_regression(self) -> np.ndarray:
        """Slope of the regression of the true value on the estimate (dimensionless)."""
        return self._expand("slope_of_regression")

    @property
    def kriging_efficiency(self) -> np.ndarray:
        """Kriging efficiency :math:`(BV - KV)/BV` (dimensionless)."""
        return self._expand("kriging_efficiency")

    @property
    def n_samples(self) -> np.ndarray:
        """Number of samples used (int)."""
        return self._expand("n_samples")

    @property
    def nearest_distance(self) -> np.ndarray:
        """Distance from the target (block centre) to the nearest sample used, m."""
        return self._expand("nearest_distance")

    @property
    def negative_weight_sum(self) -> np.ndarray:
        """Sum of the negative kriging weights (<= 0, dimensionless)."""
        return self._expand("negative_weight_sum")

    @property
    def reason(self) -> np.ndarray:
        """0 estimated, 1 too few samples in the neighbourhood (estimate NaN)."""
        return self._expand("reason")


@dataclass
class _Group:
    """Variables sharing a sample set and a variogram."""

    columns: np.ndarray
    model: VariogramModel  # unit-sill model used for the weights
    scale: np.ndarray  # (p_g,) multiplies unit-model variances
    coords: np.ndarray  # (n_g + 1, 2), last row a sentinel
    values: np.ndarray  # (n_g + 1, p_g), last row 0 (after mean removal for SK)
    mean: np.ndarray | None  # (p_g,) for simple kriging
    search: SampleSearch
    n: int
    block_variance: float
    sample_covariance: np.ndarray | None  # (n_g + 1, n_g + 1) when small enough


class Kriging:
    """Ordinary or simple kriging with a moving or global neighbourhood.

    Parameters
    ----------
    model : VariogramModel or sequence of VariogramModel
        One model shared by all variables (typically standardised, sill ≈ 1; see
        ``variable_sills``), or one model per variable (each solved separately).
    kind : {"ordinary", "simple"}, default "ordinary"
        Ordinary kriging (unknown local mean, weights sum to 1) or simple kriging (known mean).
    mean : float or array_like, optional
        Mean of each variable for simple kriging, units of the variable (required then).
    neighbourhood : Neighbourhood, default Neighbourhood()
        Search: 32 nearest samples, at least 4, unlimited radius.
    block_size : float, optional
        Edge of the square block to estimate, m; ``None`` (default) for point kriging.
    block_discretisation : int, default 4
        Block discretised by ``n × n`` points.
    variable_sills : array_like, optional
        Per-variable factor applied to the shared model's variances (the variance of each
        variable when the model is standardised); default 1 for every variable.
    negative_estimates : {"keep", "clip"}, default "keep"
        Policy for negative estimates (possible with negative weights): keep them, or set
        them to 0 (for non-negative quantities such as grades). Both are counted in
        :attr:`KrigingResult.n_negative` / ``n_clipped``.

    Notes
    -----
    Ordinary kriging solves, for each target :math:`V` and its neighbours,

    .. math:: \\begin{pmatrix} C & 1 \\\\ 1^T & 0 \\end{pmatrix}
              \\begin{pmatrix} w \\\\ \\mu \\end{pmatrix} =
              \\begin{pmatrix} \\bar c \\\\ 1 \\end{pmatrix},\\qquad
              \\sigma^2_{OK} = \\bar C(V,V) - w^T \\bar c - \\mu,

    with :math:`C_{ij} = C(x_i - x_j)` and :math:`\\bar c_i = \\bar C(x_i, V)`; simple kriging
    drops the constraint: :math:`C w = \\bar c`, :math:`z^* = m + w^T (z - m)`,
    :math:`\\sigma^2_{SK} = \\bar C(V,V) - w^T \\bar c`. Here :math:`\\mu` is the Lagrange
    multiplier of the covariance form (its sign is opposite to the variogram form's).

    Block support: the point-to-block covariance :math:`\\bar C(x_i, V)` and the block
    variance :math:`BV = \\bar C(V, V)` are averages over the ``n × n`` discretisation points
    of the *continuous* part of the covariance (the nugget is treated as a micro-scale
    effect that averages out within a block). For point kriging :math:`BV` is the total sill.

    Diagnostics (Krige 1997; Vann, Jackson & Bertoli 2003):

    * kriging efficiency :math:`KE = (BV - \\sigma^2_K)/BV`;
    * slope of regression of the true block value on the estimate,
      :math:`b = \\mathrm{cov}(Z_V, Z^*)/\\mathrm{var}(Z^*) = w^T\\bar c / (w^T C w)
      = w^T \\bar c / (w^T \\bar c - \\mu)` for OK, i.e.
      :math:`(BV - \\sigma^2_K + |\\mu|)/(BV - \\sigma^2_K + 2|\\mu|)` in the usual notation;
      exactly 1 for simple kriging.

    Shared weights: with one model :math:`\\gamma` for standardised variables, variable
    :math:`v` has variogram :math:`s_v \\gamma`; the weights do not depend on :math:`s_v` and
    :math:`\\sigma^2_v = s_v \\sigma^2`. Variables are grouped by their pattern of missing
    samples; each group is searched and solved once.

    Unused neighbour slots (fewer samples than ``max_samples`` within the radius) are
    padded with identity rows that receive zero weight, so all targets are solved in one
    batch.

    References
    ----------
    Journel, A. G. & Huijbregts, C. J. (1978). *Mining Geostatistics*. Academic Press.
    Krige, D. G. (1997). A practical analysis of the effects of spatial structure and of
    data available and accessed, on conditional biases in ordinary kriging. *Geostatistics
    Wollongong '96*, 799-810.
    Vann, J., Jackson, S. & Bertoli, O. (2003). Quantitative kriging neighbourhood analysis
    for the mining geologist. *5th Int. Mining Geology Conf.*, AusIMM, 215-223.
    """

    def __init__(
        self,
        model: VariogramModel | Sequence[VariogramModel],
        *,
        kind: str = "ordinary",
        mean: float | Sequence[float] | None = None,
        neighbourhood: Neighbourhood | None = None,
        block_size: float | None = None,
        block_discretisation: int = 4,
        variable_sills: Sequence[float] | None = None,
        negative_estimates: str = "keep",
    ) -> None:
        self.model = model
        self.kind = kind
        self.mean = mean
        self.neighbourhood = neighbourhood if neighbourhood is not None else Neighbourhood()
        self.block_size = block_size
        self.block_discretisation = block_discretisation
        self.variable_sills = variable_sills
        self.negative_estimates = negative_estimates

    # ------------------------------------------------------------------ fit
    def _check_options(self, p: int) -> tuple[list[VariogramModel], np.ndarray, np.ndarray | None]:
        if self.kind not in ("ordinary", "simple"):
            raise ConfigError(f"kriging kind: got {self.kind!r}; expected 'ordinary' or 'simple'")
        if self.negative_estimates not in ("keep", "clip"):
            raise ConfigError(
                f"kriging negative_estimates: got {self.negative_estimates!r}; expected 'keep' or 'clip'"
            )
        if self.block_size is not None and not self.block_size > 0:
            raise ConfigError(f"kriging block_size: got {self.block_size} m; expected > 0 m or None")
        if int(self.block_discretisation) < 1:
            raise ConfigError(
                f"kriging block_discretisation: got {self.block_discretisation}; expected >= 1"
            )
        if isinstance(self.model, VariogramModel):
            models = [self.model] * p
            sills = (
                np.ones(p)
                if self.variable_sills is None
                else np.broadcast_to(np.asarray(self.variable_sills, dtype=float), (p,)).copy()
            )
            if np.any(~np.isfinite(sills)) or np.any(sills < 0):
                raise ConfigError(
                    f"kriging variable_sills: got {sills.tolist()}; expected finite values >= 0"
                )
        else:
            models = list(self.model)
            if len(models) != p or not all(isinstance(m, VariogramModel) for m in models):
                raise ConfigError(
                    f"kriging model: got {len(models)} models for {p} variables; expected one "
                    "VariogramModel, or one per variable"
                )
            if self.variable_sills is not None:
                raise ConfigError(
                    "kriging variable_sills: given together with one model per variable; "
                    "expected variable_sills only with a single shared model"
                )
            sills = np.ones(p)
        mean = None
        if self.kind == "simple":
            if self.mean is None:
                raise ConfigError(
                    "kriging mean: simple kriging needs the mean of each variable; "
                    "fix: pass mean=... or use kind='ordinary'"
                )
            mean = np.broadcast_to(np.asarray(self.mean, dtype=float), (p,)).copy()
        return models, sills, mean

    def fit(self, coords: np.ndarray, values: np.ndarray) -> Kriging:
        """Store the samples.

        Parameters
        ----------
        coords : ndarray, shape (n, 2)
            Sample coordinates ``(x, y)``, m.
        values : ndarray, shape (n,) or (n, p)
            Sample values; NaN where a variable is missing at a sample.

        Returns
        -------
        Kriging
            ``self``, with ``coords_``, ``values_``, ``n_variables_`` and ``groups_``.
        """
        coords = np.array(coords, dtype=float)
        values = np.array(values, dtype=float)
        squeeze = values.ndim == 1
        values2 = values[:, None] if squeeze else values
        if coords.ndim != 2 or coords.shape[1] != 2 or values2.ndim != 2:
            raise InputDataError(
                f"kriging fit: got coords {coords.shape} and values {values.shape}; expected "
                "(n, 2) and (n,) or (n, p)"
            )
        if values2.shape[0] != coords.shape[0] or not np.all(np.isfinite(coords)):
            raise InputDataError(
                f"kriging fit: got {coords.shape[0]} coordinates and {values2.shape[0]} value rows "
                "(or non-finite coordinates); expected one finite (x, y) per row of values"
            )
        p = values2.shape[1]
        models, sills, mean = self._check_options(p)
        groups: list[_Group] = []
        pattern_group, patterns = group_variables(values2)
        model_ids = {}
        model_of = np.array([model_ids.setdefault(m, len(model_ids)) for m in models])
        keys = pattern_group * len(model_ids) + model_of
        for key in np.unique(keys):
            cols = np.flatnonzero(keys == key)
            present = patterns[pattern_group[cols[0]]]
            model = models[cols[0]]
            groups.append(self._make_group(coords, values2, cols, present, model, sills, mean))
        self.coords_ = coords
        self.values_ = values2
        self.n_variables_ = p
        self.squeeze_ = squeeze
        self.groups_ = groups
        return self

    def _make_group(
        self,
        coords: np.ndarray,
        values: np.ndarray,
        cols: np.ndarray,
        present: np.ndarray,
        model: VariogramModel,
        sills: np.ndarray,
        mean: np.ndarray | None,
    ) -> _Group:
        xy = coords[present]
        n = xy.shape[0]
        if n > 1 and model.nugget == 0:
            uniq = np.unique(xy, axis=0)
            if uniq.shape[0] < n:
                raise InputDataError(
                    f"kriging fit: got {n - uniq.shape[0]} samples at duplicate coordinates with a "
                    "zero-nugget variogram (singular system); fix: average duplicates or add a nugget"
                )
        unit = model.scaled(1.0 / model.sill)
        z = values[np.ix_(present, cols)]
        g_mean = None
        if mean is not None:
            g_mean = mean[cols]
            z = z - g_mean
        vals = np.vstack([z, np.zeros((1, cols.size))])
        ext = np.vstack([xy, xy.mean(axis=0, keepdims=True) if n else np.zeros((1, 2))])
        sample_cov = None
        if n <= _MAX_PRECOMPUTED:
            d = xy[:, None, :] - xy[None, :, :]
            sample_cov = np.zeros((n + 1, n + 1))
            sample_cov[:n, :n] = unit.covariance(d[..., 0], d[..., 1])
            sample_cov[n, n] = 1.0  # the padding slot: identity row, zero weight
        return _Group(
            sample_covariance=sample_cov,
            columns=cols,
            model=unit,
            scale=sills[cols] * model.sill,
            coords=ext,
            values=vals,
            mean=g_mean,
            search=SampleSearch(xy, self.neighbourhood),
            n=n,
            block_variance=self._block_variance(unit),
        )

    # ------------------------------------------------------------- geometry
    def _offsets(self) -> np.ndarray | None:
        if self.block_size is None:
            return None
        nd = int(self.block_discretisation)
        f = ((np.arange(nd) + 0.5) / nd - 0.5) * self.block_size
        ox, oy = np.meshgrid(f, f)
        return np.column_stack([ox.ravel(), oy.ravel()])

    def _block_variance(self, unit: VariogramModel) -> float:
        off = self._offsets()
        if off is None:
            return 1.0
        d = off[:, None, :] - off[None, :, :]
        return float(np.mean(unit.structured_covariance(d[..., 0], d[..., 1])))

    # -------------------------------------------------------------- predict
    def predict(
        self, targets: np.ndarray, *, chunk_size: int | None = None, n_jobs: int = 1
    ) -> KrigingResult:
        """Estimate at target points or blocks.

        Parameters
        ----------
        targets : ndarray, shape (m, 2)
            Target points or block centres ``(x, y)``, m.
        chunk_size : int, optional
            Targets per batch (bounds memory); default chosen from the neighbourhood size.
        n_jobs : int, default 1
            Threads working on chunks in parallel (numpy releases the GIL).

        Returns
        -------
        KrigingResult
        """
        if not hasattr(self, "groups_"):
            raise ConfigError("kriging predict: the estimator is not fitted; call fit() first")
        targets = np.asarray(targets, dtype=float)
        if targets.ndim != 2 or targets.shape[1] != 2:
            raise InputDataError(f"kriging predict: got targets {targets.shape}; expected (m, 2)")
        m = targets.shape[0]
        p = self.n_variables_
        k = max((g.search.width for g in self.groups_), default=1)
        if chunk_size is None:
            chunk_size = _default_chunk_size(k)
        order = _spatial_order(targets, chunk_size)
        chunks = [order[s : s + chunk_size] for s in range(0, m, chunk_size)]
        n_groups = len(self.groups_)
        estimate = np.empty((m, p))  # every row is written by exactly one chunk per group
        variance = np.empty((m, p))
        diag = {name: np.full((m, n_groups), np.nan) for name in _DIAGNOSTICS}
        diag["n_samples"] = np.zeros((m, n_groups), dtype=np.int32)
        diag["reason"] = np.ones((m, n_groups), dtype=np.int8)
        group_of_variable = np.empty(p, dtype=np.intp)
        block_variance = np.empty(p)
        n_negative = np.zeros(p, dtype=np.int64)
        clip = self.negative_estimates == "clip"
        for gi, g in enumerate(self.groups_):
            group_of_variable[g.columns] = gi
            block_variance[g.columns] = g.block_variance * g.scale
            cols = g.columns
            if np.array_equal(cols, np.arange(cols[0], cols[0] + cols.size)):
                cols = slice(int(cols[0]), int(cols[0]) + cols.size)

            def work(rows: np.ndarray, g: _Group = g, gi: int = gi, cols=cols) -> np.ndarray:
                out = self._krige_chunk(g, targets[rows])
                est, var_unit = out.pop("estimate"), out.pop("variance")
                with np.errstate(invalid="ignore"):
                    negative = est < 0
                if clip:
                    est[negative] = 0.0
                if isinstance(cols, slice):
                    estimate[rows, cols] = est
                    variance[rows, cols] = var_unit[:, None] * g.scale[None, :]
                else:
                    estimate[np.ix_(rows, cols)] = est
                    variance[np.ix_(rows, cols)] = var_unit[:, None] * g.scale[None, :]
                for name, arr in out.items():
                    diag[name][rows, gi] = arr
                return negative.sum(axis=0)

            if n_jobs > 1 and len(chunks) > 1:
                with ThreadPoolExecutor(max_workers=n_jobs) as pool:
                    counts = list(pool.map(work, chunks))
            else:
                counts = [work(rows) for rows in chunks]
            n_negative[g.columns] = np.sum(counts, axis=0)
        n_clipped = n_negative.copy() if clip else np.zeros(p, dtype=np.int64)
        if self.squeeze_:
            estimate, variance = estimate[:, 0], variance[:, 0]
        return KrigingResult(
            estimate=estimate,
            variance=variance,
            group_of_variable=group_of_variable,
            group_diagnostics=diag,
            block_variance=block_variance,
            n_negative=n_negative,
            n_clipped=n_clipped,
            squeeze=self.squeeze_,
        )

    def neighbour_weights(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Kriging weights of each target on its neighbours (the first sample set only).

        Parameters
        ----------
        targets : ndarray, shape (m, 2)
            Target points or block centres ``(x, y)``, m.

        Returns
        -------
        (indices, weights) : ndarray of int (m, k), ndarray (m, k)
            Sample indices (``n`` = the number of samples in unused slots) and their weights
            (0 there, and everywhere for targets with too few samples). The estimate of
            variable ``v`` is ``Σ_j weights[:, j] · values[indices[:, j], v]`` (plus the mean for
            simple kriging): what :meth:`predict` computes, without forming it for every
            variable (e.g. for an identity right-hand side of many variables).
        """
        if not hasattr(self, "groups_"):
            raise ConfigError("kriging neighbour_weights: the estimator is not fitted; call fit() first")
        targets = np.asarray(targets, dtype=float)
        g = self.groups_[0]
        k = g.search.width
        chunk = _default_chunk_size(k)
        idx = np.full((targets.shape[0], k), g.n, dtype=np.intp)
        w = np.zeros((targets.shape[0], k))
        for start in range(0, targets.shape[0], chunk):
            part = self._krige_chunk(g, targets[start : start + chunk], weights_only=True)
            width = part["indices"].shape[1]
            idx[start : start + chunk, :width] = part["indices"]
            w[start : start + chunk, :width] = part["weights"]
        return idx, w

    def _krige_chunk(self, g: _Group, t: np.ndarray, *, weights_only: bool = False) -> dict[str, np.ndarray]:
        m = t.shape[0]
        pg = g.columns.size
        out = {
            "estimate": np.full((m, pg), np.nan),
            "variance": np.full(m, np.nan),
            "slope_of_regression": np.full(m, np.nan),
            "kriging_efficiency": np.full(m, np.nan),
            "n_samples": np.zeros(m, dtype=np.int32),
            "nearest_distance": np.full(m, np.nan),
            "negative_weight_sum": np.full(m, np.nan),
            "reason": np.ones(m, dtype=np.int8),
        }
        idx = g.search.query(t)
        n_used = np.sum(idx < g.n, axis=1)
        out["n_samples"][:] = n_used
        ok = n_used >= self.neighbourhood.min_samples
        if weights_only:
            out = {"indices": np.full(idx.shape, g.n, dtype=np.intp), "weights": np.zeros(idx.shape)}
        if not ok.any():
            return out
        t = t[ok]
        idx = idx[ok]
        k = int(n_used[ok].max())
        idx = idx[:, :k]
        valid = idx < g.n
        ordinary = self.kind == "ordinary"
        size = k + 1 if ordinary else k

        # distinct neighbour sets and the inverse of their kriging matrices
        uniq, inv = _unique_rows(idx)
        lhs = _lhs(g, uniq, ordinary)

        # right-hand sides
        sx = g.coords[idx]  # (m, k, 2)
        dx = t[:, None, 0] - sx[..., 0]
        dy = t[:, None, 1] - sx[..., 1]
        d2 = dx * dx + dy * dy
        nearest = np.sqrt(np.where(valid, d2, np.inf).min(axis=1))
        offsets = self._offsets()
        if offsets is None and g.model.isotropic:
            cov = g.model.covariance_at_distance(np.sqrt(d2))
        elif offsets is None:
            cov = g.model.covariance(dx, dy)
        else:
            cov = np.zeros_like(dx)
            for ox, oy in offsets:
                cov += g.model.structured_covariance(dx + ox, dy + oy)
            cov /= offsets.shape[0]
        cov = np.where(valid, cov, 0.0)
        rhs = np.empty((t.shape[0], size))
        rhs[:, :k] = cov
        if ordinary:
            rhs[:, k] = 1.0

        pieces = _Pieces(inv, uniq.shape[0], size)
        sol = pieces.unpack(_solve(lhs[pieces.set_of_piece], pieces.pack(rhs)))
        w = sol[:, :k]
        if weights_only:
            rows = np.flatnonzero(ok)
            out["indices"][rows, :k] = idx
            out["weights"][rows, :k] = np.where(valid, w, 0.0)
            return out
        wc = np.sum(w * cov, axis=1)
        bv = g.block_variance
        if ordinary:
            mu = sol[:, k]
            var = bv - wc - mu
            denom = wc - mu
            with np.errstate(invalid="ignore", divide="ignore"):
                slope = np.where(denom > 0, wc / np.where(denom > 0, denom, 1.0), np.nan)
        else:
            var = bv - wc
            slope = np.ones_like(var)
        var = np.maximum(var, 0.0)

        # estimates
        if pg <= 4:
            est = np.einsum("mk,mkp->mp", w, g.values[idx])
        else:  # sparse (targets x samples) weight matrix times the sample table
            mt = idx.shape[0]
            weights = csr_matrix(
                (w.ravel(), idx.ravel(), np.arange(0, mt * k + 1, k)), shape=(mt, g.n + 1)
            )
            est = np.asarray(weights @ g.values)
        if g.mean is not None:
            est = est + g.mean[None, :]

        sel = np.flatnonzero(ok)
        out["estimate"][sel] = est
        out["variance"][sel] = var
        out["slope_of_regression"][sel] = slope
        out["kriging_efficiency"][sel] = (bv - var) / bv
        out["nearest_distance"][sel] = nearest
        out["negative_weight_sum"][sel] = np.minimum(w, 0.0).sum(axis=1)
        out["reason"][sel] = 0
        return out


class _Pieces:
    """Targets sorted by neighbour set and packed into equal-size pieces of one set each.

    Each piece is solved as one linear system with ``cap`` right-hand sides; ``cap`` is
    chosen to minimise the flop count (one LU factorisation per piece plus two
    triangular solves per right-hand side).
    """

    def __init__(self, inv: np.ndarray, n_sets: int, size: int) -> None:
        m = inv.size
        self.order = np.argsort(inv, kind="stable")
        counts = np.bincount(inv, minlength=n_sets)
        factor_cost = 2.0 * size**3 / 3.0
        rhs_cost = 2.0 * size**2
        best = None
        for cap in {1, int(np.ceil(m / n_sets)), int(np.ceil(2 * m / n_sets)), int(counts.max())}:
            n_p = -(-counts // cap)
            cost = n_p.sum() * (factor_cost + cap * rhs_cost)
            if best is None or cost < best[0]:
                best = (cost, cap)
        self.cap = cap = best[1]
        starts = np.cumsum(counts) - counts
        set_sorted = inv[self.order]
        pos = np.arange(m) - starts[set_sorted]
        n_pieces = -(-counts // cap)
        first_piece = np.cumsum(n_pieces) - n_pieces
        self.piece = first_piece[set_sorted] + pos // cap
        self.slot = pos % cap
        self.set_of_piece = np.repeat(np.arange(n_sets), n_pieces)
        self.n_pieces = int(n_pieces.sum())
        self.m = m

    def pack(self, rows: np.ndarray) -> np.ndarray:
        """``(m, K)`` rows to ``(P, K, cap)`` right-hand-side blocks (zero padded)."""
        out = np.zeros((self.n_pieces, self.cap, rows.shape[1]))
        out[self.piece, self.slot] = rows[self.order]
        return out.transpose(0, 2, 1)

    def unpack(self, packed: np.ndarray) -> np.ndarray:
        """``(P, K, cap)`` solutions back to ``(m, K)`` rows in the original order."""
        out = np.empty((self.m, packed.shape[1]))
        out[self.order] = packed.transpose(0, 2, 1)[self.piece, self.slot]
        return out


def _default_chunk_size(k: int) -> int:
    """Targets per batch for neighbourhoods of ``k`` samples (bounds the (m, k+1, k+1) systems)."""
    return int(np.clip(2**23 // (k + 1) ** 2, 256, 16384))


def _solve(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Batched solve; a singular system (e.g. coincident samples) falls back to a pseudo-inverse."""
    try:
        return np.linalg.solve(lhs, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(lhs, hermitian=True) @ rhs


def _unique_rows(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of an int array and the row -> distinct-row map.

    Rows are hashed to one 64-bit integer (random odd multipliers, wrapping arithmetic);
    the result is verified and recomputed exactly in the (astronomically rare) case of a
    hash collision.
    """
    m, k = idx.shape
    if m == 0:
        return idx[:0], np.zeros(0, dtype=np.intp)
    if np.all(idx == idx[:1]):
        return idx[:1].copy(), np.zeros(m, dtype=np.intp)
    mult = np.random.default_rng(12345).integers(1, 2**62, size=k, dtype=np.uint64) * 2 + 1
    with np.errstate(over="ignore"):
        h = (idx.astype(np.uint64) * mult).sum(axis=1, dtype=np.uint64)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = np.asarray(inv).ravel()
    uniq = idx[first]
    if not np.array_equal(uniq[inv], idx):  # hash collision: exact fallback
        uniq, inv = np.unique(idx, axis=0, return_inverse=True)
        inv = np.asarray(inv).ravel()
    return uniq, inv


def _lhs(g: _Group, uniq: np.ndarray, ordinary: bool) -> np.ndarray:
    """Kriging matrices of the distinct neighbour sets, (u, K, K)."""
    u, k = uniq.shape
    valid = uniq < g.n
    if g.sample_covariance is not None:
        c = g.sample_covariance[uniq[:, :, None], uniq[:, None, :]]
    else:
        xy = g.coords[uniq]
        dx = xy[:, :, None, 0] - xy[:, None, :, 0]
        dy = xy[:, :, None, 1] - xy[:, None, :, 1]
        c = g.model.covariance(dx, dy)
    # Padded slots (index g.n, fewer samples than k) become identity rows/columns in both paths,
    # so the system stays regular and their weights are exactly zero.
    pair = valid[:, :, None] & valid[:, None, :]
    c = np.where(pair, c, 0.0)
    diag = np.arange(k)
    c[:, diag, diag] = np.where(valid, c[:, diag, diag], 1.0)
    if ordinary:
        a = np.zeros((u, k + 1, k + 1))
        a[:, :k, :k] = c
        a[:, :k, k] = valid
        a[:, k, :k] = valid
        return a
    return c


def _spatial_order(targets: np.ndarray, chunk_size: int) -> np.ndarray:
    """A permutation visiting targets tile by tile, so that each chunk is compact."""
    m = targets.shape[0]
    if m <= chunk_size:
        return np.arange(m)
    lo = targets.min(axis=0)
    span = np.maximum(targets.max(axis=0) - lo, 1e-9)
    n_tiles = m / chunk_size
    aspect = span[0] / span[1]
    nx = max(1, round(np.sqrt(n_tiles * aspect)))
    ny = max(1, round(n_tiles / nx))
    tx = np.minimum((targets[:, 0] - lo[0]) / span[0] * nx, nx - 1).astype(np.intp)
    ty = np.minimum((targets[:, 1] - lo[1]) / span[1] * ny, ny - 1).astype(np.intp)
    return np.argsort(ty * nx + tx, kind="stable")
