#!/usr/bin/env python3
"""Generate the sample level-estimate submissions in ``workbooks/samples/`` (deterministic).

Four team submissions are filled in on the template ``medpay template estimates`` builds
from the shipped Business & Executive Support framework and pay ranges; a fifth is a
manager's own spreadsheet (a title row above the header, aliased headers, ranges and
levels written as "R3"/"3B", text dates, "50%" FTE, an extra column). They carry the
mistakes real submissions carry, so the demo and the README show every kind of feedback:

* regeneration-business-support.xlsx: a typo'd job title ("Buisness Support Officer"),
  text dates, an estimate below the current level (salary honoured), probation not passed,
  capability procedure with objectives not met;
* finance-business-support.xlsx: "50%" FTE, a casual contract;
* childrens-services-admin.xlsx: a missing salary, an estimate two levels up, and an
  employee ID (104518) that is also in finance-business-support.xlsx;
* chief-executives-office.xlsx: clean;
* public-health-support.xlsx: the hand-made layout above, with a salary above the top of
  its range.

Run: ``.venv/bin/python scripts/make_samples.py [--out DIR]``. The files are saved with a
fixed timestamp (``addin.office.determinism``) so re-running gives identical bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from addin.core.estimates_table import HEADERS  # noqa: E402
from addin.office.determinism import fixed_moment, save_workbook  # noqa: E402
from addin.office.resources import default_frameworks, samples_dir  # noqa: E402
from addin.office.xlsx.estimates_template import build_estimates_template  # noqa: E402
from addin.office.xlsx.frameworks import read_frameworks  # noqa: E402
from addin.office.xlsx.settings import read_pay_settings  # noqa: E402

MOMENT = fixed_moment(dt.date(2025, 2, 3))
D = dt.date
FIELDS = list(HEADERS)
BES = "Business and Executive Support"

# (id, name, job title, range, salary, fte, contract, start, probation, capability,
#  appraisal, date at level, current, estimated, notes)
TEAMS = {
    "finance-business-support.xlsx": dict(
        directorate="Finance and Business Improvement", team="Revenues and Benefits Support",
        manager="Helen Marsh",
        rows=[
            ("104233", "Zoë Ó Briain", "Business Support Officer", 3, 25584, 1, "Permanent",
             D(2021, 9, 6), "Yes", "No", "Met", D(2021, 9, 6), "A", "B", ""),
            ("104518", "Gareth Hughes", "Business Support Assistant", 2, 24404, "50%", "Permanent",
             D(2019, 4, 1), "Yes", "No", "Exceeded", D(2022, 4, 1), "B", "C", "Job share with L. Kowalska"),
            ("105002", "Priya Patel", "Business and Finance Support Officer", 3, 26967, 0.8,
             "Fixed term", D(2023, 1, 9), "Yes", "No", "Met", D(2023, 1, 9), "B", "B", ""),
            ("105377", "Tomasz Wiśniewski", "Business Support Assistant", 2, 23656, 0.6, "Casual",
             D(2024, 6, 3), "No", "No", "Met", D(2024, 6, 3), "A", "A", "Covers peak periods"),
            ("103981", "Margaret O'Connor", "Business Support Team Leader", 4, 31200, 1, "Permanent",
             D(2016, 2, 15), "Yes", "No", "Met", D(2020, 7, 1), "B", "C", ""),
        ],
    ),
    "regeneration-business-support.xlsx": dict(
        directorate="Regeneration, Culture and Environment", team="Planning Business Support",
        manager="Daniel Okafor",
        rows=[
            ("106114", "Siobhán McCarthy", "Buisness Support Officer", 3, 26967, 1, "Permanent",
             "14/03/2018", "Yes", "No", "Met", "1 Apr 2021", "B", "C", ""),
            ("106290", "Kwame Mensah",
             "Business Support Officer (with line management responsibilities)", 3, 28349, 1,
             "Permanent", D(2012, 10, 1), "Yes", "No", "Met", D(2019, 1, 7), "C", "B",
             "Line management duties reduced in 2024"),
            ("106455", "Emily Carter", "Business Support Assistant", 2, 23656, 1, "Permanent",
             "2024-10-07", "No", "No", "Met", "2024-10-07", "A", "B", "Started October"),
            ("106502", "Rhys Evans", "Business Support Officer", 3, 25584, 1, "Permanent",
             D(2022, 5, 3), "Yes", "Yes", "Not met", D(2022, 5, 3), "A", "B", "On an improvement plan"),
        ],
    ),
    "childrens-services-admin.xlsx": dict(
        directorate="Children and Adults Services", team="Children's Social Care Admin",
        manager="Sarah Whitfield",
        rows=[
            ("104518", "Aisha Begum", "Business Support Officer", 3, 26967, 1, "Permanent",
             D(2019, 8, 12), "Yes", "No", "Met", D(2021, 8, 2), "B", "C", ""),
            ("107010", "Aoife Byrne", "Personal Assistant", 3, None, 1, "Permanent",
             D(2020, 11, 2), "Yes", "No", "Exceeded", D(2020, 11, 2), "A", "C", "PA to the AD"),
            ("107155", "Mohammed Rahman", "Business Support Team Leader", 4, 29093, 1, "Permanent",
             D(2021, 3, 1), "Yes", "No", "Met", D(2021, 3, 1), "A", "B", ""),
            ("107203", "Łucja Kowalska", "Business Support Assistant", 2, 24404, 0.5, "Permanent",
             D(2020, 1, 6), "Yes", "No", "Met", D(2022, 1, 4), "B", "B", "Job share with G. Hughes"),
        ],
    ),
    "chief-executives-office.xlsx": dict(
        directorate="Chief Executive's Office", team="Executive Support", manager="Julian Ashworth",
        rows=[
            ("100871", "Renée Clarke", "Executive Assistant (to Chief Executive)", 6, 43918, 1,
             "Permanent", D(2017, 9, 4), "Yes", "No", "Exceeded", D(2021, 7, 1), "B", "C", ""),
            ("100902", "Dáithí Ó Sé", "Personal Assistant (to Chief Executive)", 5, 34314, 1,
             "Permanent", D(2023, 2, 13), "Yes", "No", "Met", D(2023, 2, 13), "A", "B", ""),
            ("101330", "Fatima Hussain", "Executive Assistant (to Director)", 5, 37137, 0.6,
             "Permanent", D(2019, 6, 17), "Yes", "No", "Met", D(2022, 1, 4), "B", "B", ""),
        ],
    ),
}

OWN_LAYOUT = "public-health-support.xlsx"
OWN_HEADERS = ["Emp ID", "Name", "Directorate", "Team", "Role", "Grade", "Salary", "FTE",
               "Contract", "Start date", "Probation", "Capability", "Appraisal",
               "Date at level", "Level now", "Estimate", "Line manager", "Comments",
               "Cost centre"]
OWN_ROWS = [
    ("108001", "Grace Thompson", "Public Health", "Health Improvement Support",
     "Business Support Officer", "R3", "£25,584.00", 1, "Permanent", "01/02/2022", "Y", "N",
     "Objectives met", "01/02/2022", "3A", "3B", "Nadia Rossi", "", "PH1040"),
    ("108014", "Chidi Okonkwo", "Public Health", "Health Improvement Support",
     "Business Support Assistant", 2, 24404, "50%", "Perm", "15 Aug 2019", "Y", "N",
     "Exceeded", "1 Sep 2021", "B", "C", "Nadia Rossi", "Mornings only", "PH1040"),
    ("108027", "Eleanor Wright", "Public Health", "Director's Office",
     "Executive Assistant (to Assistant Director)", "R4", 35000, 1, "Permanent", "2018-05-21",
     "Y", "N", "Met", "2018-05-21", "R4 B", "R4 C", "Nadia Rossi",
     "Salary includes market supplement", "PH1001"),
]


def team_workbook(frameworks, pay, team: dict):
    wb = build_estimates_template(frameworks, pay, rows=30)
    ws = wb["Estimates"]
    col = {f: i for i, f in enumerate(FIELDS, 1)}
    for r, values in enumerate(team["rows"], 2):
        (emp_id, name, title, rng, salary, fte, contract, start, probation, capability,
         appraisal, at_level, current, estimated, notes) = values
        record = dict(employee_id=emp_id, employee_name=name, directorate=team["directorate"],
                      team=team["team"], job_title=title, framework=BES, range=rng,
                      current_salary=salary, fte=fte, contract_type=contract, start_date=start,
                      probation_passed=probation, capability=capability,
                      appraisal_outcome=appraisal, date_at_level=at_level,
                      current_level=current, estimated_level=estimated,
                      manager=team["manager"], notes=notes or None)
        for f, v in record.items():
            if v is not None and v != "":
                ws.cell(r, col[f], v)
    return wb


def own_layout_workbook():
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Team data"
    ws["A1"] = "Public Health - level estimates (draft)"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Completed by Nadia Rossi, January 2025"
    for c, h in enumerate(OWN_HEADERS, 1):
        ws.cell(4, c, h).font = Font(bold=True)
    for r, values in enumerate(OWN_ROWS, 5):
        for c, v in enumerate(values, 1):
            if v != "":
                ws.cell(r, c, v)
    # a trailing blank row, then a formatting-only row (filled, no values)
    for c in range(1, len(OWN_HEADERS) + 1):
        ws.cell(5 + len(OWN_ROWS) + 1, c).fill = PatternFill("solid", fgColor="FFF2CC")
    wb.create_sheet("Notes")["A1"] = "Eleanor's salary includes a market supplement agreed in 2022."
    return wb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=samples_dir(), help="output folder")
    args = ap.parse_args(argv)
    frameworks = read_frameworks(default_frameworks())
    pay = read_pay_settings(None)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, team in TEAMS.items():
        save_workbook(team_workbook(frameworks, pay, team), args.out / name, MOMENT, force=True)
        print(args.out / name)
    save_workbook(own_layout_workbook(), args.out / OWN_LAYOUT, MOMENT, force=True)
    print(args.out / OWN_LAYOUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
