"""Ordinary and simple kriging of many variables at once, point or block support.

The estimator follows the scikit-learn pattern: ``Kriging(model, ...)`` stores the
options, :meth:`Kriging.fit` stores the samples (fitted attributes end in ``_``) and
:meth:`Kriging.predict` returns a :class:`KrigingResult`.

The batched solves (deduplicated neighbour sets, one factorisation per set, pieces of
right-hand sides) are in :mod:`seabed.geostats.kriging_system`.

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

import mmap
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from seabed.errors import ConfigError, InputDataError
from seabed.geostats.drift import ExternalDrift, drift_basis
from seabed.geostats.kriging_result import KrigingResult
from seabed.geostats.kriging_system import (
    DIAGNOSTICS,
    OutputSink,
    SampleGroup,
    default_chunk_size,
    krige_chunk,
    spatial_order,
)
from seabed.geostats.neighbourhood import Neighbourhood, SampleSearch, group_variables
from seabed.geostats.variogram import VariogramModel

__all__ = ["REASONS", "Kriging", "KrigingResult", "Neighbourhood"]

#: Meaning of the ``reason`` codes.
REASONS = {0: "estimated", 1: "too few samples in the neighbourhood"}

#: Largest sample count for which the sample-to-sample covariance matrix is cached.
_MAX_PRECOMPUTED = 3000



#: Outputs of at least this many bytes are mapped directly (see :func:`_empty_output`).
_MAPPED_OUTPUT_BYTES = 64 * 2**20


def _empty_output(shape: tuple[int, int], dtype: type | np.dtype) -> np.ndarray:
    """An uninitialised output array; large ones in an anonymous memory map of their own.

    numpy advises the kernel to back large arrays with huge pages (``MADV_HUGEPAGE``); where
    transparent huge pages are defragmented on demand and memory is fragmented, each first
    touch of a 2 MiB page can then stall on compaction (0.8-2.7 s of system time for the 1.2 GB
    of 150-variable float32 outputs of 10⁶ cells, against 0.45-0.55 s with ordinary pages). A
    plain anonymous map takes huge pages only when they are free. The array owns the map
    (through its ``base``) and releases it with the last view.
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if nbytes < _MAPPED_OUTPUT_BYTES or not hasattr(mmap, "MAP_ANONYMOUS"):
        return np.empty(shape, dtype=dtype)
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


def close_sample_tolerance(model: VariogramModel) -> float:
    """Closest separation of two samples kriged with a zero-nugget ``model``, m.

    ``1e-6`` of the shortest practical range (``1e-3`` for a Gaussian structure, whose
    covariance is flat at the origin): closer samples make the kriging matrix numerically
    singular.
    """
    ranges = [min(s.range, s.range_minor or s.range) * (1e-3 if s.kind == "gaussian" else 1e-6)
              for s in model.structures]
    return float(max(ranges, default=0.0))


def _refuse_close_samples(xy: np.ndarray, model: VariogramModel) -> None:
    """Refuse samples closer than :func:`close_sample_tolerance` under a zero-nugget model."""
    from scipy.spatial import cKDTree

    tol = close_sample_tolerance(model)
    pairs = cKDTree(xy).query_pairs(tol, output_type="ndarray")
    if pairs.shape[0]:
        d = float(np.min(np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)))
        raise InputDataError(
            f"kriging fit: got {pairs.shape[0]} pair(s) of duplicate or close samples (closest {d:.3g} m "
            f"apart, tolerance {tol:.3g} m) with a zero-nugget variogram (singular system); expected "
            "distinct sample locations; fix: average the close samples into one, or add a nugget"
        )


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
        Search: 16 nearest samples, at least 3, within 60 km (the ``[estimation.neighbourhood]``
        defaults of :mod:`seabed.defaults`).
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
    drift : {"none", "linear", "quadratic"} or ExternalDrift, default "none"
        Trend of the mean: universal kriging with a linear (:math:`x, y`) or quadratic drift,
        or kriging with an external drift (:class:`~seabed.geostats.drift.ExternalDrift`,
        a grid known everywhere, e.g. water depth or crustal age). Ordinary kriging only.
        The variogram is then that of the residuals from the trend.

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

    Universal kriging and kriging with an external drift (Matheron 1969; Journel & Huijbregts
    1978, ch. V; Deutsch & Journel 1998, KT3D) add one unbiasedness condition per drift
    function :math:`f_l`: with :math:`F_{il} = f_l(x_i)` and :math:`\\bar f_l = \\bar f_l(V)`
    (the block average of :math:`f_l`),

    .. math:: \\begin{pmatrix} C & 1 & F \\\\ 1^T & 0 & 0 \\\\ F^T & 0 & 0 \\end{pmatrix}
              \\begin{pmatrix} w \\\\ \\mu_0 \\\\ \\mu \\end{pmatrix} =
              \\begin{pmatrix} \\bar c \\\\ 1 \\\\ \\bar f \\end{pmatrix},\\qquad
              \\sigma^2_{UK} = \\bar C(V,V) - w^T \\bar c - \\mu_0 - \\mu^T \\bar f.

    The drift functions depend on the sample locations only, so the weights are still shared
    by every variable of a sample set (their coefficients are not: each variable's trend is
    filtered by the same weights). Targets with no more samples than drift coefficients, or
    where the external drift is unknown, are not estimated (reason 1).

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
    Deutsch, C. V. & Journel, A. G. (1998). *GSLIB: Geostatistical Software Library and User's
    Guide*, 2nd ed. Oxford University Press (program KT3D).
    Journel, A. G. & Huijbregts, C. J. (1978). *Mining Geostatistics*. Academic Press.
    Matheron, G. (1969). *Le krigeage universel*. Cahiers du CMM 1, École des Mines de Paris.
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
        drift: str | ExternalDrift = "none",
    ) -> None:
        self.model = model
        self.kind = kind
        self.mean = mean
        self.neighbourhood = neighbourhood if neighbourhood is not None else Neighbourhood()
        self.block_size = block_size
        self.block_discretisation = block_discretisation
        self.variable_sills = variable_sills
        self.negative_estimates = negative_estimates
        self.drift = drift

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
        if self.drift is not None and not (isinstance(self.drift, ExternalDrift) or self.drift in
                                           ("none", "linear", "quadratic")):
            raise ConfigError(f"kriging drift: got {self.drift!r}; expected 'none', 'linear', 'quadratic' or an "
                              "ExternalDrift")
        if self.drift not in (None, "none") and self.kind != "ordinary":
            raise ConfigError(f"kriging drift: got drift {self.drift!r} with {self.kind} kriging; expected "
                              "ordinary kriging (a drift replaces the known mean); fix: kind='ordinary' or no drift")
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
        groups: list[SampleGroup] = []
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
    ) -> SampleGroup:
        xy = coords[present]
        n = xy.shape[0]
        if n > 1 and model.nugget == 0:
            _refuse_close_samples(xy, model)
        unit = model.scaled(1.0 / model.sill)
        z = values[np.ix_(present, cols)]
        g_mean = None
        if mean is not None:
            g_mean = mean[cols]
            z = z - g_mean
        vals = np.vstack([z, np.zeros((1, cols.size))])
        ext = np.vstack([xy, xy.mean(axis=0, keepdims=True) if n else np.zeros((1, 2))])
        basis = drift_basis(self.drift, xy)
        drift_values = None
        if basis is not None:
            drift_values = np.vstack([basis.at(xy), np.zeros((1, basis.n_terms))])
        sample_cov = None
        if n <= _MAX_PRECOMPUTED:
            d = xy[:, None, :] - xy[None, :, :]
            sample_cov = np.zeros((n + 1, n + 1))
            sample_cov[:n, :n] = unit.covariance(d[..., 0], d[..., 1])
            sample_cov[n, n] = 1.0  # the padding slot: identity row, zero weight
        return SampleGroup(
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
            drift=basis,
            drift_values=drift_values,
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
        self, targets: np.ndarray, *, chunk_size: int | None = None, n_jobs: int = 1,
        dtype: type | np.dtype = np.float64,
    ) -> KrigingResult:
        """Estimate at target points or blocks.

        Parameters
        ----------
        targets : ndarray, shape (m, 2)
            Target points or block centres ``(x, y)``, m.
        chunk_size : int, optional
            Targets per batch (bounds memory); default chosen from the neighbourhood size.
        n_jobs : int, default 1
            Threads working on chunks in parallel (numpy and the compiled kernel release the GIL).
        dtype : numpy dtype, default float64
            Of the ``estimate`` and ``variance`` arrays, written chunk by chunk; ``np.float32``
            halves their memory (many variables) and keeps 7 significant digits, enough for
            grades and their variances. Weights, solves and diagnostics stay float64.

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
            chunk_size = default_chunk_size(k)
        order = spatial_order(targets, chunk_size)
        chunks = [order[s : s + chunk_size] for s in range(0, m, chunk_size)]
        n_groups = len(self.groups_)
        estimate = _empty_output((m, p), dtype)  # every row is written by exactly one chunk per group
        variance = _empty_output((m, p), dtype)
        diag = {name: np.full((m, n_groups), np.nan) for name in DIAGNOSTICS}
        diag["n_samples"] = np.zeros((m, n_groups), dtype=np.int32)
        diag["reason"] = np.ones((m, n_groups), dtype=np.int8)
        group_of_variable = np.empty(p, dtype=np.intp)
        block_variance = np.empty(p)
        n_negative = np.zeros(p, dtype=np.int64)
        clip = self.negative_estimates == "clip"
        offsets = self._offsets()
        for gi, g in enumerate(self.groups_):
            group_of_variable[g.columns] = gi
            block_variance[g.columns] = g.block_variance * g.scale

            def work(rows: np.ndarray, g: SampleGroup = g, gi: int = gi) -> np.ndarray:
                sink = OutputSink(rows=rows, estimate=estimate, variance=variance, columns=g.columns,
                                  scale=g.scale, clip=clip, diagnostics=diag, group=gi)
                out = krige_chunk(g, targets[rows], min_samples=self.neighbourhood.min_samples,
                                  ordinary=self.kind == "ordinary", offsets=offsets, sink=sink)
                return out["n_negative"]

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
        chunk = default_chunk_size(k)
        idx = np.full((targets.shape[0], k), g.n, dtype=np.intp)
        w = np.zeros((targets.shape[0], k))
        for start in range(0, targets.shape[0], chunk):
            part = krige_chunk(g, targets[start : start + chunk], min_samples=self.neighbourhood.min_samples,
                               ordinary=self.kind == "ordinary", offsets=self._offsets(), weights_only=True)
            width = part["indices"].shape[1]
            idx[start : start + chunk, :width] = part["indices"]
            w[start : start + chunk, :width] = part["weights"]
        return idx, w
