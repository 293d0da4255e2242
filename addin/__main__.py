"""``python -m addin`` behaves exactly like the ``medpay`` console script."""

import sys

from addin.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    sys.exit(main())
