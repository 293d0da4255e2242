"""Sub-commands of ``medpay``: one module per command (or command group), each with
``register(subparsers)``. Shared argument helpers live in ``_common``."""
