"""The growth curves of docs/scale.md from bench/scale.py's --json files: wall time, CPU
seconds per region and peak RSS against the number of regions, one line per piece of work
(log-log: a straight line of slope 1 is cost growing linearly with the regions); with
--table, the figures as docs/scale.md's Markdown table instead.

    .venv/bin/python -m bench.scale_plot run1.json [run2.json ...] --out docs/scale-curves.png
    .venv/bin/python -m bench.scale_plot run1.json [run2.json ...] --table
"""
import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)

from bench.scale import OPS  # noqa: E402


def load(paths: list[str]) -> dict[int, dict]:
    """{N: {op: figures}}, later files overriding earlier ones for the same N and op."""
    merged: dict[int, dict] = {}
    for path in paths:
        with open(path) as f:
            for n, ops in json.load(f)["results"].items():
                merged.setdefault(int(n), {}).update(ops)
    return merged


def plot(results: dict[int, dict], out: str) -> None:
    ns = sorted(results)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    panels = (("wall", "wall time (s)", 1), ("cpu", "CPU seconds per region (ms)", 1000),
              ("peak_rss", "peak RSS (MiB)", 1 / 2**20))
    for ax, (key, title, scale) in zip(axes, panels):
        for i, op in enumerate(OPS):
            points = [(n, results[n][op][key]) for n in ns
                      if isinstance(results[n].get(op), dict) and key in results[n][op]]
            if len(points) < 2:
                continue
            xs = [n for n, _ in points]
            ys = [v * scale / (n if key == "cpu" else 1) for n, v in points]
            # twelve lines: a colour of tab20 and a marker each, so no two look alike
            ax.plot(xs, ys, marker="os^vD<>ph*Xd"[i % 12], color=plt.cm.tab20(i % 20),
                    label=op)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("regions")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Albatross over simulated regions (bench/scale.py): cost as regions grow")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


def table(results: dict[int, dict]) -> str:
    """One row per (piece of work, N): what step 2 of issue 17 asks for."""
    lines = ["| work | regions | wall (s) | CPU (s) | peak RSS (MiB) | threads | sockets | "
             "DB rows | wall per region (ms) | CPU per region (ms) |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for op in OPS:
        for n in sorted(results):
            r = results[n].get(op)
            if not isinstance(r, dict) or "wall" not in r:
                continue
            lines.append(f"| {op} | {n:,} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                         f"{r['peak_rss'] / 2**20:.0f} | {r['peak_threads']} | "
                         f"{r['peak_sockets']} | {r['rows']:,} | {r['wall'] / n * 1000:.2f} | "
                         f"{r['cpu'] / n * 1000:.2f} |")
    lines += ["", "| idle | regions | RSS (MiB) | threads | sockets |", "|---|--:|--:|--:|--:|"]
    for n in sorted(results):
        idle = results[n].get("idle") or {}
        if idle:
            lines.append(f"| after start-up | {n:,} | {idle['rss'] / 2**20:.1f} | "
                         f"{idle['threads']} | {idle['sockets']} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json", nargs="+")
    ap.add_argument("--out", default="docs/scale-curves.png")
    ap.add_argument("--table", action="store_true", help="print the Markdown table instead")
    args = ap.parse_args()
    if args.table:
        print(table(load(args.json)))
    else:
        plot(load(args.json), args.out)


if __name__ == "__main__":
    main()
