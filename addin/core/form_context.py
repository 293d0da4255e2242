"""What goes into each Word form and letter: pure functions from records to a template
context (a dict of the placeholders the templates in ``templates/`` use).

No Word types here. Dates that land in date pickers are ``dd/mm/yyyy``
(:data:`addin.core.ukdates.UK_DATE`, as Word's date pickers show them); dates in sentences are written out
("1 June 2025"). Money is Decimal, shown to the penny. Every date the policy sets comes
from :mod:`addin.core.paycalendar` with the Settings of the pay-ranges workbook.

Policy (shared/seeds/001):

* Appendix F - Application for Career Progression: Part 1 employee details, evidence
  against the framework criteria, Part 2 line manager, authorisation, and "Once approved
  this completed form should be uploaded on Service Desk by the line manager by 1 June or
  1 December" (filled in with the actual next deadline).
* Appendix B - appraisal header; "Agreed Dates for next conversations ... 3 months,
  6 months, 9 months, 12 months".
* Appendix D - personal development plan: Name, Job role, Year.
* Appendix K, stage 9 "Implementation and Pay Forms" - the Initial Assessment form: "It
  is very important that every member of staff has a meeting to discuss where they are
  being assessed at within the CPF ... please return the Initial Assessment form(s), that
  will be provided to you, to record the assessment outcome. At all levels a personal
  development plan (PDP) may be put in place".
* 7.19-7.21 (approval, effective January/July, never backdated; feedback on the areas to
  develop; "the earliest an individual can submit another request is the next window"),
  7.24-7.25 (appeal to the Head of Service or Grandparent within five working days of
  receipt of notification: counted from the letter's date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from addin.core import paycalendar
from addin.core.model import (
    CRITERIA,
    LEVELS,
    CouncilDetails,
    Criterion,
    EstimateRow,
    Level,
    PaySettings,
    Role,
)
from addin.core.money import format_gbp
from addin.core.text import norm_key
from addin.core.ukdates import uk_date

MISSING_TEXT = "(not found in the framework: see your Career Progression Framework)"


def picker_date(d: dt.date | None) -> str:
    """A date as a date picker shows it (dd/mm/yyyy); '' when unknown."""
    return uk_date(d)


def long_date(d: dt.date | None) -> str:
    """'1 June 2025' ('' when unknown)."""
    return f"{d.day} {d.strftime('%B %Y')}" if d else ""


def money(value: Decimal) -> str:
    """£24,500.00 - rounded half-up to the penny here, at the end (addin.core.money)."""
    return format_gbp(value)


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def range_level(range_: int | None, level: Level | None) -> str:
    """The policy's shorthand '3A' (Appendix F: "Current Range and level (e.g. 3A / 5B)")."""
    if level is None:
        return ""
    return f"{range_ if range_ is not None else ''}{level.value}"


def _s(value: object) -> str:
    return "" if value is None else str(value)


def council_context(council: CouncilDetails | None = None) -> dict[str, str]:
    """``council_name``: printed in every form's header (the Settings row "Council
    name"; :class:`addin.core.model.CouncilDetails` default when None)."""
    return {"council_name": (council or CouncilDetails()).name}


def _common(row: EstimateRow, council: CouncilDetails | None = None) -> dict[str, Any]:
    return {
        **council_context(council),
        "employee_id": _s(row.employee_id),
        "employee_name": _s(row.employee_name),
        "job_title": _s(row.job_title),
        "directorate": _s(row.directorate),
        "team": _s(row.team),
        "manager_name": _s(row.manager),
    }


def _extra(row: EstimateRow, *names: str) -> object:
    wanted = {norm_key(n) for n in names}
    for k, v in row.extra.items():
        if norm_key(k) in wanted:
            return v
    return None


def application_context(row: EstimateRow, role: Role | None, framework_name: str,
                        pay: PaySettings, as_of: dt.date) -> dict[str, Any]:
    """Appendix F for one employee asking to progress to ``row.estimated_level``."""
    level = row.estimated_level
    effective = paycalendar.next_effective_date(as_of, pay)
    deadline = paycalendar.submission_deadline(effective, pay)
    ctx = _common(row, pay.settings.council)
    team_location = ", ".join(x for x in (row.team, row.directorate) if x)
    prev_date = row.previous_request  # the "Previous request date" column (7.21)
    prev = _extra(row, "Previous request")
    ctx.update({
        "team_location": team_location,
        "framework_name": framework_name or _s(row.framework),
        "date_commenced": picker_date(row.start_date),
        "current_range_level": range_level(row.range, row.current_level),
        "level_requested": range_level(row.range, level),
        "previous_request": "Yes" if prev_date else (_s(prev) if _s(prev) in ("Yes", "No") else ""),
        "previous_request_date": picker_date(prev_date) if isinstance(prev_date, dt.date) else "",
        "probation_passed": yes_no(row.probation_passed),
        "upload_deadline": long_date(deadline),
        "effective_date": long_date(effective),
        "grandparent_manager": _s(_extra(row, "Grandparent manager", "Grandparent", "Authoriser",
                                         "Authorising manager")),
    })
    ctx.update(framework_criteria(role, level))
    return ctx


def framework_criteria(role: Role | None, level: Level | None) -> dict[str, str]:
    """``framework_qualifications`` ... ``framework_skills``: the framework's requirement
    for each criterion (Appendix H) at ``level``, printed beside the evidence boxes of the
    application and the Initial Assessment form (:data:`MISSING_TEXT` when not found)."""
    return {f"framework_{crit.value.lower()}":
            (role.text(level, crit) if (role is not None and level is not None) else "") or MISSING_TEXT
            for crit in CRITERIA}


def appraisal_context(row: EstimateRow, as_of: dt.date, *,
                      council: CouncilDetails | None = None) -> dict[str, Any]:
    """Appendix B: header details, the next conversations at 3/6/9/12 months and when
    the end-of-year review falls (6.14: February or March)."""
    ctx = _common(row, council)
    for months, d in zip(paycalendar.CONVERSATION_MONTHS, paycalendar.conversation_dates(as_of)):
        ctx[f"next_conversation_{months}m"] = picker_date(d)
    start, end = paycalendar.next_end_of_year_appraisal(as_of)  # 6.14
    ctx["end_of_year_review"] = f"{start:%B}-{end:%B} {end.year}"
    return ctx


def pdp_context(row: EstimateRow, as_of: dt.date, *,
                council: CouncilDetails | None = None) -> dict[str, Any]:
    """Appendix D: Name, Job role, Year (the plan covers the next 12 months)."""
    ctx = _common(row, council)
    ctx["year"] = f"{as_of.year}/{(as_of.year + 1) % 100:02d}"
    return ctx


# ----------------------------------------------------------------------------- initial assessment

ASSESSED_LEVELS: tuple[str, ...] = tuple(level.value for level in LEVELS)
"""The choices of the Initial Assessment's ``assessed_level`` drop-down: A, B, C (7.14)."""

INITIAL_ASSESSMENT_FIELDS: dict[str, str] = {
    "employee_id": "employee ID",
    "employee_name": "name",
    "job_title": "job title",
    "team": "team",
    "framework": "framework",
    "range": "range",
    "current_level": "current level",
    "current_salary": "current salary",
    "estimated_level": "estimated level",
}
"""The estimates fields the Initial Assessment form prints (field -> as the form calls
it): an error in one of these cells means no form for the row."""

INITIAL_ASSESSMENT_REQUIRED: tuple[str, ...] = (
    "employee_id", "employee_name", "job_title", "range", "current_level", "current_salary",
    "estimated_level")
"""Of those, the ones the form cannot do without (team and framework may be blank: the
framework is the role's own)."""


def initial_assessment_blockers(row: EstimateRow, errors_at: Mapping[str, Sequence[str]]) -> list[str]:
    """Why ``row`` gets no Initial Assessment form; empty: it gets one.

    Appendix K, stage 9: "It is very important that every member of staff has a meeting
    to discuss where they are being assessed at within the CPF" - so every employee row
    gets a form, eligible for progression or not. The only rows left out are those the
    form would print wrongly: an error (``errors_at``: A1 cell -> the error messages
    validate-estimates gives there) in a cell of :data:`INITIAL_ASSESSMENT_FIELDS`
    (reported as ``"<cell>: <message>"``), or a value of
    :data:`INITIAL_ASSESSMENT_REQUIRED` that is unknown (its column missing, a range the
    frameworks cannot tell). Safer reading: a form with a wrong ID, level or salary is
    worse than a form the index says to make again once the row is corrected."""
    out: list[str] = []
    for fld, label in INITIAL_ASSESSMENT_FIELDS.items():
        cell = row.cells.get(fld)
        if cell and errors_at.get(cell):
            out.extend(f"{cell}: {message}" for message in errors_at[cell])
        elif fld in INITIAL_ASSESSMENT_REQUIRED and getattr(row, fld) in (None, ""):
            out.append(f"the {label} is not known; the form prints it, so fill it in and run again")
    return out


def initial_assessment_context(row: EstimateRow, role: Role | None, framework_name: str, *,
                               council: CouncilDetails | None = None) -> dict[str, Any]:
    """Appendix K, stage 9: the Initial Assessment form on which the manager records the
    assessment outcome of the meeting with the employee. Pre-filled (and content-locked
    in the template): the employee's details, the framework, the current range and
    level, the current salary (full-time annual, as in the estimates) and the manager's
    stage 8 estimate; beside each evidence box the framework's requirement at the
    estimated level (:func:`framework_criteria`). ``manager_name`` pre-fills the
    editable manager's name from the estimates."""
    ctx = _common(row, council)
    level = row.estimated_level
    ctx.update({
        "framework_name": framework_name or _s(row.framework),
        "current_range_level": range_level(row.range, row.current_level),
        "estimated_range_level": range_level(row.range, level),
        "estimated_level_title": level.title if level is not None else "",
        "current_salary": money(row.current_salary) if row.current_salary is not None else "",
    })
    ctx.update(framework_criteria(role, level))
    return ctx


# ----------------------------------------------------------------------------- letters

APPROVED = "Approved"
DECLINED = "Declined"


@dataclass
class Decision:
    """One row of the decisions workbook (docs/reference/workbooks.md, *Decisions workbook*)."""

    employee_id: str
    employee_name: str
    decision: str
    """'Approved' or 'Declined'."""
    decision_date: dt.date
    range: int
    new_level: Level
    current_level: Level | None = None
    job_title: str = ""
    team: str = ""
    framework: str = ""
    areas: list[Criterion] = field(default_factory=list)
    """Declined: the criteria not yet met (empty = all four)."""
    feedback: str = ""
    appeal_to: str = ""
    signatory: str = ""
    submitted: dt.date | None = None
    row: int = 0
    file: str = ""
    sheet: str = ""
    decision_date_cell: str = ""
    """Where the decision date was read (for warnings that name file, sheet and cell)."""


DEFAULT_APPEAL_TO = "your Head of Service (or Grandparent manager where applicable)"
"""7.24: "The employee has the right to appeal to their Head of Service (or Grandparent
manager where applicable)"."""


_TITLE_WORDS = ("head of", "grandparent", "director", "assistant director", "service manager",
                "strategic service manager", "chief", "deputy", "manager")


def appeal_to_text(appeal_to: str) -> str:
    """To whom to appeal, as it reads in "appeal in writing to ...": a bare job title
    from the decisions workbook ("Head of Service") takes "the" ("the Head of Service");
    a name ("Jo Bloggs, Head of Service") or a phrase that already has its article or
    possessive ("your Head of Service") is kept as written. Blank: 7.24's wording."""
    text = " ".join((appeal_to or "").split())
    if not text:
        return DEFAULT_APPEAL_TO
    low = text.lower()
    if low.startswith(_TITLE_WORDS):
        return "the " + text
    return text


def letter_reference(d: Decision) -> str:
    """The letter's reference: employee ID and decision date ("E1002/2025-12-03"), so a
    reply or an appeal quoting it finds the decision row."""
    return f"{d.employee_id}/{d.decision_date.isoformat()}"


def _letterhead(council: CouncilDetails, d: Decision) -> dict[str, Any]:
    """The letterhead and signature (Settings rows, :class:`CouncilDetails`): the
    decision's own "Signed by" when it names someone (then no job title is printed: the
    Settings' title is the default signatory's), else the Settings' signatory and title."""
    own = " ".join((d.signatory or "").split())
    return {
        "council_name": council.name,
        "council_address": council.address,
        "appeals_contact": council.appeals_contact,
        "signatory": own or council.signatory_name,
        "signatory_job_title": "" if own else council.signatory_job_title,
        "reference": letter_reference(d),
    }


APPEAL_MARK = "Career progression appeal"


def appeal_how(council: CouncilDetails, appeal_to: str) -> str:
    """How to send the written appeal of policy 7.25 ("The appeal must be made in writing
    to the Head of Service or Grandparent (as applicable)"): to ``appeal_to`` (as
    :func:`appeal_to_text` words it) by email to the appeals contact when it is an email
    address, or by post to the council's address; a contact that is not an email address
    (a telephone number) is given as where to ask for help. The Settings rows "Appeals
    contact" and "Council address" (:class:`CouncilDetails`)."""
    contact = " ".join(council.appeals_contact.split())
    post = f"by post to {appeal_to}, {council.name}, {council.address}"
    if "@" in contact:
        return (f"Send your appeal by email to {contact}, or {post}, marked "
                f"\"{APPEAL_MARK}\".")
    help_ = f" If you need help to make your appeal, contact {contact}." if contact else ""
    return f"Send your appeal {post}, marked \"{APPEAL_MARK}\".{help_}"


def _letter_common(d: Decision, as_of: dt.date, council: CouncilDetails | None = None) -> dict[str, Any]:
    return {
        **_letterhead(council or CouncilDetails(), d),
        "employee_id": d.employee_id,
        "employee_name": d.employee_name,
        "job_title": d.job_title,
        "team": d.team,
        "job_and_team": ", ".join(x for x in (d.job_title, d.team) if x),
        "framework_name": d.framework,
        "letter_date": long_date(as_of),
        "decision_date": long_date(d.decision_date),
        "current_range_level": range_level(d.range, d.current_level),
        "new_range_level": range_level(d.range, d.new_level),
        "new_level_title": d.new_level.title,
    }


STALE_DECISION_DAYS = 90
"""A letter dated more than this many days after its decision is warned about (not a
policy figure: a letter that late is more likely a wrong date or ``--as-of`` than a real
delay, and its effective date / next window have moved on)."""


def letter_date_warnings(d: Decision, letter_date: dt.date) -> list[str]:
    """Warnings for a letter dated ``letter_date`` on decision ``d`` (the command line
    prints them; the letter is still written): a decision more than
    :data:`STALE_DECISION_DAYS` days before the letter, or after it."""
    age = (letter_date - d.decision_date).days
    if age > STALE_DECISION_DAYS:
        return [(f"{d.employee_id}: decision dated {long_date(d.decision_date)} is {age} days "
                 f"before the letter date {long_date(letter_date)} (more than {STALE_DECISION_DAYS}): "
                 "check the decision date, or pass --as-of the date the letter is sent")]
    if age < 0:
        return [(f"{d.employee_id}: decision dated {long_date(d.decision_date)} is after the "
                 f"letter date {long_date(letter_date)}: check the decision date, or pass --as-of "
                 "the date the letter is sent")]
    return []


def approved_letter_context(d: Decision, pay: PaySettings, as_of: dt.date) -> dict[str, Any]:
    """7.19-7.20: new level, new salary (pay point of the range and level, 7.14) and the
    effective date: the first pay change date whose deadline is on or after both the
    submission and the decision, never before the letter's date (``as_of``), never
    backdated (:func:`addin.core.paycalendar.approval_effective_date`)."""
    ctx = _letter_common(d, as_of, pay.settings.council)
    salary = pay.pay_point(d.range, d.new_level)
    effective = paycalendar.approval_effective_date(d.submitted or d.decision_date, d.decision_date,
                                                    pay, letter_date=as_of)
    ctx.update({
        "new_salary": money(salary),
        "effective_date": long_date(effective),
        "pro_rata_note": "If you work part time, your pay is this salary pro rata to your hours.",
    })
    return ctx


def declined_letter_context(d: Decision, role: Role | None, pay: PaySettings,
                            as_of: dt.date) -> dict[str, Any]:
    """7.21 and 7.24-7.25: areas to develop (the framework's text for the requested
    level), the next window (after the one the request was submitted for, and never one
    already closed on the letter's date ``as_of``), the appeal deadline in working days
    and to whom to appeal."""
    ctx = _letter_common(d, as_of, pay.settings.council)
    after = d.submitted or d.decision_date
    nxt = paycalendar.next_window(after, pay, letter_date=as_of)
    areas = d.areas or list(CRITERIA)
    ctx.update({
        "areas": [{"criterion": c.value,
                   "text": (role.text(d.new_level, c) if role is not None else "") or MISSING_TEXT}
                  for c in areas],
        "feedback": d.feedback,
        "next_window": long_date(nxt),
        "next_window_deadline": long_date(paycalendar.submission_deadline(nxt, pay)),
        "resubmission_opens": long_date(paycalendar.resubmission_opens(after, pay, letter_date=as_of)),
        "appeal_to": appeal_to_text(d.appeal_to),
        "appeal_how": appeal_how(pay.settings.council, appeal_to_text(d.appeal_to)),
        # 7.25: "within five working days of receipt of notification" - the letter is the
        # notification, so the days run from the date printed on it (``as_of``)
        "appeal_deadline": long_date(paycalendar.appeal_deadline(as_of, pay)),
        "appeal_days": str(pay.settings.appeal_working_days),
    })
    return ctx


def wants_application(row: EstimateRow, eligible: bool) -> bool:
    """Application forms go to those eligible and estimated above their current level."""
    cur, est = row.current_level, row.estimated_level
    return eligible and cur is not None and est is not None and est.rank > cur.rank

