"""A sweep's summary gathered a batch of runs at a time, never from every run at once.

A sweep's summary (``summary.csv``) needs one number per run and measure: the run's horizon
value (:func:`coprod.analysis.stats.horizon_means`). :class:`HorizonValues` keeps only those:
runs are added as they finish (or read from the output folder in batches of Parquet record
batches, for runs finished before a resume), and every :data:`BATCH_ROWS` rows the buffered
months are reduced to their horizon values and dropped. The client then holds a few numbers per
run instead of every month of every run (a 100,000-run sweep of 12 months: about 10 MB
instead of 1.3 million rows), and the summary is the same, to the last bit, as
:func:`~coprod.analysis.sweep.output.summarise_sweep` of every run loaded at once: the same
pandas reductions run on the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from coprod.analysis.stats import HORIZON_WINDOW, horizon_means, summarise

#: Months (rows) buffered before they are reduced to per-run horizon values.
BATCH_ROWS = 50_000


class HorizonValues:
    """Per-run horizon values of a sweep's measures, gathered a batch of rows at a time.

    Args:
        parameters: The sweep's parameter columns (kept once per point, for the summary).
        measures: Measures whose horizon values are kept.
        window: Months at the end of each run averaged into its horizon value.
        batch_rows: Rows buffered before they are reduced.
    """

    def __init__(
        self,
        parameters: list[str],
        measures: list[str],
        window: int = HORIZON_WINDOW,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        self.parameters = list(parameters)
        self.measures = list(measures)
        self.window = window
        self.batch_rows = batch_rows
        self._columns = ["point", "replicate", "step", *self.parameters, *self.measures]
        self._buffer: list[pd.DataFrame] = []
        self._buffered = 0
        self._runs: list[pd.DataFrame] = []
        self._design: list[pd.DataFrame] = []
        #: Batches reduced so far (a batch's rows never exceed ``batch_rows`` plus one table).
        self.batches = 0

    def add(self, frame: pd.DataFrame) -> None:
        """Add the months of one or more runs (tidy: point, replicate, step, parameters...)."""
        self._buffer.append(frame[self._columns])
        self._buffered += len(frame)
        if self._buffered >= self.batch_rows:
            self._reduce()

    def add_files(self, files: Iterable[Path]) -> None:
        """Add runs written as Parquet files, read in record batches of the needed columns."""
        import pyarrow.dataset as ds

        files = [str(f) for f in files]
        if not files:
            return
        dataset = ds.dataset(files, format="parquet")
        for batch in dataset.to_batches(columns=self._columns, batch_size=self.batch_rows):
            self.add(batch.to_pandas())

    @property
    def runs(self) -> int:
        """Runs gathered so far."""
        self._reduce()
        return sum(len(part) for part in self._runs)

    def _reduce(self) -> None:
        if not self._buffer:
            return
        months = pd.concat(self._buffer, ignore_index=True)
        self._buffer, self._buffered = [], 0
        by = ["point", "replicate"]
        self._runs.append(horizon_means(months, by, self.measures, window=self.window))
        self._design.append(months.drop_duplicates("point")[["point", *self.parameters]])
        if len(self._runs) > 64:  # keep the number of small tables bounded too
            self._runs = [pd.concat(self._runs, ignore_index=True)]
            self._design = [pd.concat(self._design).drop_duplicates("point")]
        self.batches += 1

    def per_run(self) -> pd.DataFrame:
        """One row per run: ``point``, ``replicate`` and the measures, sorted by both."""
        self._reduce()
        if not self._runs:
            return pd.DataFrame(columns=["point", "replicate", *self.measures])
        per_run = pd.concat(self._runs, ignore_index=True)
        return per_run.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)

    def design(self) -> pd.DataFrame:
        """The parameter values of each point seen, indexed by ``point``."""
        self._reduce()
        design = pd.concat(self._design).drop_duplicates("point").sort_values("point")
        return design.set_index("point")[self.parameters]

    def summary(self) -> pd.DataFrame:
        """The sweep's summary, as :func:`~coprod.analysis.sweep.output.summarise_sweep`."""
        return summarise_horizons(self.per_run(), self.design(), self.parameters, self.measures)


def summarise_horizons(
    per_run: pd.DataFrame, design: pd.DataFrame, parameters: list[str], measures: list[str]
) -> pd.DataFrame:
    """Per point and measure: mean of the runs' horizon values and its t-interval.

    Args:
        per_run: One row per run, sorted by point and replicate: ``point``, ``replicate``
            and the measures' horizon values.
        design: Parameter values indexed by ``point``.
        parameters: The parameter columns.
        measures: Measures to summarise.

    Returns:
        One row per point and measure: ``point``, the parameters, ``measure``, ``mean``, ``sd``,
        ``n``, ``ci_low``, ``ci_high``.
    """
    stats = summarise(per_run, ["point"], measures).join(design[parameters], on="point")
    order = {m: i for i, m in enumerate(measures)}
    stats = stats.sort_values(
        ["point", "measure"], key=lambda c: c.map(order) if c.name == "measure" else c
    )
    return stats[
        ["point", *parameters, "measure", "mean", "sd", "n", "ci_low", "ci_high"]
    ].reset_index(drop=True)


def summarise_folder(
    out: str | Path,
    parameters: list[str],
    measures: list[str],
    window: int = HORIZON_WINDOW,
) -> pd.DataFrame:
    """The summary of every finished run in a sweep's output folder, read a batch at a time.

    The same table as ``summarise_sweep(load_results(out), ...)``, without holding every run.
    """
    from coprod.analysis.sweep.spec import SweepError

    files = sorted((Path(out) / "runs").glob("run-*.parquet"))
    if not files:
        raise SweepError(f"{out}: no finished runs in {Path(out) / 'runs'}")
    values = HorizonValues(parameters, measures, window=window)
    values.add_files(files)
    return values.summary()


def point_means(summary: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """Per point: each measure's mean over the replicates, from a summary (points x measures)."""
    wide = summary.pivot(index="point", columns="measure", values="mean")
    wide.columns.name = None
    return wide[list(measures)].sort_index()
