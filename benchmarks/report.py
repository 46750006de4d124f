"""Summaries of the raw measurements, RESULTS.md and the scaling plot."""

from __future__ import annotations

import pprint
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.configurations import TARGETS


def spread(values: list[float]) -> dict[str, float]:
    """Median, minimum and maximum."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _rate(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.0f} k"
    return f"{x:.0f}"


def _seconds(x: float) -> str:
    if x < 1e-3:
        return f"{x * 1e6:.0f} µs"
    if x < 1.0:
        return f"{x * 1e3:.1f} ms"
    return f"{x:.2f} s"


def _with_range(s: dict[str, float], fmt) -> str:
    return f"{fmt(s['median'])} ({fmt(s['min'])} – {fmt(s['max'])})"


def slope(sizes: list[int], values: list[float]) -> float:
    """Exponent of a power law fitted to ``values`` against ``sizes`` (log-log least squares)."""
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


# ---------------------------------------------------------------------------- summaries
def summarise_throughput(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for r in raw:
        ratios = [c / b for c, b in zip(r["coprod"], r["baseline"], strict=True)]
        rows.append(
            {
                "citizens": r["citizens"],
                "coprod": spread(r["coprod"]),
                "baseline": spread(r["baseline"]),
                "ratio": spread(ratios),
                "replications": len(ratios),
            }
        )
    return rows


def summarise_scaling(raw: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    rows = []
    sizes = sorted({r["citizens"] for r in raw if r["model"] == model})
    for n in sizes:
        runs = [r for r in raw if r["model"] == model and r["citizens"] == n]
        step = [statistics.median(r["step_s"]) for r in runs]
        phases: dict[str, float] = {}
        for name in runs[0]["phase_s"]:
            phases[name] = statistics.median(r["phase_s"][name] for r in runs)
        rows.append(
            {
                "citizens": n,
                "step_s": spread(step),
                "agent_steps_per_s": spread([n / s for s in step]),
                "construct_s": spread([r["construct_s"] for r in runs]),
                "construct_mb": spread([r["construct_rss_mb"] - r["import_rss_mb"] for r in runs]),
                "peak_mb": spread([r["peak_rss_mb"] for r in runs]),
                "model_mb": spread([r["peak_rss_mb"] - r["import_rss_mb"] for r in runs]),
                "import_mb": statistics.median(r["import_rss_mb"] for r in runs),
                "phase_s": phases,
                "replications": len(runs),
            }
        )
    return rows


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    if "throughput" in results:
        summary["throughput"] = summarise_throughput(results["throughput"])
    if "scaling" in results:
        coprod = summarise_scaling(results["scaling"], "coprod")
        summary["scaling"] = {
            "coprod": coprod,
            "baseline": summarise_scaling(results["scaling"], "baseline"),
        }
        big = [r for r in coprod if r["citizens"] >= 10_000]
        if len(big) >= 2:
            sizes = [r["citizens"] for r in big]
            summary["slopes"] = {
                "from": sizes[0],
                "step": slope(sizes, [r["step_s"]["median"] for r in big]),
                "memory": slope(sizes, [r["model_mb"]["median"] for r in big]),
            }
    if "ensemble" in results:
        summary["ensemble"] = results["ensemble"]
    return summary


# ---------------------------------------------------------------------------- targets
def targets(summary: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(target, bar, measured, verdict) for every target that was measured."""
    rows = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    by_size = {r["citizens"]: r for r in summary.get("throughput", [])}
    if 10_000 in by_size:
        ratio = by_size[10_000]["ratio"]["median"]
        bar = TARGETS["speedup_at_10000"]
        rows.append(
            ("coprod / baseline agent-steps/s at 10,000", f">= {bar:.0f}x", f"{ratio:.1f}x")
            + (verdict(ratio >= bar),)
        )
    scaled = {r["citizens"]: r for r in summary.get("scaling", {}).get("coprod", [])}
    if 1_000_000 in scaled:
        r = scaled[1_000_000]
        step, bar = r["step_s"]["median"], TARGETS["step_seconds_at_1000000"]
        rows.append(
            ("one step at 1,000,000", f"<= {bar} s", f"{step:.3f} s", verdict(step <= bar))
        )
        peak, bar = r["peak_mb"]["median"] / 1024, TARGETS["peak_memory_gb_at_1000000"]
        rows.append(
            ("peak memory at 1,000,000", f"<= {bar} GB", f"{peak:.2f} GB", verdict(peak <= bar))
        )
        build, bar = r["construct_s"]["median"], TARGETS["construction_seconds_at_1000000"]
        rows.append(
            (
                "construction at 1,000,000",
                f"<= {bar:.0f} s",
                f"{build:.1f} s",
                verdict(build <= bar),
            )
        )
    if "slopes" in summary:
        s = summary["slopes"]
        rows.append(
            (
                f"memory linear in population (exponent from {s['from']:,})",
                "about 1",
                f"{s['memory']:.2f}",
                verdict(0.8 <= s["memory"] <= 1.2),
            )
        )
        rows.append(
            (
                f"time per step no faster than linear (exponent from {s['from']:,})",
                "<= about 1",
                f"{s['step']:.2f}",
                verdict(s["step"] <= 1.1),
            )
        )
    return rows


# ---------------------------------------------------------------------------- markdown
def markdown(results: dict[str, Any], summary: dict[str, Any]) -> str:
    m = results["machine"]
    cfg = results["configuration"]
    lines = [
        "# coprod benchmarks",
        "",
        f"Written by `python -m benchmarks{' --quick' if results['setting'] == 'quick' else ''}`"
        f" on {m['date']} in {results['elapsed_s'] / 60:.1f} minutes (setting "
        f"`{results['setting']}` of `benchmarks/configurations.py`; scenario "
        f"`{results['scenario']}`). Medians over replications, with (min – max). An agent-step "
        "is one citizen stepped once (one month). Benchmarks are measurements, not tests: "
        "numbers on a shared machine are noisy, so compare ratios measured in the same run.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu']} |",
        f"| cores | {m['cores']} |",
        f"| memory | {m['memory_gb']:.1f} GB |" if m["memory_gb"] else "| memory | unknown |",
        f"| OS | {m['os']} |",
        f"| Python | {m['python']} |",
        f"| NumPy / SciPy | {m['numpy']} / {m['scipy']} |",
        f"| Mesa | {m['mesa']} |",
        f"| Dask | {m['dask']} |",
        f"| coprod | {m['coprod']}, commit {m['commit']} |",
        f"| coprod imported from | `{m.get('imported_from', 'unknown')}` |",
        "| load average (1 min) | "
        + ", ".join(f"{k}: {v[0]:.1f}" for k, v in results.get("load_average", {}).items())
        + f" (on {m['cores']} cores; other work on the machine slows what runs beside it) |",
        "| thread settings | "
        + (", ".join(f"`{k}={v}`" for k, v in m["thread_variables"].items()) or "none set")
        + " |",
        "",
    ]
    rows = targets(summary)
    if rows:
        lines += ["## Targets", "", "| target | bar | measured | |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
        lines.append("")
    if "throughput" in summary:
        t = cfg["throughput"]
        lines += [
            "## Agent-steps per second: coprod against the per-agent baseline",
            "",
            "The baseline (`benchmarks/baseline.py`) is the same model stepped the plain Mesa "
            "way: every citizen a Python object whose `step` reads its neighbours and its own "
            "attributes, run by `shuffle_do`; administrations, businesses and organisations "
            "are per-agent loops too. `tests/test_baseline.py` shows that both give the same "
            "measures. Each replication builds both models in one fresh process per size, "
            f"steps each {t['warmup']} untimed step(s), then times coprod for "
            + ", ".join(f"{s:,}: {n}" for s, n in t["steps"].items())
            + " steps and the baseline for "
            + ", ".join(f"{s:,}: {n}" for s, n in t["baseline_steps"].items())
            + " steps (citizens: steps). The ratio is taken per replication.",
            "",
            "| citizens | coprod agent-steps/s | baseline agent-steps/s | coprod / baseline "
            "| runs |",
            "|---:|---:|---:|---:|---:|",
        ]
        for r in summary["throughput"]:
            lines.append(
                f"| {r['citizens']:,} | {_with_range(r['coprod'], _rate)} | "
                f"{_with_range(r['baseline'], _rate)} | "
                f"{_with_range(r['ratio'], lambda x: f'{x:.1f}x')} | {r['replications']} |"
            )
        lines.append("")
    if "scaling" in summary:
        s = cfg["scaling"]
        lines += [
            "## Scaling: time per step, construction and memory",
            "",
            "One fresh process per size and replication. Time per step is the median of the "
            "timed steps of a replication; memory is the process's resident set: *peak* is "
            "`ru_maxrss` at the end, *model* is the peak minus the resident set after the "
            "imports (about "
            f"{summary['scaling']['coprod'][0]['import_mb']:.0f} MB of Python, NumPy, SciPy, "
            "pandas, Mesa), *built* the resident set right after construction minus the same.",
            "",
            "![scaling](scaling.png)",
            "",
            "| model | citizens | time per step | agent-steps/s | construction | built | "
            "model peak | process peak |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for model in ("coprod", "baseline"):
            for r in summary["scaling"][model]:
                lines.append(
                    f"| {model} | {r['citizens']:,} | {_with_range(r['step_s'], _seconds)} | "
                    f"{_rate(r['agent_steps_per_s']['median'])} | "
                    f"{_with_range(r['construct_s'], _seconds)} | "
                    f"{r['construct_mb']['median']:.0f} MB | "
                    f"{r['model_mb']['median']:.0f} MB | "
                    f"{_with_range(r['peak_mb'], lambda x: f'{x:.0f}')} MB |"
                )
        lines.append("")
        if "slopes" in summary:
            sl = summary["slopes"]
            lines += [
                f"Power-law exponents from {sl['from']:,} citizens up: time per step "
                f"{sl['step']:.2f}, model memory {sl['memory']:.2f} (1 is linear).",
                "",
            ]
        phases = [r for r in summary["scaling"]["coprod"] if r["phase_s"]]
        if phases:
            names = list(phases[-1]["phase_s"])
            lines += [
                "### Where a coprod step spends its time",
                "",
                "Each phase of `CoProductionModel.step` timed on its own over "
                + ", ".join(f"{n:,}: {k}" for n, k in s["phase_steps"].items())
                + " further steps (median per phase; share of the phases' total).",
                "",
                "| phase | " + " | ".join(f"{r['citizens']:,}" for r in phases) + " |",
                "|---|" + "---:|" * len(phases),
            ]
            for name in names:
                cells = []
                for r in phases:
                    total = sum(r["phase_s"].values())
                    value = r["phase_s"].get(name, 0.0)
                    cells.append(f"{_seconds(value)} ({100 * value / total:.0f}%)")
                lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
            lines.append("")
    if "ensemble" in summary:
        e = summary["ensemble"]
        how = (
            'through `run_ensemble(..., client="serial")` and `run_ensemble(..., client=client)`'
            if e["through_run_ensemble"]
            else "with `coprod.run_scenario` over the replicate seeds, in a loop and with "
            "`client.map` (this `run_ensemble` did not accept a client)"
        )
        labels = list(e["startup_s"])
        lines += [
            "## Ensemble throughput: serial against Dask",
            "",
            f"The same ensemble run serially in one process and on local Dask clusters of "
            f"{e['workers']} single-threaded worker processes, {how}: one cluster whose workers "
            "start without `MALLOC_TRIM_THRESHOLD_`, one with Dask's default worker "
            "environment, which sets it to 64 KiB (workers' value: "
            + "; ".join(
                f"{label}: {', '.join(values)}"
                for label, values in e["worker_malloc_trim_threshold"].items()
            )
            + "). With that setting glibc maps every NumPy temporary above 128 KiB afresh, so "
            "from about 16,000 citizens a step runs much slower. Starting each cluster and "
            "importing coprod on its workers ("
            + ", ".join(f"{label}: {s:.1f} s" for label, s in e["startup_s"].items())
            + f") is not included. Each ensemble ran {e['repeats']} time(s) each way, the ways "
            "alternating; speed-ups are serial time over Dask time per repeat; *identical*: all "
            "ways gave equal measures.",
            "",
            "| citizens | steps | replicates | serial | "
            + " | ".join(f"Dask, {label}" for label in labels)
            + " | identical |",
            "|---:|---:|---:|---:|" + "---:|" * len(labels) + "---|",
        ]
        for r in e["runs"]:
            k = r["replicates"]
            serial = r["seconds"]["serial"]
            rate = k / statistics.median(serial)
            cells = [f"{_with_range(spread(serial), _seconds)} ({rate:.2f} runs/s)"]
            for label in labels:
                dask = r["seconds"][label]
                speedup = spread([s / d for s, d in zip(serial, dask, strict=True)])
                cells.append(
                    f"{_seconds(statistics.median(dask))}, "
                    f"{_with_range(speedup, lambda x: f'{x:.2f}x')}"
                )
            lines.append(
                f"| {r['citizens']:,} | {r['steps']} | {k} | "
                + " | ".join(cells)
                + f" | {'yes' if r['identical'] else 'NO'} |"
            )
        lines.append("")
    lines += [
        "## Configuration",
        "",
        "```python",
        pprint.pformat(cfg, width=99, sort_dicts=False),
        "```",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- plot
def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_time, ax_mem) = plt.subplots(1, 2, figsize=(10, 4.2))
    styles = {"coprod": ("C0", "o"), "baseline": ("C3", "s")}
    for model, rows in summary["scaling"].items():
        if not rows:
            continue
        colour, marker = styles[model]
        n = np.array([r["citizens"] for r in rows], dtype=float)
        step = [r["step_s"] for r in rows]
        med = np.array([s["median"] for s in step])
        low = [m - s["min"] for m, s in zip(med, step, strict=True)]
        high = [s["max"] - m for m, s in zip(med, step, strict=True)]
        err = np.array([low, high])
        ax_time.errorbar(n, med, yerr=err, color=colour, marker=marker, label=model, capsize=3)
        mem = np.array([r["model_mb"]["median"] for r in rows])
        peak = np.array([r["peak_mb"]["median"] for r in rows])
        ax_mem.plot(n, mem, color=colour, marker=marker, label=f"{model}: model (peak - imports)")
        ax_mem.plot(n, peak, color=colour, marker=marker, ls=":", label=f"{model}: process peak")
    coprod = summary["scaling"]["coprod"]
    n = np.array([r["citizens"] for r in coprod], dtype=float)
    for ax, measure, ylabel, title in (
        (ax_time, "step_s", "seconds per step", "Time per step"),
        (ax_mem, "model_mb", "MB (resident set)", "Memory"),
    ):
        last = coprod[-1][measure]["median"]
        ax.plot(n, last * n / n[-1], color="grey", ls="--", lw=1, label="linear")
        ax.set(xscale="log", yscale="log", xlabel="citizens", ylabel=ylabel, title=title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
