"""medpay: the MedPay Performance, Progression and Pay (PPP) scheme in the Office files HR uses.

The package is layered:

* pure, typed domain core (``model``, ``calendar``, ``eligibility``, ``costing``,
  ``parsing``) with no Excel or Word in it;
* readers and writers at the edges (``xlsx``, ``frameworks``, ``estimates``,
  ``feedback``, ``forms``) that turn Office files into domain records and back;
* thin front ends over the same functions: the ``medpay`` CLI (``addin.cli``) and the
  xlwings add-in (``addin.excel``).
"""

__version__ = "0.1.0"
