"""The errors coprod raises on purpose, all under one base class, :class:`CoprodError`.

::

    CoprodError
    ├── InputError (also a ValueError): what the user or caller gave cannot be used
    │   ├── ScenarioError: a scenario file, key, value or name
    │   ├── SweepError (coprod.analysis.sweep.spec): a sweep file, its design or output folder
    │   ├── ReportError (coprod.analysis.report): a folder that cannot be reported on
    │   ├── CalibrationError (coprod.analysis.calibration.priors): a calibration file, its
    │   │   series files or its output folder
    │   ├── PosteriorError (coprod.analysis.calibration.posterior): a posterior file or table
    │   ├── AnalysisError: an argument of an analysis function (replicates, measures, ...)
    │   ├── PlayError (coprod.model.played): a played agent's choice (field, value, allowed)
    │   └── PreconditionError: valid inputs that the analysis asked for does not apply to
    ├── OutputError (coprod.analysis.output; also an OSError): a result could not be written
    ├── WorkerLost (coprod.analysis.runs.parallel; also a RuntimeError): Dask lost a run's worker
    └── AssetError (coprod.dashboard.assets; also a RuntimeError): dashboard assets

Every message is one line that names what was wrong, so the command line prints it as it is:
an :class:`InputError` ends a command with exit status 2, the others with status 1.
"""

from __future__ import annotations


class CoprodError(Exception):
    """Base class of every error coprod raises on purpose; the message says what went wrong."""


class InputError(CoprodError, ValueError):
    """Something the user or caller gave cannot be used; the message names it and the rule."""


class ScenarioError(InputError):
    """A scenario could not be loaded or is invalid; the message names key, value and rule."""


class AnalysisError(InputError):
    """An analysis function was given an argument or table it cannot use (e.g. a measure)."""


class PreconditionError(InputError):
    """The inputs are valid, but the analysis asked for does not apply to them."""


class OutputFolderError(InputError):
    """An output folder cannot take the results: it is a file, or holds other results."""
