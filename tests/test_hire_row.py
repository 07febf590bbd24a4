"""The fast HireRow builder the roll-up uses for every funded position group gives exactly
the dataclass constructor's record (as the stack row builder does, test_report_closed.py)."""

from __future__ import annotations

import dataclasses
import inspect

from opplan.report.money import HireRow, hire_row


def test_hire_row_builder_takes_every_field_of_the_record_required_and_in_order():
    params = inspect.signature(hire_row).parameters
    assert list(params) == [f.name for f in dataclasses.fields(HireRow)]
    assert all(p.default is inspect.Parameter.empty for p in params.values())


def test_hire_row_builder_gives_the_constructors_record():
    values = [f"v{i}" for i in range(len(dataclasses.fields(HireRow)))]
    built = hire_row(*values)  # type: ignore[arg-type]
    assert built == HireRow(*values)  # type: ignore[arg-type]
    assert vars(built) == vars(HireRow(*values))  # type: ignore[arg-type]
    assert hash(built) == hash(HireRow(*values))  # type: ignore[arg-type]
