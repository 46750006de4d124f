"""Ensembles and comparisons with several municipalities: all three tables of every run.

The work is split by concern, and every name stays importable from here:

- :mod:`coprod.analysis.municipality_runs`: running (:func:`run_ensemble_detail`,
  :func:`run_comparison_detail`, :class:`EnsembleDetail`) and the ``--by-municipality``
  precondition (:func:`check_municipalities`);
- :mod:`coprod.analysis.municipality_stats`: statistics per place and per innovation process
  (:func:`compare_municipalities`, :func:`innovation_runs`, :func:`compare_innovations`);
- :mod:`coprod.analysis.municipality_output`: text and Markdown tables and the files
  (:func:`municipality_table`, :func:`innovations_table`,
  :func:`write_municipality_comparison`, :func:`summary_text`).
"""

from __future__ import annotations

from coprod.analysis.municipality_output import (
    innovations_table,
    municipality_table,
    summary_text,
    write_municipality_comparison,
)
from coprod.analysis.municipality_runs import (
    EnsembleDetail,
    check_municipalities,
    run_comparison_detail,
    run_ensemble_detail,
    run_task_detail,
)
from coprod.analysis.municipality_stats import (
    GROUPINGS,
    INNOVATION_QUANTITIES,
    compare_innovations,
    compare_municipalities,
    innovation_runs,
)
from coprod.analysis.stats import interval_cell

__all__ = [
    "GROUPINGS",
    "INNOVATION_QUANTITIES",
    "EnsembleDetail",
    "check_municipalities",
    "compare_innovations",
    "compare_municipalities",
    "innovation_runs",
    "innovations_table",
    "interval_cell",
    "municipality_table",
    "run_comparison_detail",
    "run_ensemble_detail",
    "run_task_detail",
    "summary_text",
    "write_municipality_comparison",
]
