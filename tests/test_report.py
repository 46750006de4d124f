import base64
import re
from html import escape

import pytest

from coprod import Scenario, __version__, run_scenario
from coprod.analysis.compare.comparison import run_comparison
from coprod.analysis.compare.output import write_comparison
from coprod.analysis.report import ReportError, build_report, write_report
from coprod.analysis.runs.output import write_run
from coprod.analysis.sweep.run import run_sweep
from coprod.analysis.sweep.sensitivity import run_sensitivity
from coprod.analysis.sweep.spec import sweep_from_dict
from coprod.analysis.wording import MARKER_LEGEND
from helpers import coprod

SMALL = {"population.citizens": 300, "population.businesses": 10}
SWEEP = {
    "name": "tiny_sweep",
    "scenario": "coproduction",
    "replicates": 2,
    "steps": 14,
    "seed": 8,
    "measures": ["effectiveness", "lawfulness"],
    "set": {"population.citizens": 300},
    "parameters": {"governance.budget": [0.7, 1.3]},
}
IMG = re.compile(r'<img alt="([^"]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    s = Scenario.load("socialgov").with_overrides(SMALL)
    write_run(run_scenario(s, steps=14, seed=3), root / "run")
    scenarios = [s, Scenario.load("substitutive_automation").with_overrides(SMALL)]
    runs = run_comparison(scenarios, replicates=3, steps=14, seed=6, client="serial")
    write_comparison(runs, scenarios, root / "compare", seed=6)
    run_sweep(sweep_from_dict(SWEEP), out=root / "sweep", client="serial", progress=False)
    gsa = dict(SWEEP, name="tiny_gsa", samples=3)
    gsa["parameters"] = {
        "governance.budget": {"min": 0.5, "max": 1.5},
        "governance.appeals": [False, True],
    }
    run_sensitivity(
        sweep_from_dict(gsa), "morris", out=root / "sensitivity", client="serial", progress=False
    )
    return root


def check_html(folder):
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html and "https://" not in html  # nothing fetched from elsewhere
    images = IMG.findall(html)
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert len(images) == len(pngs) >= 1
    for stem, data in images:
        assert base64.b64decode(data) == (folder / f"{stem}.png").read_bytes()
    assert __version__ in html
    return html


def check_markdown(folder):
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# coprod ")
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert (folder / link).is_file()
    assert __version__ in md
    return md


def test_report_of_a_run(folders):
    write_report(folders / "run")
    html = check_html(folders / "run")
    md = check_markdown(folders / "run")
    for text in (html, md):
        assert "socialgov" in text and "seed" in text and "effectiveness" in text
    assert "| measure | final |" in md


def test_report_of_a_comparison_with_intervals(folders):
    write_report(folders / "compare")
    html = check_html(folders / "compare")
    md = check_markdown(folders / "compare")
    for text in (html, md):
        assert "socialgov" in text and "substitutive_automation" in text
        assert "difference to socialgov" in text
        assert re.search(r"0\.\d{3} \[0\.\d{3}, [01]\.\d{3}\]", text)  # mean [low, high]
    # unreviewed automation lowers lawfulness: named among the main differences
    assert re.search(r"\*\*lawfulness\*\* is worse \(lower\) under substitutive_automation", md)
    # the table marks that difference by the registry's direction and explains the marks
    assert re.search(r"\| lawfulness \| substitutive_automation \| [^|]+ \| [^|]+ \* worse \|", md)
    assert MARKER_LEGEND in md and escape(MARKER_LEGEND) in html
    seeds = build_report(folders / "compare").facts
    assert any(k == "replicate seeds" and v.count(",") == 2 for k, v in seeds)


def test_report_of_a_sweep(folders):
    write_report(folders / "sweep")
    html = check_html(folders / "sweep")
    md = check_markdown(folders / "sweep")
    for text in (html, md):
        assert "tiny_sweep" in text and "governance.budget" in text and "lawfulness" in text
    assert "2 of 2" not in md and "4 of 4" in md  # runs finished
    assert re.search(r"\*\*lawfulness\*\* ranges from .*; higher is better", md)


def test_report_of_an_unfinished_sweep_uses_the_runs(folders, tmp_path):
    import shutil

    copy = tmp_path / "partial"
    shutil.copytree(folders / "sweep", copy)
    (copy / "summary.parquet").unlink()
    (copy / "summary.csv").unlink()
    write_report(copy)
    assert "Horizon means per design point" in (copy / "report.md").read_text()


def test_report_of_a_sensitivity_analysis(folders):
    result = coprod("report", str(folders / "sensitivity"))
    assert result.returncode == 0, result.stderr
    html = check_html(folders / "sensitivity")
    md = check_markdown(folders / "sensitivity")
    for text in (html, md):
        assert "morris" in text and "mu_star" in text and "governance.budget" in text
    assert "most influenced by governance.budget" in md


def test_report_refuses_a_folder_without_manifest(tmp_path):
    result = coprod("report", str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "manifest" in result.stderr
    assert not (tmp_path / "report.html").exists()
    with pytest.raises(ReportError, match="not found"):
        build_report(tmp_path / "nothing")
