"""The ``medpay`` command line. ``python -m addin`` behaves the same.

Each sub-command lives in its own module under :mod:`addin.commands` and exposes
``register(subparsers)``; :func:`addin.commands.build_parser` discovers them, so adding a
command is adding a module. Errors a file can cause become one line and exit status 2; ``--debug`` shows
the traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

from addin.commands import build_parser
from addin.core.errors import MedpayError


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        result = args.func(args)
        return int(result or 0)
    except MedpayError as exc:
        if debug:
            traceback.print_exc()
        print(f"medpay: {exc.one_line()}", file=sys.stderr)
        return exc.exit_status
    except BrokenPipeError:
        # output piped into `head` and closed early: not an error for the user
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("medpay: interrupted; outputs already written are complete, nothing half-written was kept",
              file=sys.stderr)
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # never a traceback for a user (incl. a Rust panic in a reader)
        if debug:
            traceback.print_exc()
        print(f"medpay: unexpected error: {type(exc).__name__}: {str(exc)[:300]} "
              "(rerun with --debug for the traceback and report it to the MedPay team)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
