"""The narrative-style policy: each writing rule at its exact line and column."""

from __future__ import annotations

import textwrap

import pytest

from opplan.check.style import check_text

LONG = " ".join(["word"] * 31) + "."


def problems(text: str, **kwargs: object) -> list[str]:
    return [
        f"{s.line}:{s.col}: {m}" for s, m in check_text(textwrap.dedent(text), "n.md", **kwargs)
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # bullets: only in a Goals section; numbered lists are allowed; appendix is free
        ("## Goals\n\n- one\n- two\n", []),
        ("## Goals for 2027\n\n- one\n", []),
        (
            "## Plan\n\n- one\n",
            [
                "3:1: bullet list in the 'Plan' section: the body is prose; "
                "bullets belong only in a Goals section"
            ],
        ),
        (
            "Intro.\n\n- one\n",
            [
                "3:1: bullet list in the body: the body is prose; "
                "bullets belong only in a Goals section"
            ],
        ),
        ("## Tenets\n\n1. First.\n2. Second.\n", []),
        ("# Appendix\n\n- fine\n", []),
        # sentences over 30 words, at the sentence's first word
        (f"Short. {LONG}\n", ["1:8: sentence of 31 words, more than 30: split it"]),
        ("One " + " ".join(["w"] * 29) + ".\n", []),
        ("We reached 95 ms. " + " ".join(["w"] * 25) + ".\n", []),
        (
            "E.g. this counts as one sentence " + " ".join(["w"] * 25) + ".\n",
            ["1:1: sentence of 31 words, more than 30: split it"],
        ),
        # weasel words, multi-word phrases, any case, in emphasis
        (
            "Latency fell\n**significantly** this year.\n",
            ["2:3: weasel word 'significantly': say what and how much, with a number"],
        ),
        (
            "Nearly all sellers agree.\n",
            ["1:1: weasel word 'nearly all': say what and how much, with a number"],
        ),
        # acronyms: defined either way round, before use; known ones pass
        ("We keep the lights on (KTLO). KTLO takes 2 heads.\n", []),
        ("KTLO (keep the lights on) takes 2 heads.\n", []),
        (
            "KTLO takes 2 heads. Keep the lights on (KTLO) is on-call.\n",
            [
                "1:1: acronym 'KTLO' is used before it is defined: write it out at first use, "
                "e.g. 'words (KTLO)'"
            ],
        ),
        (
            "Two SDEs join. One SDE leaves.\n",
            [
                "1:5: acronym 'SDE' is used before it is defined: write it out at first use, "
                "e.g. 'words (SDE)'"
            ],
        ),
        ("The FAQ and the OP1 and the API.\n", []),
        ("## Keep the lights on (KTLO)\n\nKTLO is 2 heads.\n", []),
        ("Use `SQL` and `XYZ` in code.\n", []),
        ("We grow {{ totals.flat.headcount }} heads by {{ x | percent }}.\n", []),
        ("| HC | Team |\n|--|--|\n| 1 | significantly |\n", []),
    ],
)
def test_rules(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_words_override_the_default_list() -> None:
    text = "Latency fell significantly and quickly.\n"
    assert problems(text, weasel=("quickly",)) == [
        "1:32: weasel word 'quickly': say what and how much, with a number"
    ]


def test_acronyms_setting_adds_known_ones() -> None:
    assert problems("PCI scope grows.\n", known=("PCI",)) == []
    assert problems("PCI scope grows.\n")[0].startswith("1:1: acronym 'PCI'")


def test_lines_are_lines_of_the_source_with_jinja_blocks() -> None:
    text = "{% if x %}\nFirst.\n{% endif %}\n\n## Plan\n\n- bullet\n"
    assert problems(text) == [
        "7:1: bullet list in the 'Plan' section: the body is prose; "
        "bullets belong only in a Goals section"
    ]
