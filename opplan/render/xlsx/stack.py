"""The ``Stack`` sheet: the node's asks, the manager's review cells, and the line as formulas.

Review first: ``Ask`` and ``Title``, then the yellow review cells (``Decision``,
``Partial headcount``, ``Partial cost``, ``Rank``, ``Note``), then what they
drive: ``Status``, the amounts, ``Budget used`` and ``Position`` are formulas
of the review cells, so the line moves as the manager decides (roll-up rules
2, 3 and 5, docs/review.md "The live Stack"). The static figures the engine
laid out follow (the decision below this node, the request, the approved
plan), then hidden helper columns (grouped, readable) that carry each row's
place in the node's order. Rank edits reorder only on import: the order key is
built from the ranks as built.

The renderer writes the report's figures and formulas; it computes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import repeat

from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from opplan.render.xlsx.cells import (
    formulaic,
    header_row,
    row_height,
    set_widths,
    text_width,
)
from opplan.render.xlsx.columns import (
    BELOW,
    BUDGET_COST,
    BUDGET_HC,
    BY_DECISION,
    COL,
    FIRST_HELPER,
    FORCED_COST,
    FORCED_HC,
    FUNDED,
    LETTER,
    NO_BUDGET,
    PARTIAL,
    PRINTED,
    STACK_COLUMNS,
    STACK_HEADERS,
    StackLayout,
)
from opplan.render.xlsx.fastcells import Shared, enable, set_height
from opplan.render.xlsx.rowcells import formula_cell, number_cell, put_cells, text_cell
from opplan.render.xlsx.stackform import colours, legend, validation
from opplan.render.xlsx.stackrows import RowFacts, row_facts
from opplan.report.records import NodeReport, Report
from opplan.report.reviewkeys import (
    COL_ASK,
    COL_DECISION,
    COL_NOTE,
    COL_PARTIAL_COST,
    COL_PARTIAL_HC,
    COL_RANK,
    ReviewValues,
)

__all__ = ["STACK_HEADERS", "StackLayout", "legend", "stack_sheet"]
_DECIDING = ("fund", "partial", "cut", "defer")


def _formulas(node_id: str, first: int, last: int) -> dict[str, str]:
    """Each formula column's formula as a format string of the row ``{r}``.

    ``[Header]`` is that column's cell in the row, ``[[Header]]`` the whole column.
    """
    mine = ",".join(f'LOWER(TRIM([{COL_DECISION}]))="{d}"' for d in _DECIDING)
    partial_hc = (
        '=IF([Requested headcount]=0,[Requested headcount],IF([Partial headcount]<>"",'
        '[Partial headcount],IF(AND([Partial cost]<>"",[Requested cost]>0),'
        "ROUND([Requested headcount]*[Partial cost]/[Requested cost],2),[Requested headcount])))"
    )
    partial_cost = (
        '=IF([Partial cost]<>"",ROUND([Partial cost],2),IF(AND([Partial headcount]<>"",'
        "[Requested headcount]>0),ROUND([Requested cost]*[Partial headcount]"
        "/[Requested headcount],2),[Requested cost]))"
    )
    by_heads_run = "ROUND([Requested run rate]*[Partial headcount]/[Requested headcount],2)"
    partial_run = (
        '=IF([Partial cost]<>"",IF([Requested cost]>0,'
        "ROUND([Requested run rate]*ROUND([Partial cost],2)/[Requested cost],2),"
        f'IF(AND([Partial headcount]<>"",[Requested headcount]>0),{by_heads_run},'
        'ROUND([Partial cost],2))),IF(AND([Partial headcount]<>"",[Requested headcount]>0),'
        f"{by_heads_run},[Requested run rate]))"
    )

    def amount(partial: str, requested: str, below: str) -> str:
        return (
            f'=IF([Decision here]="partial",{partial[1:]},'
            f'IF([Decision here]<>"",[{requested}],[{below}]))'
        )

    used = (
        '=IF([Live]=0,"",IF([Forced]=1,{forced},ROUND({forced}+SUMIFS([[{col}]],[[Forced]],0,'
        '[[Live]],1,[[Order key]],"<="&[Order key]),{digits})))'
    )
    fits = (
        f'AND(OR({BUDGET_HC}="",[Budget used headcount]<={BUDGET_HC}),'
        f'OR({BUDGET_COST}="",[Budget used cost]<={BUDGET_COST}))'
    )
    table = {
        "Decision here": f'=IF(OR({mine}),LOWER(TRIM([{COL_DECISION}])),"")',
        "In effect": '=IF([Decision here]<>"",[Decision here],[Decision below]&"")',
        "Forced": '=IF(OR([In effect]="fund",[In effect]="partial"),1,0)',
        "Live": '=IF(OR([In effect]="cut",[In effect]="defer"),0,1)',
        "Headcount": amount(partial_hc, "Requested headcount", "Below headcount"),
        "Cost": amount(partial_cost, "Requested cost", "Below cost"),
        "Run rate": amount(partial_run, "Requested run rate", "Below run rate"),
        "Order key": (
            '=IF([Live]=0,"",IF([Order group]<1000000000000,[Order group],[Order group]'
            "+COUNTIFS([[Order group]],[Order group],[[List]],[List],[[Live]],1,"
            '[[Place in list]],"<"&[Place in list])*1000000+[List]))'
        ),
        "Position": '=IF([Live]=0,"",COUNTIFS([[Live]],1,[[Order key]],"<="&[Order key]))',
        "Budget used headcount": used.format(forced=FORCED_HC, col="Headcount", digits=6),
        "Budget used cost": used.format(forced=FORCED_COST, col="Cost", digits=2),
        "Status": (
            '=IF([Live]=0,IF([In effect]="cut","cut","deferred"),IF([Forced]=1,'
            f'IF([In effect]="partial","{PARTIAL}","{BY_DECISION}"),'
            f'IF(AND({BUDGET_HC}="",{BUDGET_COST}=""),"{NO_BUDGET}",'
            f'IF({fits},"{FUNDED}","{BELOW}"))))'
        ),
        "Decided by": f'=IF([Decision here]<>"","{node_id}",[Decided below by]&"")',
        "Funded": (
            f'=IF(OR([Status]="{FUNDED}",[Status]="{PARTIAL}",[Status]="{BY_DECISION}"),1,0)'
        ),
        "Below key": f'=IF([Status]="{BELOW}",[Order key],"")',
        "Line key": f'=IF([Status]="{FUNDED}",[Order key],"")',
        "Last above": '=IF([Line key]="",0,IF([Line key]=MAX([[Line key]]),1,0))',
    }
    return {name: _compile(text, first, last) for name, text in table.items()}


def _compile(text: str, first: int, last: int) -> str:
    """``[[Header]]`` as an absolute column range and ``[Header]`` as the row's cell."""
    for name, letter in LETTER.items():
        text = text.replace(f"[[{name}]]", f"${letter}${first}:${letter}${last}")
        text = text.replace(f"[{name}]", f"{letter}{{r}}")
    assert "[" not in text, text
    return text


def stack_sheet(ws: Worksheet, report: Report, node: NodeReport) -> StackLayout:
    """One row per ask of the node's view (live, then removed), formulas of the review cells."""
    enable(ws)  # the largest sheet, never read back: its cells are written as text (fastcells)
    header_row(ws, 1, STACK_HEADERS)
    facts = row_facts(report, node)
    first, last = 2, max(len(facts) + 1, 2)
    formulas = [
        (COL[name], _shared(f, COL[name], first, last), _style(name))
        for name, f in _formulas(node.id, first, last).items()
    ]
    widths = _widths(facts)
    own = node.decisions
    for r, f in enumerate(facts, start=first):
        values = ReviewValues.of(own.get(f.ask))
        _row(ws, r, f, values, formulas)
        set_height(
            ws,
            r,
            row_height(
                (f.ask, widths[0]), (f.title, widths[1]), (values.note, widths[COL[COL_NOTE] - 1])
            ),
        )
    set_widths(ws, widths)
    set_height(ws, 1, row_height(*zip(STACK_HEADERS, widths, strict=True)))
    validation(ws, last)
    colours(ws, last)
    for col in range(FIRST_HELPER, len(STACK_COLUMNS) + 1):
        ws.column_dimensions[get_column_letter(col)].outline_level = 1
        ws.column_dimensions[get_column_letter(col)].hidden = True
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(STACK_COLUMNS))}{last}"
    ws.print_area = f"A1:{get_column_letter(PRINTED)}{last}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    return StackLayout(first, len(facts) + 1)


def _shared(template: str, col: int, first: int, last: int) -> Shared | str:
    """A formula column as one shared formula (written once for the whole column), when
    every row reads it back as its own formula: each reference in it to the row itself
    moves with the row, and nothing else does (a spreadsheet moves every relative reference
    of a shared formula); else the format string, written in each row."""
    shared = Shared(template, last)
    letter = get_column_letter(col)
    top = shared.at(first)
    moved = [shared.at(r) for r in (first + 1, last)]
    if not formulaic(top) or not all(map(formulaic, moved)):
        return template
    translator = Translator(top, f"{letter}{first}")
    if [translator.translate_formula(f"{letter}{r}") for r in (first + 1, last)] != moved:
        return template
    return shared


def _row(
    ws: Worksheet,
    r: int,
    f: RowFacts,
    values: ReviewValues,
    formulas: list[tuple[int, Shared | str, str]],
) -> None:
    """The cells of one Stack row; ``formulas``: each formula column's ``(col, formula,
    style)``, a format string of the row ``{r}`` where it is not shared."""
    below, requested = f.below, f.requested
    cells = [
        text_cell(_ASK, f.ask, "text-plain"),
        text_cell(_TITLE, f.title, "text-plain"),
        text_cell(_DECISION, values.decision, "review-text"),
        number_cell(_PARTIAL_HC, values.headcount, "review-num"),
        number_cell(_PARTIAL_COST, values.cost, "review-money"),
        number_cell(_RANK, values.rank, "review-int"),
        text_cell(_NOTE, values.note, "review-text"),
    ]
    texts = (f.below_decision, f.below_by, f.node, f.source, f.approved)
    cells += map(text_cell, _TEXT_COLUMNS, texts, repeat("text-plain"))
    numbers: tuple[Decimal | int, ...] = (
        *(requested.headcount, requested.cost, requested.run_rate),
        *(below.headcount, below.cost, below.run_rate),
        *(f.group, f.list_no, f.place),
    )
    cells += map(number_cell, _NUMBER_COLUMNS, numbers, _NUMBER_STYLES)
    cells += [
        formula_cell(col, formula if isinstance(formula, Shared) else formula.format(r=r), style)
        for col, formula, style in formulas
    ]
    put_cells(ws, r, cells)


_KIND = {name: kind for name, kind, _ in STACK_COLUMNS}


def _style(name: str) -> str:
    kind = _KIND[name]
    return kind if kind.startswith("review") else f"{kind}-plain"


# the columns of a row's cells (:func:`_row`), in the order they are written
_ASK, _TITLE, _DECISION, _NOTE = COL[COL_ASK], COL["Title"], COL[COL_DECISION], COL[COL_NOTE]
_PARTIAL_HC, _PARTIAL_COST, _RANK = COL[COL_PARTIAL_HC], COL[COL_PARTIAL_COST], COL[COL_RANK]
_TEXT_COLUMNS = tuple(
    COL[name] for name in ("Decision below", "Decided below by", "Node", "From", "Approved plan")
)
_NUMBER_NAMES = (
    *("Requested headcount", "Requested cost", "Requested run rate"),
    *("Below headcount", "Below cost", "Below run rate"),
    *("Order group", "List", "Place in list"),
)
_NUMBER_COLUMNS = tuple(COL[name] for name in _NUMBER_NAMES)
_NUMBER_STYLES = tuple(_style(name) for name in _NUMBER_NAMES)


def _widths(facts: list[RowFacts]) -> list[float]:
    sample = facts[:500]
    fitted = {
        COL_ASK: text_width((f.ask for f in sample), COL_ASK, high=22),
        "Title": text_width((f.title for f in sample), "Title", high=28),
        "Node": text_width((f.node for f in sample), "Node", high=24),
        "From": text_width((f.source for f in sample), "From", high=24),
    }
    return [fitted.get(name, width) for name, _kind, width in STACK_COLUMNS]
