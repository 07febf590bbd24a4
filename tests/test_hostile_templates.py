"""Issue 10, round 2: hostile templates and narratives get a clean error, in bounded time.

Each test names its case. A bomb runs through ``opplan check`` and ``opplan
build`` in a child process limited to 3 GB of address space (tests/hostile_run.py):
both exit 1 with the message at the narrative's file and line, within a
generous time bound, check writes nothing, and build writes the documents of
the nodes the narrative does not touch.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from files import cycle
from hostile_run import Ran, check_and_build

from opplan.cli import cli
from opplan.narrative import budget
from opplan.narrative.templating import TemplateError, compile_text, environment, render

NARRATIVE = "acme/shop/cart/narrative.md"
LINE = 5  # the line of the hostile text in narrative()
UNTOUCHED = ("acme.docx", "shop.docx", "cart.docx", "search.docx")  # no bomb in these
BOUND = 20.0  # seconds: a safety net for what used to hang, not a benchmark
LOOPS = "loops over more than 100,000 items in one template are refused; loop over fewer items"
TOO_LONG = "a text or list longer than 1,000,000 characters or items is refused; build shorter ones"


def narrative(text: str) -> str:
    return f"## Introduction\n\nThe team.\n\n{text}\n"


def snapshot(base: Path) -> dict[str, bytes]:
    return {str(p.relative_to(base)): p.read_bytes() for p in base.rglob("*") if p.is_file()}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def bombed(base: Path, bombs: dict[str, str], **files: str | bytes | None) -> tuple[Ran, Ran]:
    """Check and build the valid cycle plus one team per bomb under ``acme/lab``.

    Every bomb is the narrative of its own team, so one run shows each refused
    at its own file and line while the documents of acme, shop, cart and search
    (which no bomb reaches) are written. Check must write nothing.
    """
    lab: dict[str, str | bytes | None] = {"acme/lab/plan.yaml": "name: Lab\nowner: Lee Lab\n"}
    for team, text in bombs.items():
        lab[f"acme/lab/{team}/plan.yaml"] = f"name: Team {team}\nowner: Bo Mb\n"
        lab[f"acme/lab/{team}/narrative.md"] = narrative(text)
    root = cycle(base / "cycle", **lab, **files)
    before = snapshot(root)
    check, build = check_and_build(root, base / "out")
    assert snapshot(root) == before
    return check, build


def assert_refused(
    base: Path, check: Ran, build: Ran, messages: dict[str, str], line: int = LINE
) -> None:
    """Both commands exit 1, each team's message at its narrative's line, in bounded time."""
    for ran in (check, build):
        assert ran.code == 1, ran.output
        assert ran.seconds < BOUND, ran.seconds
        assert "internal error" not in ran.output and "Traceback" not in ran.output
        for team, message in messages.items():
            where = base / "cycle" / "acme" / "lab" / team / "narrative.md"
            assert f"{where}:{line}:1: error: {message} [template]" in ran.output, ran.output
    written = sorted(p.name for p in (base / "out").iterdir() if p.name != ".opplan-build.json")
    assert written == sorted(UNTOUCHED), written


# --- case 4: symlinks out of the cycle's templates ------------------------------------


def test_case_4_include_of_a_symlink_outside_the_cycle_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:secret\n")
    root = tmp_path / "cycle"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "passwd.md.j2").symlink_to(outside)
    check, build = bombed(tmp_path, {"peek": '{% include "passwd.md.j2" %}'})
    message = (
        "template 'passwd.md.j2' is a link to a file outside the cycle directory; "
        "copy the text into the cycle instead"
    )
    assert_refused(tmp_path, check, build, {"peek": message})
    assert "secret" not in check.output + build.output


def test_case_4_overridden_template_linking_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "stack.md.j2"
    outside.write_text("## Stack\n\nsecret\n")
    root = tmp_path / "cycle"
    (root / "templates" / "document").mkdir(parents=True)
    link = root / "templates" / "document" / "stack.md.j2"
    link.symlink_to(outside)
    code, output = run("check", "--pages", "off", str(cycle(root)))
    assert code == 1
    assert (
        f"{link}:1:1: error: template 'document/stack.md.j2' is a link to a file outside the "
        "cycle directory; copy the text into the cycle instead [template]"
    ) in output
    code, output = run("build", str(root), "--out", str(tmp_path / "out"), "--format", "docx")
    assert code == 1 and f"{link}:1:1: error: template 'document/stack.md.j2'" in output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_case_4_symlink_inside_the_cycle_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "cycle"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "note.md.j2").write_text("Shared words for {{ node.name }}.\n")
    (root / "templates").mkdir()
    (root / "templates" / "note.md.j2").symlink_to(root / "shared" / "note.md.j2")
    cycle(root, **{NARRATIVE: narrative('{% include "note.md.j2" %}')})
    assert run("check", "--pages", "off", str(root)) == (0, "0 errors, 0 warnings\n")
    code, output = run("build", str(root), "--out", str(tmp_path / "out"), "--format", "docx")
    assert code == 0, output


@pytest.mark.parametrize(
    "name, content, line, problem",
    [
        ("flat", b"## Flat\n\n\xfe\n", 3, "file is not UTF-8 (byte 0xfe)"),
        (
            "goals",
            b"x" * (5 * 1024 * 1024 + 1),
            1,
            "file is 5,242,881 bytes, more than the 5,242,880 allowed",
        ),
    ],
)
def test_case_4_template_files_are_read_like_narratives(
    tmp_path: Path, name: str, content: bytes, line: int, problem: str
) -> None:
    root = cycle(
        tmp_path,
        **{
            NARRATIVE: narrative('{% include "notes.md.j2" %}'),
            "templates/notes.md.j2": b"fine\n\xff\n",
            f"templates/document/{name}.md.j2": content,
        },
    )
    code, output = run("check", "--pages", "off", str(root))
    assert code == 1
    assert (
        f"{root / NARRATIVE}:{LINE}:1: error: template 'notes.md.j2' cannot be used: file is "
        "not UTF-8 (byte 0xff) [template]"
    ) in output
    assert (
        f"{root}/templates/document/{name}.md.j2:{line}:1: error: template "
        f"'document/{name}.md.j2' cannot be used: {problem} [template]"
    ) in output
    assert "internal error" not in output


# --- case 5: time bombs -----------------------------------------------------------------


TIME_BOMBS = {
    "strings": '{% for a in "x" * 100000 %}{% for b in "y" * 100000 %}{% endfor %}{% endfor %}',
    "lists": "{% for a in [0] * 99999 %}{% for b in [0] * 99999 %}{% endfor %}{% endfor %}",
    "dicts": '{% for a in ("xy" * 50000) | list %}{% for b in {"k": 1} %}{% endfor %}{% endfor %}',
    "filtered": '{% for a in ("x" * 99999) | map("upper") %}{% for b in a * 9 %}{% endfor %}'
    "{% endfor %}",
    "recursive": "{% for x in range(999) recursive %}{% if loop.depth < 4 %}"
    "{{ loop(range(999)) }}{% endif %}{% endfor %}",
    "macro": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
    "{{ f(40) }}",
    "lipsum": "{{ lipsum(n=1000000) }}",
    "nested-list": "{{ [[0] * 999999] * 999999 }}",
}


def test_case_5_time_bombs_are_refused_one_per_team(tmp_path: Path) -> None:
    check, build = bombed(tmp_path, TIME_BOMBS)
    messages = dict.fromkeys(TIME_BOMBS, LOOPS) | {"lipsum": TOO_LONG, "nested-list": TOO_LONG}
    assert_refused(tmp_path, check, build, messages)


def test_case_5_an_overridden_document_template_is_bounded(tmp_path: Path) -> None:
    bomb = "## Asks\n\n" + TIME_BOMBS["strings"] + "\n"
    root = cycle(tmp_path / "cycle", **{"templates/document/stack.md.j2": bomb})
    check, build = check_and_build(root, tmp_path / "out")
    expected = f"{root}/templates/document/stack.md.j2:3:1: error: {LOOPS} [template]"
    for ran in (check, build):
        assert ran.code == 1 and expected in ran.output, ran.output
        assert ran.seconds < BOUND


@pytest.mark.parametrize(
    "source, message",
    [
        ('{% for a in "x" * 99999 %}{{ loop.index }}{% endfor %}', None),
        (
            '{% set ns = namespace(s="") %}{% for i in range(99999) %}'
            '{% set ns.s = ns.s ~ "x" * 999 %}{% endfor %}',
            "builds more than 20,000,000 characters or items in one render",
        ),
        (
            "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
            "a macro or template that calls itself too deeply",
        ),
        (
            '{% for i in range(9999) %}{{ ("x" * 99999) | upper | length }}{% endfor %}',
            "builds more than 20,000,000 characters or items in one render",
        ),
        ("{{ [1] | batch(10**9, 'x') | list }}", "widths above 10,000"),
        ("{{ [1] | slice(10**9) | list }}", "widths above 10,000"),
        ("{{ '%*d' % (999999999, 1) }}", "`*` widths, are refused"),
        ("{{ ([[1]] * 50000) | sum(start=[]) | length }}", "adding up more than 1,000 lists"),
        ("{% set l = [] %}{{ l.append(1) }}", "access to attribute 'append'"),
        (
            "{% set t %}{% for i in range(99999) %}" + "x" * 300 + "{% endfor %}{% endset %}",
            "builds more than 20,000,000 characters or items in one render",
        ),
        (
            '{% macro m() %}{{ "x" * 9999 }}{% endmacro %}{% for i in range(9999) %}'
            "{% set y = m() %}{% endfor %}",
            "builds more than 20,000,000 characters or items in one render",
        ),
        ('{{ ("x" * 999999) | join("y" * 999999) }}', TOO_LONG),
        ('{{ {"a": 1} | join("y" * 999999) }}', None),
        ('{{ [1, 2, 3] | replace(",", "y" * 999999) }}', TOO_LONG),
    ],
    ids=[
        "loop-ok",
        "growing-text",
        "self-call",
        "work",
        "batch",
        "slice",
        "star",
        "sum",
        "append",
        "set-block",
        "macro-output",
        "join-text",
        "join-mapping",
        "replace-list",
    ],
)
def test_case_5_budget_covers_work_and_time(source: str, message: str | None) -> None:
    template = compile_text(environment(), source, "org/narrative.md")
    if message is None:
        assert render(template, {}).endswith(("99999", "a"))
        return
    with pytest.raises(TemplateError) as err:
        render(template, {})
    assert str(err.value).startswith("org/narrative.md:1: ") and message in str(err.value)


def test_case_5_every_render_has_a_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_SECONDS", 0.01)  # what takes 5 s on a slower machine
    source = "{% for i in range(99999) %}{{ (i | string) * 9 }}{% endfor %}"
    with pytest.raises(TemplateError) as err:
        render(compile_text(environment(), source, "org/narrative.md"), {})
    assert (
        str(err.value)
        == "org/narrative.md:1: a template that runs longer than 0.01 seconds is refused; "
        "simplify its loops"
    )


# --- case 6: memory bombs ---------------------------------------------------------------


MEMORY_BOMBS = {
    "str-replace": '{{ ("x" * 999999).replace("x", "y" * 999999) }}',
    "replace": '{{ ("x" * 999999) | replace("x", "yy") }}',
    "join": '{{ (["x" * 999999] * 999999) | join }}',
    "str-join": '{{ "-".join(["x" * 999999] * 999999) }}',
    "tilde": '{{ ("x" * 999999) ~ ("x" * 999999) }}',
    "plus": '{{ ("x" * 999999) + ("x" * 999999) }}',
    "doubling": '{% set ns = namespace(s="x") %}{% for i in range(40) %}'
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "indent": '{{ ("x\\n" * 500000) | indent("y" * 1000) }}',
}


def test_case_6_memory_bombs_are_sized_before_they_are_built(tmp_path: Path) -> None:
    check, build = bombed(tmp_path, MEMORY_BOMBS)
    assert_refused(tmp_path, check, build, dict.fromkeys(MEMORY_BOMBS, TOO_LONG))


# --- case 7: opplan's filters on the wrong input ------------------------------------------


def test_case_7_date_filter_on_a_text_is_a_plain_error(tmp_path: Path) -> None:
    check, build = bombed(tmp_path, {"dates": '{{ "x" | date }}'})
    assert_refused(tmp_path, check, build, {"dates": "the date filter needs a date, got 'x'"})


@pytest.mark.parametrize(
    "source, message",
    [
        ('{{ "x" | date }}', "the date filter needs a date, got 'x'"),
        ("{{ 5 | date }}", "the date filter needs a date, got 5"),
        ('{{ "x" | money }}', "the money filter needs a number, got 'x'"),
        ("{{ [1] | money(full=True) }}", "the money filter needs a number, got a list"),
        ("{{ (10 ** 30) | money }}", "the money filter needs a number below 1E+18"),
        ('{{ "nan" | money }}', "the money filter needs a finite number below 1E+18, got 'nan'"),
        ("{{ none | headcount }}", "the headcount filter got no value: none is not set"),
        ('{{ "many" | number }}', "the number filter needs a number, got 'many'"),
        ("{{ 1 | number(10 ** 6) }}", "the number filter prints 0 to 10 decimal places"),
        ("{{ {} | percent }}", "the percent filter needs a number, got a mapping"),
        ("{{ 1 | percent(-1) }}", "the percent filter prints 0 to 10 decimal places"),
        ('{{ "x" | plural("head") }}', "the plural filter needs a number, got 'x'"),
        ("{{ 3 | plural(5) }}", "the plural filter needs words as texts"),
        ("{{ 5 | join_and }}", "the join_and filter needs a list, got 5"),
        ('{{ "abc" | join_and }}', "the join_and filter needs a list, got 'abc'"),
        ("{{ ['a'] | join_and(3) }}", "the join_and filter needs a text as its last word"),
        ("{{ nothing | date }}", "'nothing' is undefined"),
    ],
)
def test_case_7_every_opplan_filter_checks_its_input(source: str, message: str) -> None:
    template = compile_text(environment(), "Intro\n" + source, "org/narrative.md")
    with pytest.raises(TemplateError) as err:
        render(template, {})
    assert str(err.value).startswith(f"org/narrative.md:2: {message}"), str(err.value)


# --- case 17: what check accepts, build renders -------------------------------------------


def test_case_17_a_narrative_over_the_output_limit_fails_check_too(tmp_path: Path) -> None:
    text = ("Plain words and no markup at all. " * 30 + "\n\n") * 1000  # 1,022,000 characters
    check, build = bombed(tmp_path, {"long": text})
    message = (
        "output longer than 1,000,000 characters is refused; shorten the text "
        "(a document holds at most that much)"
    )
    assert_refused(tmp_path, check, build, {"long": message}, line=1)


@pytest.mark.parametrize("pages", ["off", "estimate"])
def test_case_17_check_renders_templates_whatever_the_page_mode(tmp_path: Path, pages: str) -> None:
    root = cycle(tmp_path, **{NARRATIVE: narrative("{# a comment never closed")})
    code, output = run("check", "--pages", pages, str(root))
    assert code == 1
    assert f"{root / NARRATIVE}:{LINE}:1: error: Missing end of comment tag [template]" in output


def test_case_17_check_renders_overridden_templates_of_every_node(tmp_path: Path) -> None:
    stack = "## Asks\n\nThe first ask is {{ stack[0].title }}.\n"  # fails where there is none
    child = "### {{ child.name }}\n\n{{ child.totalz }}\n"
    root = cycle(
        tmp_path / "cycle",
        **{"templates/document/stack.md.j2": stack, "templates/document/child.md.j2": child},
    )
    code, output = run("check", "--pages", "off", str(root))
    assert code == 1
    for problem in (
        f"{root}/templates/document/stack.md.j2:3:1: error: list object has no element 0",
        f"{root}/templates/document/child.md.j2:3:1: error: child has no key 'totalz' (keys: id, "
        "name,",
    ):
        assert problem in output, output
    code, build_output = run("build", str(root), "--out", str(tmp_path / "out"), "--format", "docx")
    assert code == 1
    assert sorted(set(build_output.splitlines()) - {""}) == sorted(set(output.splitlines()) - {""})


def test_case_17_a_clean_cycle_with_overrides_checks_and_builds(tmp_path: Path) -> None:
    root = cycle(
        tmp_path / "cycle",
        **{
            "templates/document/stack.md.j2": "## Asks\n\n{{ stack | length }} asks.\n",
            "templates/document/appendix_stack.md.j2": "## All asks\n\n{{ node.name }}.\n",
        },
    )
    assert run("check", "--pages", "off", str(root)) == (0, "0 errors, 0 warnings\n")
    code, output = run("build", str(root), "--out", str(tmp_path / "out"), "--format", "docx")
    assert code == 0, output
    assert len([n for n in os.listdir(tmp_path / "out") if n != ".opplan-build.json"]) == 4


# --- expressions nested past what jinja's parser can follow (found by the fuzzer) -----------


@pytest.mark.parametrize("where", ["narrative", "overridden template"])
def test_brackets_nested_too_deeply_are_a_template_error(tmp_path: Path, where: str) -> None:
    """`{{{{{...` 300 deep made jinja's parser recurse past Python's limit: an internal
    error in check. It is an error at the file and the line of the deepest bracket."""
    deep = "{{" + "{" * 300
    if where == "narrative":
        root = cycle(tmp_path, **{NARRATIVE: narrative(deep)})
        expected = f"{root / NARRATIVE}:{LINE}:1"
    else:
        stack = "## Stack\n\nAsks.\n\n" + deep + "\n"
        root = cycle(tmp_path, **{"templates/document/stack.md.j2": stack})
        expected = f"{root}/templates/document/stack.md.j2:5:1"
    code, output = run("check", "--pages", "estimate", str(root))
    assert code == 1
    assert (
        f"{expected}: error: brackets nest too deeply in this expression to read it; "
        "simplify it [template]"
    ) in output
    assert "internal error" not in output


def test_a_number_too_large_for_a_float_is_a_template_error(tmp_path: Path) -> None:
    """Found by the fuzzer (FUZZ_SEED=11 FUZZ_ONLY=3255): jinja folds `1e400` to infinity and
    writes `inf` into the compiled template, an unknown name: an internal error in check."""
    root = cycle(tmp_path, **{NARRATIVE: narrative("{{ node.name - 1e400 }}")})
    code, output = run("check", "--pages", "estimate", str(root))
    assert code == 1
    assert (
        f"{root / NARRATIVE}:{LINE}:1: error: this number is too large; write a smaller one "
        "[template]"
    ) in output


@pytest.mark.parametrize(
    "expression", ['"{:>100000000}".format("x")', '"{x:>100000000}".format_map({"x": 1})']
)
def test_case_6_str_format_is_refused_before_it_builds(expression: str) -> None:
    """jinja hands out a sandboxed str.format before asking which attributes are safe, and
    its widths cannot be sized in advance: `"{:>1200000000}".format(x)` built 1.2 GB before
    the output cap refused it. The method is refused; the bounded `format` filter remains."""
    env = environment()
    template = compile_text(env, "{{ " + expression + " | length }}", "n.md")
    with pytest.raises(TemplateError, match=r"'format(_map)?' of 'str' object is unsafe") as info:
        render(template, {})
    assert str(info.value).endswith('Use the format filter instead: {{ "%8s" | format(value) }}.')
    assert render(compile_text(env, '{{ "%5s" | format("x") }}', "n.md"), {}) == "    x"
