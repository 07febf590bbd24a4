"""Charts for the appendix, drawn with matplotlib (Agg) as deterministic PNG bytes.

Same inputs, same bytes: a fixed size and dpi, matplotlib's bundled DejaVu
font, no ``Software`` metadata and no dates in the file. matplotlib is imported
when the first chart is drawn: it costs 0.3 s, and ``opplan check`` draws none.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from decimal import Decimal

from opplan.check.xmltext import xml_safe

FUNDED_COLOR = "#2F5597"
BELOW_COLOR = "#C9D3E6"
DPI = 120


def stacked_bars(
    labels: Sequence[str],
    funded: Sequence[Decimal],
    below: Sequence[Decimal],
    *,
    xlabel: str,
    funded_label: str = "Funded",
    below_label: str = "Below the line",
) -> bytes:
    """Horizontal bars, one per label: funded then below-the-line amounts, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    n = max(len(labels), 1)
    fig = Figure(figsize=(6.5, min(1.1 + 0.3 * n, 8.5)), dpi=DPI)
    ax = fig.add_subplot()
    names = [textwrap.shorten(xml_safe(label), 34, placeholder="...") for label in labels]
    ys = list(range(len(names)))[::-1]
    f = [float(v) for v in funded]
    b = [float(v) for v in below]
    ax.barh(ys, f, color=FUNDED_COLOR, label=funded_label, height=0.6)
    ax.barh(ys, b, left=f, color=BELOW_COLOR, label=below_label, height=0.6)
    ax.set_yticks(ys, names, fontsize=8, parse_math=False)  # a name "$x$" is not TeX
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        fontsize=8,
        frameon=False,
        loc="lower left",
        ncols=2,
        bbox_to_anchor=(0.0, 1.0 + 0.02),
        borderaxespad=0.0,
    )
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.34, right=0.97, top=1 - 0.35 / height, bottom=0.55 / height)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
