"""Monte Carlo draws of scenario parameters, reproducible point by point.

All randomness in sweeps goes through :func:`generator`. Draws are made in fixed blocks of
:data:`BLOCK` samples; block ``b`` takes its own child seed, ``SeedSequence(seed,
spawn_key=(b,))``, so the draws of any sample do not depend on how a sweep is cut into chunks,
on which worker runs it, or on what ran before: any point can be recomputed alone.

Each parameter is drawn by inverse transform: a uniform number ``u`` in ``[0, 1)`` goes through
the quantile function of the parameter's declared distribution over its range (uniform when it
declares none; normal truncated to the range; triangular; beta scaled to the range).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.schema import Normal, Parameter, Triangular, Uniform

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Samples per block of draws; each block has its own child seed.
BLOCK = 1024


def generator(seed: int, *key: int) -> np.random.Generator:
    """The random generator for ``seed`` and a spawn ``key``: the one source of randomness.

    Examples
    --------
    >>> a = generator(7, 3).random()
    >>> b = np.random.default_rng(np.random.SeedSequence(7).spawn(4)[3]).random()
    >>> a == b
    True
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def uniforms(seed: int, samples: IntArray, k: int) -> FloatArray:
    """Uniform numbers in ``[0, 1)`` for sample numbers ``samples``: shape ``(len(samples), k)``.

    Sample ``s`` always gets the same ``k`` numbers for a given seed.

    Examples
    --------
    >>> u = uniforms(1, np.arange(3000), 2)
    >>> bool((uniforms(1, np.array([2999, 5]), 2) == u[[2999, 5]]).all())
    True
    """
    out = np.empty((samples.size, k))
    blocks = samples // BLOCK
    for block in np.unique(blocks):
        rows = blocks == block
        out[rows] = generator(seed, int(block)).random((BLOCK, k))[samples[rows] % BLOCK]
    return out


def quantile(parameter: Parameter, u: FloatArray) -> FloatArray:
    """Map uniform numbers ``u`` to values of ``parameter`` under its declared distribution.

    ``u`` are multiples of 2**-53 in [0, 1), as :meth:`numpy.random.Generator.random` gives.

    Examples
    --------
    >>> p = Parameter(default=0.2, range=(0, 1), unit="share", description="x",
    ...               assumption="y", distribution={"kind": "triangular"})
    >>> quantile(p, np.array([0.0, 0.2, 1.0])).round(3).tolist()
    [0.0, 0.2, 1.0]
    """
    low, high = parameter.range
    width = high - low
    if width == 0:
        return np.full(u.shape, low)
    dist = parameter.distribution
    if dist is None or isinstance(dist, Uniform):
        return low + width * u
    from scipy import stats  # only here: it costs a third of a second to import

    if isinstance(dist, Normal):
        mean = parameter.default if dist.mean is None else dist.mean
        a, b = (low - mean) / dist.sd, (high - mean) / dist.sd
        return np.asarray(stats.truncnorm.ppf(u, a, b, loc=mean, scale=dist.sd), dtype=np.float64)
    if isinstance(dist, Triangular):
        mode = parameter.default if dist.mode is None else dist.mode
        shape = (mode - low) / width
        return np.asarray(stats.triang.ppf(u, shape, loc=low, scale=width), dtype=np.float64)
    return low + width * np.asarray(stats.beta.ppf(u, dist.a, dist.b), dtype=np.float64)


def draw(parameters: Sequence[Parameter], seed: int, samples: IntArray) -> FloatArray:
    """Draw every parameter for sample numbers ``samples``: shape ``(len(samples), k)``.

    Examples
    --------
    >>> p = Parameter(default=5, range=(0, 10), unit="u", description="x", assumption="y")
    >>> values = draw([p, p], seed=3, samples=np.arange(1000))
    >>> values.shape, bool(((0 <= values) & (values <= 10)).all())
    ((1000, 2), True)
    """
    u = uniforms(seed, samples, len(parameters))
    out = np.empty_like(u)
    for k, p in enumerate(parameters):
        # Quantile functions may land a rounding error outside the range.
        out[:, k] = np.clip(quantile(p, u[:, k]), *p.range)
    return out
