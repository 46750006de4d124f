"""Priors of a calibration: one distribution per dotted scenario key, kept inside its range.

A prior is written in a calibration file as a one-entry table, the kind and its two numbers::

    "behaviour.weight_cost"         = { uniform = [0.5, 4.0] }      # low, high
    "behaviour.weight_trust"        = { normal = [1.0, 0.3] }       # mean, sd
    "behaviour.learning_rate"       = { lognormal = [-2.5, 0.5] }   # mu, sigma of the log
    "behaviour.adoption_innovation" = { loguniform = [1e-4, 1e-2] } # low, high (> 0)

A scenario key only takes values in its documented range (``behaviour.weight_cost`` in
[0, 20]), and a simulation with any other value would be rejected, so every prior must lie
inside that range: ``uniform`` and ``loguniform`` bounds must, and ``normal`` and ``lognormal``
are truncated to it (or to a narrower ``bounds = [low, high]`` given beside them), with their
centre inside it. A prior that reaches outside is an input error before anything runs.

The distributions are pyabc random variables (:class:`pyabc.RVBase`) drawing from NumPy's
global generator, which the calibration seeds for every simulation (see
:mod:`coprod.analysis.calibration.fit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from coprod.analysis.sweep.spec import schema_kind
from coprod.model.errors import InputError, ScenarioError
from coprod.model.scenario import Scenario

#: Prior kinds and the meaning of their two numbers.
PRIOR_KINDS: dict[str, str] = {
    "uniform": "[low, high]",
    "normal": "[mean, sd]",
    "lognormal": "[mu, sigma] of the logarithm",
    "loguniform": "[low, high], low > 0",
}


class CalibrationError(InputError):
    """A calibration file, its series files, a posterior file or an output folder is unusable."""


@dataclass(frozen=True)
class Prior:
    """A prior over one scenario key: its kind, its two numbers, and where it is cut off."""

    key: str
    kind: str
    a: float
    b: float
    low: float
    high: float

    def describe(self) -> str:
        """The prior in the file's own words, e.g. ``uniform [0.5, 4]``."""
        text = f"{self.kind} [{self.a:g}, {self.b:g}]"
        if self.kind in ("normal", "lognormal"):
            text += f" within [{self.low:g}, {self.high:g}]"
        return text

    def frozen(self) -> Any:
        """The untruncated SciPy distribution."""
        if self.kind == "uniform":
            return stats.uniform(self.a, self.b - self.a)
        if self.kind == "loguniform":
            return stats.loguniform(self.a, self.b)
        if self.kind == "normal":
            return stats.norm(self.a, self.b)
        return stats.lognorm(s=self.b, scale=math.exp(self.a))

    def random_variable(self) -> Any:
        """The prior as a pyabc random variable, truncated to ``[low, high]``."""
        return truncated_rv(self.frozen(), self.low, self.high)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density of the truncated prior at ``x`` (for figures)."""
        rv = Truncated(self.frozen(), self.low, self.high)
        return np.asarray([rv.pdf(float(v)) for v in np.ravel(x)])

    def quantiles(self, qs: tuple[float, ...]) -> list[float]:
        """Quantiles of the truncated prior."""
        rv = Truncated(self.frozen(), self.low, self.high)
        return [rv.ppf(q) for q in qs]


class Truncated:
    """A frozen SciPy distribution cut to ``[low, high]``, sampled by inverse transform.

    pyabc draws parameters with :meth:`rvs` and weighs them with :meth:`pdf`; draws use NumPy's
    global generator, as pyabc's own random variables do, so the calibration's per-simulation
    seeding reaches them.
    """

    def __init__(self, dist: Any, low: float, high: float) -> None:
        self.dist = dist
        self.low = float(low)
        self.high = float(high)
        self.cdf_low = float(dist.cdf(self.low))
        self.mass = float(dist.cdf(self.high)) - self.cdf_low

    def copy(self) -> Any:
        """A copy (pyabc copies priors before use)."""
        return truncated_rv(self.dist, self.low, self.high)

    def rvs(self, *args: Any, **kwargs: Any) -> float:
        """One draw from the truncated distribution."""
        return self.ppf(np.random.uniform())  # noqa: NPY002 - seeded per simulation

    def ppf(self, q: float) -> float:
        """Quantile ``q`` of the truncated distribution."""
        value = float(self.dist.ppf(self.cdf_low + q * self.mass))
        return min(max(value, self.low), self.high)

    def pdf(self, x: float, *args: Any, **kwargs: Any) -> float:
        """Density at ``x``: zero outside ``[low, high]``."""
        if not self.low <= x <= self.high:
            return 0.0
        return float(self.dist.pdf(x)) / self.mass

    def pmf(self, x: float, *args: Any, **kwargs: Any) -> float:
        """Continuous distributions have no mass function; pyabc calls :meth:`pdf`."""
        return self.pdf(x)

    def cdf(self, x: float, *args: Any, **kwargs: Any) -> float:
        """Cumulative probability at ``x``."""
        if x <= self.low:
            return 0.0
        if x >= self.high:
            return 1.0
        return (float(self.dist.cdf(x)) - self.cdf_low) / self.mass


_CLASSES: dict[str, type] = {}


def truncated_rv(dist: Any, low: float, high: float) -> Any:
    """A :class:`Truncated` distribution that is also a pyabc random variable.

    pyabc is an optional extra, imported here on first use rather than when coprod loads.
    """
    if "rv" not in _CLASSES:
        from pyabc import RVBase

        _CLASSES["rv"] = type("TruncatedRV", (Truncated, RVBase), {"__module__": __name__})
    return _CLASSES["rv"](dist, low, high)


# ---------------------------------------------------------------------- reading priors
def key_range(key: str) -> tuple[float, float]:
    """The range ``[low, high]`` the scenario schema allows at ``key`` (a float key)."""
    model: Any = Scenario
    parts = key.split(".")
    for part in parts[:-1]:
        model = model.model_fields[part].annotation
    low, high = -math.inf, math.inf
    for rule in model.model_fields[parts[-1]].metadata:
        for name in ("ge", "gt"):
            if getattr(rule, name, None) is not None:
                low = float(getattr(rule, name))
        for name in ("le", "lt"):
            if getattr(rule, name, None) is not None:
                high = float(getattr(rule, name))
    return low, high


def parse_prior(key: str, given: Any, base: Scenario, source: str) -> Prior:
    """Check one ``parameters`` entry and return its :class:`Prior`.

    Args:
        key: The dotted scenario key.
        given: The entry as read from TOML, e.g. ``{"uniform": [0.5, 4.0]}``.
        base: The base scenario, which must accept the values the prior can take.
        source: Name of the file, for messages.

    Raises:
        CalibrationError: The key is unknown or not a decimal number, the prior is unknown or
            malformed, or it reaches outside the key's allowed range.
    """
    where = f"{source}: parameters: {key}"
    _check_key(key, source)
    kind = _prior_kind(given, where)
    a, b = _pair(given[kind], f"{where}.{kind}", PRIOR_KINDS[kind])
    low, high = _limits(key, kind, given, where)
    text = f"[{_fmt(low)}, {_fmt(high)}]"
    if kind in ("uniform", "loguniform"):
        _check_bounded(kind, a, b, low, high, where)
        low, high = a, b
    else:
        _check_unbounded(kind, a, b, low, high, where)
    prior = Prior(key, kind, a, b, low, high)
    if Truncated(prior.frozen(), low, high).mass <= 1e-9:
        raise CalibrationError(f"{where}: the prior has no probability inside {text}")
    own_bounds = kind in ("uniform", "loguniform") or "bounds" in given
    for value in (prior.low, prior.high) if own_bounds else ():
        try:
            base.with_overrides({key: value})
        except ScenarioError as exc:
            raise CalibrationError(f"{where}: {str(exc).removeprefix('override: ')}") from None
    return prior


def _check_key(key: str, source: str) -> None:
    """The key must exist in the scenario schema and hold a decimal number."""
    try:
        kind = schema_kind(key, f"{source}: parameters")
    except InputError as exc:
        raise CalibrationError(str(exc)) from None
    if kind != "float":
        raise CalibrationError(
            f"{source}: parameters: {key}: a {kind} key cannot be calibrated; only "
            "decimal-number keys can"
        )


def _prior_kind(given: Any, where: str) -> str:
    """The one prior kind named in ``given`` (besides an optional ``bounds``)."""
    allowed = ", ".join(PRIOR_KINDS)
    if not isinstance(given, dict):
        raise CalibrationError(
            f"{where} = {given!r} is not allowed: give a prior such as "
            f"{{ uniform = [0.5, 4.0] }} (allowed kinds: {allowed})"
        )
    kinds = [k for k in given if k != "bounds"]
    unknown = [k for k in kinds if k not in PRIOR_KINDS]
    if unknown:
        raise CalibrationError(f"{where}: unknown prior {unknown[0]!r} (allowed: {allowed})")
    if len(kinds) != 1:
        raise CalibrationError(f"{where}: give exactly one prior (allowed: {allowed})")
    return kinds[0]


def _limits(key: str, kind: str, given: dict[str, Any], where: str) -> tuple[float, float]:
    """Where the prior is cut off: the key's range, or the narrower ``bounds`` given."""
    low, high = key_range(key)
    if kind == "lognormal":
        low = max(low, 0.0)
    if "bounds" not in given:
        return low, high
    if kind not in ("normal", "lognormal"):
        raise CalibrationError(
            f"{where}: bounds are for normal and lognormal priors; a {kind} prior has its own"
        )
    blow, bhigh = _pair(given["bounds"], f"{where}.bounds", "[low, high]")
    if not (low <= blow < bhigh <= high):
        raise CalibrationError(
            f"{where}.bounds = [{blow:g}, {bhigh:g}] is not allowed: must be increasing and "
            f"inside the key's allowed range [{_fmt(low)}, {_fmt(high)}]"
        )
    return blow, bhigh


def _check_bounded(kind: str, a: float, b: float, low: float, high: float, where: str) -> None:
    """A uniform or loguniform prior: increasing bounds inside the key's range."""
    if not a < b:
        raise CalibrationError(
            f"{where}.{kind} = [{a:g}, {b:g}] is not allowed: low must be less than high"
        )
    if kind == "loguniform" and a <= 0:
        raise CalibrationError(
            f"{where}.loguniform = [{a:g}, {b:g}] is not allowed: low must be > 0"
        )
    if a < low or b > high:
        raise CalibrationError(
            f"{where}.{kind} = [{a:g}, {b:g}] is not allowed: the prior must lie inside the "
            f"key's allowed range [{_fmt(low)}, {_fmt(high)}]"
        )


def _check_unbounded(kind: str, a: float, b: float, low: float, high: float, where: str) -> None:
    """A normal or lognormal prior: a positive spread and its centre inside the range."""
    if b <= 0:
        raise CalibrationError(f"{where}.{kind} = [{a:g}, {b:g}]: {_spread(kind)}")
    centre = a if kind == "normal" else math.exp(a)
    if not low <= centre <= high:
        raise CalibrationError(
            f"{where}.{kind} = [{a:g}, {b:g}] is not allowed: its centre {centre:g} lies "
            f"outside the key's allowed range [{_fmt(low)}, {_fmt(high)}]"
        )


def _pair(value: Any, where: str, meaning: str) -> tuple[float, float]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(v) for v in value)
    )
    if not ok:
        raise CalibrationError(f"{where} = {value!r} is not allowed: give two numbers {meaning}")
    return float(value[0]), float(value[1])


def _spread(kind: str) -> str:
    name = "sd" if kind == "normal" else "sigma"
    return f"{name} must be > 0"


def _fmt(x: float) -> str:
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"
