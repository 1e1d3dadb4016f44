"""The aging chart: one stacked bar per currency, the amount owed split by bucket.

Currencies differ in scale (a JPY ledger is a hundred times a EUR one), so the bars show
shares of what each currency's customers owe (0-100 %), each bar labelled with its amount
in its own currency: nothing is ever added or compared across currencies. Credits are not
drawn (they are not owed to us); the note under the chart says how much they are.

Drawn with matplotlib's Agg canvas (no display, no pyplot state): works headless.
"""

from __future__ import annotations

import io
from decimal import Decimal

import polars as pl
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from contracts.money import quantize
from jobs.analytics.aging import Buckets

CURRENT = "#2e7d32"  # not yet due: green; past due: yellow to dark red as items age


def colours(buckets: Buckets) -> dict[str, str]:
    ramp = colormaps["YlOrRd"]
    n = len(buckets.past_due)
    shades = [to_hex(ramp(0.3 + 0.65 * i / max(n - 1, 1))) for i in range(n)]
    return {"current": CURRENT, **dict(zip(buckets.past_due, shades, strict=True))}


def _ink(colour: str) -> str:
    """Black or white text, whichever reads on `colour`."""
    r, g, b = to_rgb(colour)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.55 else "black"


def aging_png(by_currency: pl.DataFrame, buckets: Buckets, title: str) -> bytes:
    """PNG bytes of the chart for a per-currency summary (`aging.summarize(..., ["currency"])`)."""
    names = ["current", *buckets.past_due]
    shade = colours(buckets)
    rows = by_currency.sort("currency", descending=True).to_dicts()  # first currency on top
    figure = Figure(figsize=(11, 2.2 + 0.55 * max(len(rows), 1)), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=12)
    axes.set_xlim(0, 100)
    axes.spines[["top", "right"]].set_visible(False)
    credits_note: list[str] = []
    for y, row in enumerate(rows):
        currency = str(row["currency"])
        owed = sum((Decimal(row[n]) for n in names), Decimal(0))
        left = 0.0
        for name in names:
            amount = Decimal(row[name])
            if owed <= 0 or amount == 0:
                continue
            # Float for drawing only: the share sets a bar's width; the amounts shown
            # in labels and tables stay exact Decimal.
            width = float(amount / owed * 100)
            axes.barh(y, width, left=left, color=shade[name], edgecolor="white", height=0.6)
            if width >= 6:
                axes.text(
                    left + width / 2,
                    y,
                    f"{width:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=_ink(shade[name]),
                )
            left += width
        owed_text = f"{quantize(owed, currency)} {currency} owed" if owed > 0 else "nothing owed"
        axes.text(101, y, owed_text, va="center", fontsize=9, clip_on=False)
        if row["credits"] != 0:
            credits_note.append(f"{quantize(Decimal(row['credits']), currency)} {currency}")
    if rows:
        axes.set_yticks(range(len(rows)), [str(r["currency"]) for r in rows])
    else:
        axes.set_yticks([])
        axes.text(50, 0, "no open items", ha="center", va="center", fontsize=12)
    axes.set_ylim(-0.6, max(len(rows), 1) - 0.4)
    note = "credits (not drawn): " + (", ".join(reversed(credits_note)) or "none")
    axes.set_xlabel(f"share of the amount owed, per currency (%)\n{note}", fontsize=9)
    handles = [
        Patch(color=shade[n], label="current" if n == "current" else buckets.label(n) + " days")
        for n in names
    ]
    figure.legend(
        handles=handles, ncols=len(names), loc="outside lower left", frameon=False, fontsize=9
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
