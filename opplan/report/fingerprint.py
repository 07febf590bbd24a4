"""What each node's documents are made of, as one digest per node.

A node's documents print its :class:`NodeReport` and read, beyond it, only these parts of
the report: its children's reports (the children's rows, summaries and goals), the asks and
decisions of its subtree (a workbook row's fingerprint), the root's rows of the asks in its
stack and removed list (each ask's status in the approved plan), the names of nodes (paths,
dependency parties, deciders) and the cycle (``CycleInfo``, the root). So the digest of a node
is the hash of

* the hash of its whole subtree (a Merkle tree: one edit changes the hashes of that node and
  its ancestors only): its *record digest*, then the subtree hashes of its children. A record
  digest is the hash of the node's own record (every field of it and of everything it holds,
  but for what the subtree hash holds already: see below) and of the root's rows of the node's
  own asks. A node's stack and removed list hold only asks of its subtree, so the root's rows
  of every ask it shows are in its subtree hash;
* with ``build --since``, the label of the older version and the node's own changes;
* what every document shares (:func:`shared_digest`: the cycle, the root, every node's name,
  and whatever the caller adds: templates, versions, formats).

A change of anything a document prints changes its digest; a change elsewhere in the org
(a sibling's plan, a cousin's narrative) does not. Records are hashed by their ``repr``: every
record of the report is a frozen dataclass or a pydantic record whose ``repr`` shows every
field, exactly (Decimal, date, str), in a deterministic order; the only fields it leaves out
are a plan record's source position (``source``, and a source's ``keypos``), which place
diagnostics and are never printed in a document.

A stack row of an ask from further down the subtree shows only what this node's view decides
(:func:`view_text`): the fields a row takes from the ask as written (:data:`ASK_FIELDS`: its
owner and the owner's name, title, summary, goals, mandate, dependencies and deferral) are the
same in every view, and they are in the subtree hash already, in the owner's own record (its
``asks``, every field of each ask as written) and the names of :func:`shared_digest`. A
manager's stack repeats every ask below it, so this halves the text hashed (157 MB instead of
324 MB for the 323,669 stack rows of a 10,000-team org, 1.4 s instead of 2.6 s). The rows of
the node's own asks are shown whole; its asks as written (``asks``) as their JSON, which holds
every field but the source position, as ``repr`` does (0.24 s instead of 0.57 s for 55,513
asks).

Showing records by ``repr`` is six times faster than a walk of the records in Python (3 s
instead of 20 s for the 2,363 nodes of a 2,000-team org). Record digests are the bulk of the
work, and each is computed on its own, so a caller may spread them over processes
(:func:`record_digests`). The views of a subtree share its hire rows (the same objects):
:func:`record_text` shows each once per call, and gives the very text of ``repr`` but for
the stack rows from below (a test compares them), so that fast path never changes a digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Any

from opplan.model import NodeId, ask_ref
from opplan.report.money import Hiring
from opplan.report.records import NodeReport, Report, StackRow


def digest(*parts: Any) -> str:
    """The SHA-256 (hex) of the ``repr`` of ``parts``."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def shared_digest(report: Report, extra: Iterable[Any] = ()) -> str:
    """What every node's documents share: the cycle, the root, each node's id and name
    (in report order), and ``extra`` (the caller's templates, versions and formats)."""
    names = [(nid, node.name) for nid, node in report.nodes.items()]
    return digest(report.cycle, report.root, names, tuple(extra))


def record_digests(report: Report, nodes: Iterable[NodeId]) -> list[str]:
    """The record digest of each node, in order: ``digest(node, rows)`` of its own record
    (all of :class:`NodeReport`) and the root's rows (stack and removed) of its own asks,
    with :func:`record_parts` for ``repr(node)``, hashed part by part (a manager's record
    is megabytes of text: one string of it, then its bytes, would be two more copies)."""
    approved, cut = report.approved_rows, report.removed_rows
    shown: dict[int, str] = {}
    out: list[str] = []
    for nid in nodes:
        node = report.nodes[nid]
        refs = [ask_ref(nid, ask) for ask in node.asks]
        rows = [(approved.get(r), cut.get(r)) for r in refs]
        sha = hashlib.sha256(b"(")  # the text of repr((node, rows))
        for part in record_parts(node, shown):
            sha.update(part.encode())
        sha.update(f", {rows!r})".encode())
        out.append(sha.hexdigest())
    return out


#: The fields ``repr`` shows, in its order.
_NODE_FIELDS = tuple(f.name for f in fields(NodeReport) if f.repr)
_HIRING_FIELDS = tuple(f.name for f in fields(Hiring) if f.repr)


def record_text(node: NodeReport, shown: dict[int, str]) -> str:
    """``repr(node)``, but for each stack row of an ask from below (its :func:`view_text`)
    and the asks as written (their JSON), showing each hire row once: ``shown`` keeps the
    text of every row shown so far by its ``id`` (the caller keeps the rows alive meanwhile,
    e.g. in the report, so an ``id`` is never reused for another row)."""
    return "".join(record_parts(node, shown))


def record_parts(node: NodeReport, shown: dict[int, str]) -> Iterator[str]:
    """The text of :func:`record_text` in parts: one per field, and each item of a tuple
    of several (a list of rows) on its own; the stack row of an ask from below as its
    :func:`view_text`."""
    yield f"{type(node).__qualname__}("
    sep = ""
    own = node.id
    for name in _NODE_FIELDS:
        value = getattr(node, name)
        if name == "stack":
            yield f"{sep}stack=("
            for row in value:
                yield repr(row) + ", " if row.node == own else view_text(row)
            yield ")"
        elif name == "asks":  # each ask as its JSON (every field but its source): 2.4x faster
            yield f"{sep}asks={{"
            for ask_id, ask in value.items():
                yield f"{ask_id!r}: {ask.model_dump_json()}, "
            yield "}"
        elif type(value) is tuple and len(value) > 1:  # repr: "(a, b)"; "(a,)" for one
            yield f"{sep}{name}=("
            comma = ""
            for item in value:
                yield f"{comma}{item!r}"
                comma = ", "
            yield ")"
        else:
            text = _hiring_text(value, shown) if type(value) is Hiring else repr(value)
            yield f"{sep}{name}={text}"
        sep = ", "
    yield ")"


#: The fields of a stack row that it takes from the ask as written, the same in every view:
#: the owner's record and the names hold them (:func:`view_text` leaves them out).
ASK_FIELDS = frozenset(
    ("node", "node_name", "title", "summary", "goals", "mandate", "depends_on", "deferred_in")
)


def view_text(r: StackRow) -> str:
    """The text of a stack row without its :data:`ASK_FIELDS`: every other field, in order,
    each as its ``repr`` (an amount as its three decimals), ended by a separator that no
    ``repr`` holds (\\x1f between fields, \\x1e after the row), so no two rows give one text.
    A test checks that each field but those changes the text."""
    q, a, c, u = r.requested, r.amount, r.cumulative, r.used
    return (
        f"{r.position}\x1f{r.ask!r}\x1f{q.headcount}\x1f{q.cost}\x1f{q.run_rate}"
        f"\x1f{a.headcount}\x1f{a.cost}\x1f{a.run_rate}\x1f{r.status!r}\x1f{r.forced}"
        f"\x1f{r.decision!r}\x1f{r.decided_by!r}\x1f{r.rank!r}\x1f{r.note!r}"
        f"\x1f{c.headcount}\x1f{c.cost}\x1f{c.run_rate}\x1f{r.child!r}\x1f{r.child_status!r}"
        f"\x1f{r.at_risk}\x1f{r.child_removed!r}\x1f{r.approved!r}\x1f{r.approved_by!r}"
        f"\x1f{u.headcount}\x1f{u.cost}\x1f{u.run_rate}\x1f{r.approved_decision!r}\x1e"
    )


def _hiring_text(hiring: Hiring, shown: dict[int, str]) -> str:
    """``repr(hiring)``, each of its rows shown once (:func:`record_text`)."""
    parts = []
    for name in _HIRING_FIELDS:
        value = getattr(hiring, name)
        if name != "rows" or type(value) is not tuple:
            parts.append(f"{name}={value!r}")
            continue
        texts = []
        for row in value:
            text = shown.get(id(row))
            if text is None:
                text = shown[id(row)] = repr(row)
            texts.append(text)
        comma = "," if len(texts) == 1 else ""  # a tuple of one
        parts.append(f"rows=({', '.join(texts)}{comma})")
    return f"{type(hiring).__qualname__}({', '.join(parts)})"


def node_digests(
    report: Report, top: NodeId, shared: str, records: dict[NodeId, str] | None = None
) -> dict[NodeId, str]:
    """The digest of every node in the subtree of ``top``, given :func:`shared_digest`
    and, when the caller computed them, :func:`record_digests` by node."""
    order = report.subtree(top)
    if records is None:
        ids = [n.id for n in order]
        records = dict(zip(ids, record_digests(report, ids), strict=True))
    below: dict[NodeId, str] = {}
    for node in reversed(order):  # children before their parent
        below[node.id] = digest(records[node.id], [below.get(c) for c in node.children])
    changes = report.changes  # build --since: each document prints its own node's changes
    return {
        node.id: digest(
            shared,
            below[node.id],
            None if changes is None else (changes.label, changes.nodes.get(node.id)),
        )
        for node in order
    }
