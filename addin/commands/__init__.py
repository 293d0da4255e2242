"""Sub-commands of ``medpay``: one module per command (or command group), each with
``register(subparsers)``. Shared argument helpers live in ``_common``.

Each command module imports what its ``run()`` needs inside ``run()``, not at module level
(the only function-level imports of addin modules left in the package): the parser imports
every command module to list them, so module-level imports would load the readers, the
writers and their libraries before ``medpay --help`` can answer. Measured on the 2-core
dev machine: ``medpay --help`` 0.15 s with the commands' imports in ``run()``, 0.26 s with
them at module level."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

from addin import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medpay",
        description=(
            "MedPay Performance, Progression and Pay (PPP) tools: check Career Progression "
            "Framework workbooks, validate managers' level estimates, cost pay changes, "
            "generate and read back the Word forms, and run the MedPay team's batch."
        ),
        epilog="Run 'medpay COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"medpay {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback when something goes wrong")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"addin.commands.{info.name}")
        module.register(sub)
    return parser
