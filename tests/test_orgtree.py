"""The org tree is the directory tree (SPEC 2)."""

from __future__ import annotations

import os

from files import SEARCH, cycle


def test_hidden_and_templates_and_plain_directories_are_ignored(tmp_path, check_lines):
    cycle(
        tmp_path,
        **{
            ".git/x/plan.yaml": "junk: [",
            "templates/x/plan.yaml": "junk: [",
            "acme/docs/notes.txt": "not a node",
        },
    )
    assert check_lines(tmp_path) == []


def test_gap_in_the_tree(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/search/plan.yaml": None, "acme/search/index/plan.yaml": SEARCH})
    assert check_lines(tmp_path) == [
        "acme/search:1:1: error: directory 'acme/search' has no plan.yaml but holds nodes "
        "below it (a gap in the tree) [tree-gap]",
        # the node below the gap is kept (attached to acme) and checked; its id is 'index':
        "acme/search/index/plan.yaml:10:6: error: dependency 'cart/D1' is on 'search', not "
        "on index [reference]",
        "acme/shop/cart/plan.yaml:18:14: error: unknown node 'search' [reference]",
    ]


def test_node_id_used_twice(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/shop/search/plan.yaml": "name: S2\nowner: X\n"})
    assert check_lines(tmp_path) == [
        "acme/shop/search/plan.yaml:1:1: error: node id 'search' is used twice (also at "
        "acme/search) [duplicate-node]"
    ]


def test_bad_node_id(tmp_path, check_lines):
    cycle(tmp_path, **{"acme/Shop_2/plan.yaml": "name: S2\nowner: X\n"})
    assert check_lines(tmp_path) == [
        "acme/Shop_2/plan.yaml:1:1: error: 'Shop_2' is not a valid node id (the directory "
        "name): use 1 to 63 lowercase letters, digits and '-', starting with a letter or a digit "
        "(e.g. sign-in or team-2); rename the directory [bad-id]"
    ]


def test_symlink_leaving_the_cycle(tmp_path, check_lines):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "plan.yaml").write_text("name: Evil\nowner: X\n")
    base = cycle(tmp_path / "c")
    os.symlink(outside, base / "acme" / "evil")
    os.symlink(outside / "plan.yaml", base / "acme" / "search" / "narrative.md")
    assert check_lines(base) == [
        f"acme/evil:1:1: error: symlink leaves the cycle directory (points to {outside}) [symlink]",
        "acme/search/narrative.md:1:1: error: symlink leaves the cycle directory (points to "
        f"{outside / 'plan.yaml'}) [symlink]",
    ]


def test_symlink_inside_the_cycle_is_followed_once(tmp_path, check_lines):
    base = cycle(tmp_path)
    os.symlink(base / "acme", base / "acme" / "search" / "loop")
    assert check_lines(base) == []


def test_two_roots_need_root_key(tmp_path, check_lines):
    cycle(tmp_path, **{"other/plan.yaml": "name: O\nowner: X\n"})
    assert check_lines(tmp_path)[0] == (
        "cycle.yaml:1:1: error: 2 node directories under the cycle directory (acme, other); "
        "name the root with 'root:' [tree]"
    )


def test_root_key_picks_the_root(tmp_path, check_lines):
    from files import CYCLE

    cycle(
        tmp_path, **{"cycle.yaml": CYCLE + "root: acme\n", "other/plan.yaml": "name: O\nowner: X\n"}
    )
    assert check_lines(tmp_path) == [
        "other/plan.yaml:1:1: error: node directory 'other' is outside the root 'acme' [tree]"
    ]


def test_plan_yaml_that_is_a_directory(tmp_path, check_lines):
    base = cycle(tmp_path, **{"acme/search/plan.yaml": None})
    (base / "acme" / "search" / "plan.yaml").mkdir(parents=True)
    assert check_lines(tmp_path) == [
        "acme/search/plan.yaml:1:1: error: plan.yaml is not a file [io]",
        "acme/shop/cart/plan.yaml:18:14: error: unknown node 'search' [reference]",
    ]
