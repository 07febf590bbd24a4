"""Which keys of its context a template may read, so that a context is made only of those.

A template reads a key of its context only by naming it (``{{ totals.flat.cost }}``,
``{% for row in stack %}``), or through a lookup or filter that reads the context itself:
``ask()`` reads ``stack`` and ``removed``, ``child()`` reads ``children`` and ``money``
reads ``cycle`` (:data:`opplan.narrative.helpers.READS`,
:data:`opplan.narrative.filters.READS`). A template that includes, imports or extends
another may read whatever that one names: it is given every key.

The names are read from the template's syntax tree: every name it uses, also those it only
sets (a key made for nothing costs time, never a different text).
"""

from __future__ import annotations

import weakref

from jinja2 import Environment, Template, TemplateError, nodes

from opplan.narrative import filters, helpers

#: What a template with these nodes may read cannot be told from its own text.
_OPAQUE = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)

_NAMES: weakref.WeakKeyDictionary[Template, frozenset[str] | None] = weakref.WeakKeyDictionary()


def names_read(tree: nodes.Template) -> frozenset[str] | None:
    """The keys of its context a template (its syntax tree) may read; None for every key."""
    if next(tree.find_all(_OPAQUE), None) is not None:
        return None
    used = {name.name for name in tree.find_all(nodes.Name)}
    for helper, reads in helpers.READS.items():
        if helper in used:
            used.update(reads)
    used.update(filters.READS)
    return frozenset(used)


def remember(template: Template, names: frozenset[str] | None) -> None:
    """Keep what ``template`` reads: :func:`names_read` of the tree it was compiled from
    (read before compiling it: jinja's optimizer may rewrite the tree)."""
    _NAMES[template] = names


def context_names(template: Template) -> frozenset[str] | None:
    """The keys of its context ``template`` may read (None: every key). A template not
    compiled through :func:`remember` (one of the search path) is parsed again, once."""
    if template in _NAMES:
        return _NAMES[template]
    env: Environment = template.environment
    names = None
    if env.loader is not None and template.name is not None:
        try:  # the file as jinja compiled it (a file changed or gone since: every key)
            if template.is_up_to_date:
                source = env.loader.get_source(env, template.name)[0]
                names = names_read(env.parse(source, template.name, template.filename))
        except (TemplateError, OSError, RecursionError):
            names = None
    _NAMES[template] = names
    return names
