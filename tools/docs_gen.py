"""Generate the blocks of ``docs/`` that are written from the code, not by hand.

Each generated block sits between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` in a
docs page and is rewritten by ``scripts/gen_docs``; ``tests/test_docs.py`` fails while any
block differs from what the generators below give now ("run scripts/gen_docs").

* ``docs/reference/commands.md``, block ``commands``: every ``medpay`` command and nested
  sub-command (``forms``, ``template estimates``, ``render framework``, ...) with its
  usage line, description and every argument's help text, from the argparse parsers
  :func:`addin.commands.build_parser` builds - the parsers the CLI itself runs, so the
  page cannot miss a command or an option.
* ``docs/reference/finding-codes.md``, blocks ``codes`` and ``framework-rules``: the
  finding codes and the framework rules, from their declarations
  (:mod:`tools.codes_table`).
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from addin.commands import build_parser
from tools.codes_table import codes_markdown, eligibility_reasons_markdown, framework_rules_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
COMMANDS_PAGE = DOCS / "reference" / "commands.md"
CODES_PAGE = DOCS / "reference" / "finding-codes.md"
RULES_PAGE = DOCS / "reference" / "rules.md"

# A width no usage line reaches, so each usage is one line whatever the terminal is.
_WIDE = 10_000


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """The sub-parsers of ``parser``, in the order the CLI lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _walk(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every parser below it, depth first, sub-commands sorted by name."""
    yield parser
    for _name, child in sorted(_subcommands(parser), key=lambda item: item[0]):
        yield from _walk(child)


def _local(text: str) -> str:
    """Help text with this checkout's absolute path taken out (``--pay-ranges``' default
    names the shipped workbook where this checkout has it), so the page is the same in
    every checkout."""
    return text.replace(f"{ROOT}{os.sep}", "")


def _cell(text: str) -> str:
    return " ".join(_local(text).split()).replace("|", "\\|")


def _usage(parser: argparse.ArgumentParser) -> str:
    fmt = argparse.HelpFormatter(parser.prog, width=_WIDE)
    fmt.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, prefix="")
    return " ".join(fmt.format_help().split())


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    fmt = argparse.HelpFormatter(parser.prog, width=_WIDE)
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue  # every command has -h/--help (the page says so once); hidden options
        if isinstance(action, argparse._SubParsersAction):
            names = ", ".join(f"`{name}`" for name, _p in _subcommands(parser))
            rows.append(f"| `{action.metavar or action.dest}` | one of {names} (below) |")
            continue
        invocation = fmt._format_action_invocation(action)
        help_text = fmt._expand_help(action) if action.help else ""
        if action.choices is not None:
            help_text = f"one of {', '.join(f'`{c}`' for c in action.choices)}: {help_text}"
        if action.required and action.option_strings:
            help_text = f"(required) {help_text}"
        rows.append(f"| `{invocation}` | {_cell(help_text)} |")
    if not rows:
        return []
    return ["| argument | what it does |", "| --- | --- |", *rows]


def commands_markdown(parser: argparse.ArgumentParser | None = None) -> str:
    """The commands reference: one section per command and nested sub-command, each with
    its usage line, description and arguments, from the CLI's own parsers."""
    parser = parser or build_parser()
    out: list[str] = []
    for p in _walk(parser):
        if out:
            out.append("")
        out += [f"### `{p.prog}`", "", "```", _usage(p), "```"]
        if p.description:
            out += ["", " ".join(_local(p.description).split())]
        args = _arguments(p)
        if args:
            out += ["", *args]
        if p.epilog:
            out += ["", " ".join(_local(p.epilog).split())]
    return "\n".join(out)


def blocks() -> dict[Path, dict[str, Callable[[], str]]]:
    """Every generated block: page -> block name -> the function that writes it."""
    return {
        COMMANDS_PAGE: {"commands": commands_markdown},
        CODES_PAGE: {"codes": codes_markdown, "framework-rules": framework_rules_markdown},
        RULES_PAGE: {"eligibility-reasons": eligibility_reasons_markdown},
    }


def begin(name: str) -> str:
    return f"<!-- BEGIN {name} -->"


def end(name: str) -> str:
    return f"<!-- END {name} -->"


def read_block(text: str, name: str) -> str | None:
    """The body of block ``name`` in ``text`` (stripped), or None when it has no markers."""
    m = re.search(re.escape(begin(name)) + r"\n?(.*?)" + re.escape(end(name)), text, flags=re.S)
    return None if m is None else m.group(1).strip()


def replace_block(text: str, name: str, body: str) -> str:
    if read_block(text, name) is None:
        raise ValueError(f"no {begin(name)} ... {end(name)} markers")
    block = f"{begin(name)}\n{body}\n{end(name)}"
    return re.sub(re.escape(begin(name)) + r".*?" + re.escape(end(name)), lambda _m: block, text,
                  flags=re.S)


def stale_blocks() -> list[str]:
    """``page: block`` for every generated block that is not what its generator gives now."""
    stale = []
    for page, named in blocks().items():
        text = page.read_text(encoding="utf-8") if page.exists() else ""
        for name, make in named.items():
            if read_block(text, name) != make().strip():
                stale.append(f"{page.relative_to(ROOT)}: {name}")
    return stale


def update_docs() -> list[Path]:
    """Rewrite every generated block; return the pages that changed."""
    changed = []
    for page, named in blocks().items():
        text = page.read_text(encoding="utf-8")
        new = text
        for name, make in named.items():
            new = replace_block(new, name, make().strip())
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed.append(page)
    return changed
