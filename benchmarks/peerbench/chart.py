"""Draw docs/benchmark-peers.png from a results file (needs matplotlib: the peers' venv).

    python -m peerbench.chart results.json docs/benchmark-peers.png

Four panels, one per workload, one bar per system; time on a log scale; a system that failed
a workload gets the word "failed" instead of a bar. Prints ``{"matplotlib": version}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from peerbench.report import MIB, RUNTIME, seconds, value

COLOURS = {"runtime": "#d9480f", "floor": "#adb5bd", "peer": "#1c7ed6"}
PANELS = (
    ("A", "A: one run, latency (median, s, log)", 1.0, True),
    ("B", "B: 200 runs at once, total (s, log)", 1.0, True),
    ("C", "C: cold start to result (s, log)", 1.0, True),
    ("D", "D: peak memory during B (MiB)", 1 / MIB, False),
)


def draw(results: dict[str, Any], out: Path) -> None:
    systems = results["systems"]
    labels = [s["label"] for s in systems]
    fig, axes = plt.subplots(1, 4, figsize=(16, 0.42 * len(systems) + 1.8), sharey=True)
    for ax, (key, title, scale, log) in zip(axes, PANELS, strict=True):
        values = [value(s, key) for s in systems]
        shown = [0.0 if v is None else v * scale for v in values]
        colours = [COLOURS[s["kind"]] for s in systems]
        bars = ax.barh(range(len(systems)), shown, color=colours)
        if log:
            ax.set_xscale("log")
        positive = [v for v in shown if v > 0]
        low = min(positive) / 3 if log and positive else 0
        for bar, v, s in zip(bars, values, systems, strict=True):
            if v is None:
                ax.text(
                    low if log else 0,
                    bar.get_y() + bar.get_height() / 2,
                    " failed",
                    va="center",
                    ha="left",
                    fontsize=8,
                    color="#c92a2a",
                )
            else:
                text = f" {v * scale:,.0f}" if key == "D" else f" {seconds(v)}"
                if s["name"] == RUNTIME:
                    text += " (runtime)"
                ax.text(
                    bar.get_width(),
                    bar.get_y() + bar.get_height() / 2,
                    text,
                    va="center",
                    ha="left",
                    fontsize=8,
                )
        if log and positive:
            ax.set_xlim(low, max(positive) * 20)
        elif positive:
            ax.set_xlim(0, max(positive) * 1.5)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(systems)), labels)
    axes[0].invert_yaxis()
    m = results["machine"]
    fig.suptitle(
        f"Five-step flow of trivial Python functions, {results['date']}: "
        f"{m['cpu']}, {m['cores']} cores, Python {results['python_version']} "
        "(shorter is better)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    results = json.loads(Path(argv[0]).read_text())
    draw(results, Path(argv[1]))
    print(json.dumps({"matplotlib": matplotlib.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
