"""Writing results: every file atomically (temporary file, then rename), with a manifest.

A run's folder holds the measures (CSV and Parquet), the fully resolved scenario (TOML), a
manifest (scenario, seed, version, time, files) and figures. Each file appears whole or not at
all, so an interrupted write never leaves a half-written result behind. A write that fails (a
full disk, a folder made read-only) raises :class:`OutputError`, whose one-line message says
which file, why, and what to do.

Names that come from files (a scenario's or a sweep's ``name``) become file and folder names
only through :func:`safe_name`, so they cannot lead a write out of the chosen output folder.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from coprod.model.errors import CoprodError, ScenarioError

#: Errors of a full disk or an exhausted quota.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
#: Errors of a folder that may not be written.
_READ_ONLY = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class OutputError(CoprodError, OSError):
    """A result file or folder could not be written; ``str()`` is one line: what, where, why."""

    def __init__(self, code: int | None, path: Path, advice: str) -> None:
        reason = os.strerror(code) if code else "write failed"
        super().__init__(code, reason, str(path))
        self.message = f"cannot write {path}: {reason}; {advice}"

    def __str__(self) -> str:
        return self.message

    @classmethod
    def of(cls, exc: OSError, path: Path) -> OutputError:
        """The error ``exc`` met while writing ``path``, with advice for its cause."""
        if isinstance(exc, OutputError):
            return exc
        if exc.errno in _FULL:
            advice = "the disk is full: free some space or choose another --out"
        elif exc.errno == errno.EFBIG:
            advice = "a file-size limit was reached: raise it (ulimit -f) or choose another --out"
        elif exc.errno in _READ_ONLY:
            advice = "the folder is read-only: make it writable or choose another --out"
        else:
            advice = "check the folder or choose another --out"
        return cls(exc.errno, path, f"{advice}, then run the same command again")

    def add(self, advice: str) -> OutputError:
        """The same error with ``advice`` added to its message."""
        self.message = f"{self.message}; {advice}"
        return self


def make_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) if missing; an :class:`OutputError` if impossible."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.of(exc, folder) from None
    return folder


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    Raises:
        OutputError: The folder or file could not be written (full disk, read-only folder...);
            nothing is left behind, and an older ``path`` stays as it was.
    """
    path = Path(path)
    make_folder(path.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError.of(exc, path) from None
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
    except OSError as exc:
        raise OutputError.of(exc, path) from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # the folder turned read-only meanwhile; the next run removes it
            pass
    return path


def safe_name(name: str, key: str) -> str:
    """``name`` if it can be a file or folder name inside an output folder.

    Args:
        name: Text read from a file (a scenario's or sweep's name, a manifest entry).
        key: Where the text came from, for the message (e.g. ``my.toml: name``).

    Raises:
        ScenarioError: The name is empty, starts with a dot, is too long, or holds a path
            separator, a drive colon or a control character: as part of a path it could
            point outside the output folder.
    """
    problem = None
    if not isinstance(name, str) or not name.strip():
        problem = "it is empty"
    elif name.startswith("."):
        problem = "it starts with '.'"
    elif any(c in name for c in "/\\:"):
        problem = "it contains '/', '\\' or ':'"
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        problem = "it contains a control character"
    elif len(name.encode("utf-8")) > 200:
        problem = "it is longer than 200 bytes"
    if problem:
        raise ScenarioError(
            f"{key} = {name!r} cannot name a file or folder: {problem}; use letters, digits, "
            "'-', '_' and '.'"
        )
    return name


def write_text(path: Path, text: str) -> Path:
    """Write text atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> Path:
    """Write JSON atomically (sorted keys, indented, UTF-8)."""
    return write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


#: First characters that make a spreadsheet program read a CSV cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name that could be read as a formula quoted.

    Follows OWASP's advice on CSV injection: text starting with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return (a scenario named ``=1+2``) gets a leading ``'``, so spreadsheet
    programs show it as text. Numbers (a negative gap) are left alone.
    """

    def safe(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value

    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    out = frame.copy() if text else frame
    for column in text:
        out[column] = frame[column].map(safe)
    if any(isinstance(c, str) and c.startswith(FORMULA_STARTS) for c in out.columns):
        out = out.rename(columns=safe) if out is not frame else frame.rename(columns=safe)
    return out


def write_frame(path: Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame atomically as CSV or Parquet, by the file's suffix.

    CSV cells that a spreadsheet would read as formulas are quoted (:func:`formula_safe`);
    Parquet keeps the values as they are.
    """
    path = Path(path)
    if path.suffix == ".csv":
        safe = formula_safe(frame)
        # Python's csv module leaves a lone carriage return unquoted, which splits the row
        carriage = any(
            safe[c].astype(str).str.contains("\r", regex=False).any()
            for c in safe.columns
            if not pd.api.types.is_numeric_dtype(safe[c].dtype)
        ) or any("\r" in str(c) for c in safe.columns)
        quoting = csv.QUOTE_NONNUMERIC if carriage else csv.QUOTE_MINIMAL
        return atomic_write(path, lambda tmp: safe.to_csv(tmp, index=False, quoting=quoting))
    if path.suffix == ".parquet":
        return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    raise ValueError(f"unknown table format {path.suffix!r}; use .csv or .parquet")


def manifest(**fields: Any) -> dict[str, Any]:
    """A manifest with the package version and the time (UTC, ISO 8601) added."""
    from coprod import __version__

    return {"coprod_version": __version__, "created": datetime.now(UTC).isoformat(), **fields}
