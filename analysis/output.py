"""Writing results: every file atomically (temporary file, then rename), with a manifest.

A run's folder holds the measures (CSV and Parquet), the fully resolved scenario (TOML), a
manifest (scenario, seed, version, time, files) and figures. Each file appears whole or not at
all, so an interrupted write never leaves a half-written result behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        umask = os.umask(0)  # mkstemp makes files private; give them the usual permissions
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_text(path: Path, text: str) -> Path:
    """Write text atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> Path:
    """Write JSON atomically (sorted keys, indented, UTF-8)."""
    return write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def write_frame(path: Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame atomically as CSV or Parquet, by the file's suffix."""
    path = Path(path)
    if path.suffix == ".csv":
        return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))
    if path.suffix == ".parquet":
        return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    raise ValueError(f"unknown table format {path.suffix!r}; use .csv or .parquet")


def manifest(**fields: Any) -> dict[str, Any]:
    """A manifest with the package version and the time (UTC, ISO 8601) added."""
    from coprod import __version__

    return {"coprod_version": __version__, "created": datetime.now(UTC).isoformat(), **fields}
