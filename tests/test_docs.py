"""The README and docs/: the generated blocks are current, the README stays short and
links every docs page, and every relative link and anchor inside docs/ resolves."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import pytest

from addin.commands import build_parser
from tests.conftest import ROOT
from tools import docs_gen

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return [m.group(1) for m in LINK.finditer(text)]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, flags=re.M)}


def test_every_generated_block_in_docs_is_current():
    assert docs_gen.stale_blocks() == [], "run scripts/gen_docs"


def test_the_generated_blocks_have_their_markers_once():
    for page, named in docs_gen.blocks().items():
        text = page.read_text(encoding="utf-8")
        for name in named:
            assert text.count(docs_gen.begin(name)) == 1, (page, name)
            assert text.count(docs_gen.end(name)) == 1, (page, name)


def test_commands_markdown_renders_usage_description_and_every_argument():
    # A parser built by hand, so the expected page is written out here in full: a nested
    # sub-command, a required option, a hidden option, a %(default)s help and a pipe.
    parser = argparse.ArgumentParser(prog="tool", description="Does   things.", epilog="See more.")
    parser.add_argument("--debug", action="store_true", help="traceback")
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND", required=True)
    group = sub.add_parser("make", help="make things", description="Make one thing.")
    inner = group.add_subparsers(dest="what", metavar="WHAT", required=True)
    p = inner.add_parser("box", help="a box", description="Write a box | or two.")
    p.add_argument("--out", metavar="DIR", required=True, help="where to write")
    p.add_argument("--size", type=int, default=3, help="edge length (default %(default)s)")
    p.add_argument("--secret", help=argparse.SUPPRESS)
    p.add_argument("name", help="the box's name")
    p.add_argument("--kind", choices=["wood", "card"], metavar="KIND", help="what it is made of")
    assert docs_gen.commands_markdown(parser) == "\n".join([
        "### `tool`", "", "```", "tool [-h] [--debug] COMMAND ...", "```", "",
        "Does things.", "",
        "| argument | what it does |", "| --- | --- |",
        "| `--debug` | traceback |",
        "| `COMMAND` | one of `make` (below) |", "",
        "See more.", "",
        "### `tool make`", "", "```", "tool make [-h] WHAT ...", "```", "",
        "Make one thing.", "",
        "| argument | what it does |", "| --- | --- |",
        "| `WHAT` | one of `box` (below) |", "",
        "### `tool make box`", "", "```", "tool make box [-h] --out DIR [--size SIZE] [--kind KIND] name", "```", "",
        "Write a box | or two.", "",
        "| argument | what it does |", "| --- | --- |",
        "| `--out DIR` | (required) where to write |",
        "| `--size SIZE` | edge length (default 3) |",
        "| `name` | the box's name |",
        "| `--kind KIND` | one of `wood`, `card`: what it is made of |",
    ])


def _all_parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_commands_reference_has_every_command_and_option_of_the_cli():
    page = (DOCS / "reference" / "commands.md").read_text(encoding="utf-8")
    progs = [p.prog for p in _all_parsers(build_parser())]
    # the commands the hand-kept README table missed, and the nested ones
    for prog in ("medpay demo", "medpay forms", "medpay template estimates",
                 "medpay template framework", "medpay render framework", "medpay framework show"):
        assert prog in progs
    for parser in _all_parsers(build_parser()):
        section = page.split(f"### `{parser.prog}`\n", 1)[1].split("\n### ", 1)[0]
        for action in parser._actions:
            if action.help in (None, argparse.SUPPRESS) or isinstance(action, argparse._HelpAction):
                continue
            for opt in action.option_strings:
                assert f"`{opt}" in section, (parser.prog, opt)
    # one checkout's absolute path never leaks into the page (--pay-ranges' default)
    assert str(ROOT) not in page
    assert "(default: workbooks/pay-ranges.xlsx)" in page


def test_readme_is_short_and_links_every_docs_page():
    text = README.read_text(encoding="utf-8")
    assert len(text) < 12_000
    linked = {(README.parent / link.split("#")[0]).resolve() for link in _links(README)
              if not link.startswith(("http://", "https://"))}
    missing = [str(p.relative_to(ROOT)) for p in PAGES if p.resolve() not in linked]
    assert missing == [], "link these docs pages from the README"
    # the two commands stay exactly as .ci/run and the brief give them
    assert "```sh\nbash scripts/demo\n```" in text
    assert "```sh\nbash scripts/test\n```" in text


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for link in _links(page):
        if link.startswith(("http://", "https://", "mailto:")):
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(link)
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(link)
    assert broken == []


# `a/b.py`-like paths the pages name in backticks, under the folders of the checkout
_PATH = re.compile(r"`((?:addin|tools|scripts|tests|workbooks|templates|docs)/[\w./ -]*[\w/])`")


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_path_a_page_names_exists(page):
    text = page.read_text(encoding="utf-8")
    missing = [m for m in _PATH.findall(text) if not (ROOT / _in_checkout(m)).exists()]
    assert missing == []


def _in_checkout(path: str) -> str:
    """A wheel's ``addin/_shipped/workbooks`` and ``.../templates`` are the checkout's
    ``workbooks/`` and ``templates/`` (pyproject.toml's package-dir maps them)."""
    for folder in ("workbooks", "templates"):
        if path.startswith(f"addin/_shipped/{folder}"):
            return path.removeprefix("addin/_shipped/")
    return path


_DOTTED = re.compile(r"\baddin(?:\.[A-Za-z_]\w*)+")


def _resolves(dotted: str) -> bool:
    """``addin.a.b.name``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_addin_module_or_function_a_page_names_exists(page):
    # e.g. addin.core.costing.is_honoured, addin.office.xlsx.safe.read_ooxml_bytes: a page
    # left naming a module from before the layered layout fails here
    text = page.read_text(encoding="utf-8")
    assert [d for d in sorted(set(_DOTTED.findall(text))) if not _resolves(d)] == []
