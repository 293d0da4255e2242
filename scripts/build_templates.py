#!/usr/bin/env python3
"""(Re)build the default Word templates in templates/.

Each template has one builder function, listed in BUILDERS (file name -> builder taking
the output path). The templates are committed; HR may restyle them in Word, so this
script never replaces an existing template unless asked (--force, or --only NAME).

    .venv/bin/python scripts/build_templates.py            # build the missing ones
    .venv/bin/python scripts/build_templates.py --force    # rebuild all
    .venv/bin/python scripts/build_templates.py --only framework.docx --force

Owners: framework.docx - framework publishing (addin/office/docx/framework_render.py); forms
templates - add their builders to BUILDERS below.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from addin.office.resources import templates_dir  # noqa: E402


def build_framework(path: Path) -> Path:
    """templates/framework.docx: the published framework (per role title, range, duties
    and the A/B/C grid with a repeated header row)."""
    from addin.office.docx.framework_render import build_framework_docx_template

    return build_framework_docx_template(path)


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "framework.docx": build_framework,
}


def _forms_builders() -> dict[str, Callable[[Path], Path]]:
    """Forms and letters templates (tools/form_templates.py)."""
    from tools.form_templates import BUILDERS as FORMS

    return FORMS


BUILDERS.update(_forms_builders())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the default Word templates in templates/.")
    ap.add_argument("--only", action="append", choices=sorted(BUILDERS), metavar="NAME",
                    help="build only this template (repeatable)")
    ap.add_argument("--force", action="store_true", help="replace templates that exist")
    ap.add_argument("--out-dir", type=Path, default=None,
                    help="write into this folder instead of templates/")
    args = ap.parse_args(argv)
    out_dir = args.out_dir or templates_dir()
    for name in args.only or sorted(BUILDERS):
        target = out_dir / name
        if target.exists() and not args.force:
            print(f"{target} exists (kept; --force to rebuild)")
            continue
        BUILDERS[name](target)
        print(f"built {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
