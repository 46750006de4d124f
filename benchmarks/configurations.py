"""What the benchmarks measure, as data: per measurement, sizes, seeds, replications and steps.

``python -m benchmarks`` runs the ``"full"`` setting (about ten minutes on a 2-core machine);
``python -m benchmarks --quick`` runs ``"quick"`` (under a minute) to check that everything
works. Replication ``i`` of a measurement runs with seed ``replicate_seeds(seed, replications)[i]``
(NumPy ``SeedSequence``), so every setting names one root seed. Steps are months; ``warmup``
steps run before timing starts. Sizes are numbers of citizens; an agent-step is one citizen
stepped once.
"""

from __future__ import annotations

from typing import Any

#: The scenario every measurement runs: all actors on par on the full SocialGov platform, which
#: exercises every phase (delivery, co-creation, platform, partners, capture).
SCENARIO = "socialgov"

CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "full": {
        # agent-steps per second of coprod and of the per-agent baseline, interleaved per
        # replication in one fresh process per size; the baseline takes fewer steps when large
        "throughput": {
            "sizes": [1_000, 10_000, 100_000],
            "seed": 1,
            "replications": 5,
            "warmup": 1,
            "steps": {1_000: 60, 10_000: 30, 100_000: 10},
            "baseline_steps": {1_000: 20, 10_000: 8, 100_000: 2},
        },
        # time per step, construction and peak memory, one fresh process per size and
        # replication; the baseline's curve stops at 100,000 citizens
        "scaling": {
            "sizes": [1_000, 10_000, 100_000, 1_000_000],
            "seed": 2,
            "replications": 5,
            "warmup": 1,
            "steps": {1_000: 60, 10_000: 30, 100_000: 12, 1_000_000: 8},
            "baseline_sizes": [1_000, 10_000, 100_000],
            "baseline_steps": {1_000: 10, 10_000: 4, 100_000: 2},
            # steps timed phase by phase after the plain timed steps
            "phase_steps": {1_000: 20, 10_000: 10, 100_000: 4, 1_000_000: 3},
        },
        # ensemble throughput, serial in this process against a local Dask cluster
        "ensemble": {
            "workers": 2,
            "seed": 3,
            "repeats": 3,
            "runs": [
                {"citizens": 2_000, "steps": 120, "replicates": 16},
                {"citizens": 20_000, "steps": 120, "replicates": 8},
            ],
        },
    },
    "quick": {
        "throughput": {
            "sizes": [1_000, 5_000],
            "seed": 1,
            "replications": 2,
            "warmup": 1,
            "steps": {1_000: 10, 5_000: 5},
            "baseline_steps": {1_000: 3, 5_000: 2},
        },
        "scaling": {
            "sizes": [1_000, 10_000],
            "seed": 2,
            "replications": 1,
            "warmup": 1,
            "steps": {1_000: 5, 10_000: 3},
            "baseline_sizes": [1_000],
            "baseline_steps": {1_000: 2},
            "phase_steps": {1_000: 2, 10_000: 2},
        },
        "ensemble": {
            "workers": 2,
            "seed": 3,
            "repeats": 1,
            "runs": [{"citizens": 500, "steps": 12, "replicates": 4}],
        },
    },
}

#: The performance targets of coprod, checked in RESULTS.md (measured, never asserted in tests).
TARGETS = {
    "speedup_at_10000": 50.0,  # coprod agent-steps/s over the baseline's at 10,000 citizens
    "step_seconds_at_1000000": 0.5,
    "peak_memory_gb_at_1000000": 3.0,
    "construction_seconds_at_1000000": 30.0,
}
