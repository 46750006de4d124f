"""A sweep run's tidy table, made as an Arrow table and written as Parquet without pandas.

Writing a run with ``DataFrame.to_parquet`` costs about 15 ms of the client's time (pandas
builds its metadata column by column for every file), more than a 100-citizen run of 12 months
takes on a worker; a sweep of short runs was then limited by its client. The tables of a sweep's
runs differ only in their values, so the Arrow schema (with the pandas metadata) is made once
from the first run, the pandas way, and each later run's table is built from its arrays against
it: the file, and what ``pandas.read_parquet`` gives back, are those ``to_parquet`` writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coprod.analysis.output import atomic_write


class RunTables:
    """Tidy tables of runs: id columns, parameter values, then the measures of each step.

    Args:
        keys: The sweep's parameter columns, in order.
    """

    def __init__(self, keys: list[str]) -> None:
        self.keys = list(keys)
        self._schemas: dict[tuple, Any] = {}

    def table(self, head: dict[str, Any], columns: dict[str, np.ndarray]) -> Any:
        """A ``pyarrow.Table``: ``head``'s values repeated on every row, then ``columns``.

        Args:
            head: ``run``, ``point``, ``replicate``, ``seed`` and one value per parameter.
            columns: The run's measures, one array per column, one row per step (``step``
                first), as :func:`coprod.analysis.runs.parallel.run_columns` gives them.
        """
        import pyarrow as pa

        kind = (
            tuple(_kind(v) for v in head.values()),
            tuple((name, array.dtype.str) for name, array in columns.items()),
        )
        schema = self._schemas.get(kind)
        n = len(next(iter(columns.values())))
        if schema is None:
            ids = pd.DataFrame({k: [v] * n for k, v in head.items()})
            tidy = pd.concat([ids, pd.DataFrame(columns)], axis=1)
            table = pa.Table.from_pandas(tidy, preserve_index=False)
            self._schemas[kind] = table.schema
            return table
        arrays = [
            pa.array([value] * n, type=schema.field(i).type)
            for i, value in enumerate(head.values())
        ]
        arrays += [pa.array(array) for array in columns.values()]
        return pa.Table.from_arrays(arrays, schema=schema)


def _kind(value: Any) -> tuple[str, bool]:
    """What decides the column type pandas gives a repeated value: its type and range."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return type(value).__name__, -(2**63) <= int(value) < 2**63
    return type(value).__name__, True


def write_table(path: Path, table: Any) -> Path:
    """Write an Arrow table atomically as Parquet, as ``write_frame`` writes a DataFrame."""
    import pyarrow.parquet as pq

    return atomic_write(path, lambda tmp: pq.write_table(table, tmp))
