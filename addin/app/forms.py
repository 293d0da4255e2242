"""Make Word forms from a level-estimate workbook (``medpay forms KIND`` and the Excel
buttons that generate forms)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from addin.app.inputs import load_frameworks, load_pay
from addin.office.docx.forms import Made, generate_forms
from addin.office.xlsx.estimates import read_estimates


def forms_from_estimates(kind: str, estimates_path: str | Path, *,
                         framework_paths: Sequence[str | Path] | None = None,
                         pay_ranges: str | Path | None = None, as_of: dt.date | None = None,
                         out_dir: str | Path, force: bool = False, pdf: bool = False,
                         templates: Path | None = None) -> list[Made]:
    """The whole "forms from a level-estimate workbook" job, as ``medpay forms KIND`` and
    the Excel buttons Generate application/appraisal forms both run it: read the pay
    ranges (:func:`addin.office.xlsx.settings.read_pay_settings`; None = the shipped workbook), the
    frameworks (None = every shipped one) and the estimates, then :func:`addin.office.docx.forms.generate_forms`.
    ``as_of`` None means today."""
    pay = load_pay(pay_ranges)
    frameworks = load_frameworks(framework_paths)
    read = read_estimates(estimates_path, frameworks=frameworks)
    return generate_forms(kind, read.rows, frameworks=frameworks, pay=pay,
                          as_of=as_of or dt.date.today(), out_dir=Path(out_dir), force=force,
                          pdf=pdf, templates=templates, read=read)
