"""Tables of one run (per database): printed, and written as Markdown and JSON."""

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.measure import Measurement
from bench.targets import RESULTS_DIR
from bench.wrk import CONNECTIONS, DURATION_SECONDS, WrkResult

ARM_ORDER = ("raw", "stock", "project")


@dataclass
class RunReport:
    database: str
    size_label: str
    slug: str
    started: str
    revision: str = ""
    seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    wrk: list[WrkResult] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.database}, {self.size_label}"


def project_revision() -> str:
    """The commit the project arm ran, and whether its code had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        completed = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        )
        return completed.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "admin_app", "migrations")
    return f"{commit} + uncommitted changes" if dirty else commit


def machine() -> dict[str, Any]:
    packages = ("sqladmin", "sqlalchemy", "starlette", "fastapi", "uvicorn", "psycopg")
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        **{name: version(name) for name in packages},
    }


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    value = seconds * 1000
    if value < 10:
        return f"{value:.2f}"
    if value < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def human_bytes(size: int | None) -> str:
    if size is None:
        return "-"
    amount = float(size)
    for unit in ("B", "KiB", "MiB"):
        if abs(amount) < 1024:
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.2f} GiB"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator <= 0:
        return "-"
    return f"{numerator / denominator:.2f}x"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def results_table(measurements: list[Measurement]) -> str:
    header = ["scenario", "arm", "n", "first ms", "p50 ms", "p95 ms", "bytes", "SQL"]
    header += ["proj/stock", "proj/raw", "note"]
    lines = [_row(header), _row(["---"] * 2 + ["---:"] * 8 + ["---"])]
    by_key: dict[str, dict[str, Measurement]] = {}
    for measured in measurements:
        by_key.setdefault(measured.scenario, {})[measured.arm] = measured
    for arms in by_key.values():
        project = arms.get("project")
        first = True
        for arm in ARM_ORDER:
            item = arms.get(arm)
            if item is None:
                continue
            is_project = arm == "project" and project is not None and project.ok
            stock, raw = arms.get("stock"), arms.get("raw")
            note = item.note
            if item.rss_growth is not None and item.rss_peak is not None:
                memory = f"peak RSS {human_bytes(item.rss_peak)} (+{human_bytes(item.rss_growth)})"
                note = f"{note}; {memory}".lstrip("; ")
            if not item.ok:
                note = f"**{item.status}** {note}".strip()
            lines.append(
                _row(
                    [
                        item.title if first else "",
                        arm,
                        str(item.reps),
                        ms(item.first),
                        ms(item.p50),
                        ms(item.p95),
                        human_bytes(item.size),
                        "-" if item.statements is None else str(item.statements),
                        ratio(item.p50, stock.p50 if stock else None) if is_project else "",
                        ratio(item.p50, raw.p50 if raw else None) if is_project else "",
                        note.replace("|", "/"),
                    ]
                )
            )
            first = False
    return "\n".join(lines)


def wrk_table(results: list[WrkResult]) -> str:
    lines = [
        _row(["arm", "req/s", "requests", "p50 ms", "p90 ms", "p99 ms", "errors", "note"]),
        _row(["---"] + ["---:"] * 6 + ["---"]),
    ]
    for item in results:
        rps = "-" if item.requests_per_second is None else f"{item.requests_per_second:.1f}"
        lines.append(
            _row(
                [
                    item.arm,
                    rps,
                    "-" if item.requests is None else f"{item.requests:,}",
                    ms(item.p50),
                    ms(item.p90),
                    ms(item.p99),
                    str(item.errors),
                    "" if item.status == "ok" else item.status,
                ]
            )
        )
    return "\n".join(lines)


def to_markdown(report: RunReport) -> str:
    parts = [
        f"### {report.title}",
        "",
        f"Run {report.started}, {report.seconds / 60:.1f} min, project at {report.revision}. "
        "first = the first (warm-up) request; p50/p95 over n timed sequential requests after "
        "warm-up; bytes = response body; SQL = statements the server ran for one request; "
        "ratios compare p50s.",
        "",
        results_table(report.measurements),
    ]
    if report.wrk:
        parts += [
            "",
            f"Events list page 1 under `wrk` ({CONNECTIONS} connections, {DURATION_SECONDS} s):",
            "",
            wrk_table(report.wrk),
        ]
    return "\n".join(parts) + "\n"


def to_json(report: RunReport) -> str:
    data = asdict(report)
    for item, raw in zip(report.measurements, data["measurements"], strict=True):
        raw["p50"], raw["p95"] = item.p50, item.p95
    data["machine"] = machine()
    return json.dumps(data, indent=2, default=str) + "\n"


def write(report: RunReport, directory: Path = RESULTS_DIR) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / f"{report.database}_{report.slug}"
    markdown, data = stem.with_suffix(".md"), stem.with_suffix(".json")
    markdown.write_text(to_markdown(report))
    data.write_text(to_json(report))
    return markdown, data
