"""The batch cache (DIR/.medpay-cache/<key>.json): exact round trip of real results, and
an entry someone tampered with - a pickle that would run code, garbled JSON, wrong types,
another file's entry - is a miss that is recomputed, never executed, never a crash."""

from __future__ import annotations

import datetime as dt
import json
import math
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.batch.cache import CacheEntryError, _fields, dumps, loads
from addin.batch.results import FileResult, RowOutcome
from addin.batch.run import _cache_load, _worker_init, process_file
from addin.core.costing import CostRow
from addin.core.findings import Finding, Severity
from addin.core.model import EstimateRow, Level
from tests.conftest import BES_FRAMEWORK, PAY_RANGES
from tests.test_batch import TEAM_A, batch, build_inbox, tree_digest, write_estimates

AS_OF = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def team_a_result(tmp_path_factory) -> FileResult:
    path = write_estimates(tmp_path_factory.mktemp("cache") / "team-a.xlsx", TEAM_A)
    _worker_init((BES_FRAMEWORK,), PAY_RANGES)
    return process_file(path, "team-a.xlsx", "k1", AS_OF, None)


def _at(cls: type, name: str) -> int:
    """Where field ``name`` of ``cls`` sits in its cache array (declaration order)."""
    return [n for n, _ in _fields(cls)].index(name)


def test_a_real_result_round_trips_exactly_with_money_as_decimal_strings(team_a_result):
    data = dumps(team_a_result)
    back = loads(data, key="k1")
    assert back == team_a_result
    e001 = back.rows[0]
    assert isinstance(e001.cost, CostRow) and isinstance(e001.estimate, EstimateRow)
    # tests/test_batch.py works E001's full-year cost by hand: 1,871.20
    assert e001.cost.full_year_cost == Decimal("1871.20")
    assert e001.estimate.estimated_level is Level.B
    body = json.loads(data)  # plain JSON, nothing else
    assert set(body) == {"format", "version", "result"} and body["version"] == 3  # 3: CostRow.pay_point
    row = body["result"][_at(FileResult, "rows")][0]
    cost = row[_at(RowOutcome, "cost")]
    assert cost[_at(CostRow, "full_year_cost")] == "1871.20"  # a decimal string, never a float
    assert cost[_at(CostRow, "pay_point")] == "26967"  # 3B pay point, cached with the row
    estimate = row[_at(RowOutcome, "estimate")]
    assert estimate[_at(EstimateRow, "start_date")] == "2019-04-01"
    assert estimate[_at(EstimateRow, "estimated_level")] == "B"
    assert estimate[_at(EstimateRow, "cells")]["employee_id"] == "A2"


def test_a_value_that_does_not_fit_its_field_is_not_cached():
    row = EstimateRow(file="f.xlsx", sheet="S", row=5, employee_id="E1",
                      start_date=dt.datetime(2020, 1, 1, 9, 30))  # a datetime in a date field
    res = FileResult("f.xlsx", "k", "ok", None, [], [RowOutcome(row, True, (), None, None, None, 0, 0)])
    with pytest.raises(CacheEntryError, match="expected a date, got datetime"):
        dumps(res)
    row.start_date, row.fte = dt.date(2020, 1, 1), 0.5  # a float where money/FTE is a Decimal
    with pytest.raises(CacheEntryError, match="expected a finite Decimal, got float"):
        dumps(res)
    row.fte, row.extra = Decimal("0.5"), {"obj": object()}
    with pytest.raises(CacheEntryError, match="cannot store a builtins.object"):
        dumps(res)


def test_every_value_type_a_cell_can_hold_survives_the_cache():
    extra = {"money": Decimal("0.10"), "when": dt.datetime(2025, 1, 2, 3, 4, 5),
             "day": dt.date(2025, 1, 2), "clock": dt.time(9, 30), "span": dt.timedelta(days=2, seconds=5),
             "n": 3, "x": 1.5, "flag": True, "none": None, "text": "=HYPERLINK(\"x\")",
             "inf": math.inf, "pair": (1, "a"), "nested": {"$": "FileResult", "f": {}}}
    row = EstimateRow(file="f.xlsx", sheet="S", row=5, employee_id="E1", fte=Decimal("0.5"),
                      current_level=Level.A, cells={"employee_id": "A5"}, extra=extra)
    res = FileResult("f.xlsx", "k", "errors", None,
                     [Finding("f.xlsx", "S", "A5", Severity.ERROR, "EST-X", "bad", row=5)],
                     [RowOutcome(row, False, ("too soon",), dt.date(2025, 4, 1), None, "missing", 1, 0)],
                     sheet="S", header_row=4)
    back = loads(dumps(res), key="k")
    assert back == res
    assert back.rows[0].estimate.extra == extra  # the user's "$" key stays data, not a tag
    assert type(back.rows[0].reasons) is tuple


def _entry(result: FileResult) -> dict:
    return json.loads(dumps(result))


def _bad_entries(good: FileResult) -> dict[str, bytes]:
    rows, cost, estimate = _at(FileResult, "rows"), _at(RowOutcome, "cost"), _at(RowOutcome, "estimate")

    def tamper(change) -> bytes:
        entry = _entry(good)
        change(entry["result"], entry["result"][rows][0])
        return json.dumps(entry).encode()

    def put(path: tuple[int, ...], value):
        def change(result, row):
            target = row
            for i in path[:-1]:
                target = target[i]
            target[path[-1]] = value
        return change

    other_version = _entry(good)
    other_version["version"] = 1
    extra_key = _entry(good)
    extra_key["note"] = "x"
    full_year = (cost, _at(CostRow, "full_year_cost"))
    return {
        "pickle": pickle.dumps(good),
        "truncated": dumps(good)[:-20],
        "not utf-8": b"\xff\xfe" + dumps(good),
        "empty": b"",
        "nested": b"[" * 100_000 + b"]" * 100_000,
        "money as an array": tamper(put(full_year, ["1"])),
        "money as a float": tamper(put(full_year, 1871.2)),
        "money not a number": tamper(put(full_year, "NaN")),
        "money not decimal": tamper(put(full_year, "1,871.20")),
        "an int for an estimate": tamper(put((estimate,), 5)),
        "a class named in the entry": tamper(put((cost,), {"$": "Popen", "f": {"args": "touch /tmp/x"}})),
        "a bool for a count": tamper(put((_at(RowOutcome, "errors"),), True)),
        "a date that is not one": tamper(put((estimate, _at(EstimateRow, "start_date")), "2025-13-01")),
        "a level that is not one": tamper(put((estimate, _at(EstimateRow, "current_level")), "D")),
        "an untagged object in a cell": tamper(put((estimate, _at(EstimateRow, "extra")), {"x": {"a": 1}})),
        "an unknown tag in a cell": tamper(put((estimate, _at(EstimateRow, "extra")),
                                               {"x": {"$": "FileResult", "f": {}}})),
        # the one-pass checks of text lists and text-keyed dicts (issue 21)
        "a number among the reasons": tamper(put((_at(RowOutcome, "reasons"),), ["ok", 5])),
        "reasons as an object": tamper(put((_at(RowOutcome, "reasons"),), {"a": "b"})),
        "a number for a cell reference": tamper(put((estimate, _at(EstimateRow, "cells")),
                                                    {"employee_id": 7})),
        "a null for a cell reference": tamper(put((estimate, _at(EstimateRow, "cells")),
                                                  {"employee_id": None})),
        "a level given as a number": tamper(put((estimate, _at(EstimateRow, "current_level")), 1)),
        "a bool for an optional count": tamper(put((estimate, _at(EstimateRow, "range")), True)),
        "one field too many": tamper(lambda result, row: result.append("x")),
        "one field missing": tamper(lambda result, row: row.pop()),
        "bad status": tamper(lambda result, row: result.__setitem__(_at(FileResult, "status"), "fine")),
        "other version": json.dumps(other_version).encode(),
        "an unknown top-level key": json.dumps(extra_key).encode(),
        "another key": dumps(good),  # read below under key "k2"
    }


def test_garbled_or_tampered_entries_are_refused(team_a_result):
    for what, data in _bad_entries(team_a_result).items():
        with pytest.raises(CacheEntryError):
            loads(data, key="k2" if what == "another key" else "k1")
            pytest.fail(f"{what} was accepted")


def test_cache_load_turns_every_bad_entry_into_a_miss(team_a_result, tmp_path):
    for i, data in enumerate(_bad_entries(team_a_result).values()):
        p = tmp_path / f"{i}.json"
        p.write_bytes(data)
        assert _cache_load(p, "k2") is None
    assert _cache_load(tmp_path / "absent.json", "k1") is None
    (tmp_path / "dir.json").mkdir()
    assert _cache_load(tmp_path / "dir.json", "k1") is None


class _Boom:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


def test_a_malicious_or_garbled_cache_is_ignored_and_every_file_recomputed(tmp_path):
    inbox = build_inbox(tmp_path / "inbox")
    out = tmp_path / "out"
    first = batch(inbox, out)
    assert first.returncode == 1, first.stderr
    clean = {k: v for k, v in tree_digest(out).items() if not k.startswith(".medpay-cache")}
    entries = sorted((out / ".medpay-cache").glob("*.json"))
    assert len(entries) == 7  # one per submission, unreadable ones included
    marker = tmp_path / "pwned.txt"
    payloads = [pickle.dumps(_Boom(marker)), b"{not json", b'{"format":"medpay-batch-cache",'
                b'"version":1,"result":{"$":"FileResult","f":{"rel":1}}}', b"\0" * 10]
    for i, p in enumerate(entries):
        p.write_bytes(payloads[i % len(payloads)])
        p.with_suffix(".pickle").write_bytes(pickle.dumps(_Boom(marker)))  # the old format's name
    again = batch(inbox, out, "--force")
    assert again.returncode == 1, again.stderr
    assert again.stdout.splitlines()[0] == first.stdout.splitlines()[0]
    assert again.stdout.splitlines()[1].startswith("reused 0 unchanged file(s) from the cache, processed 7;")
    assert not marker.exists()
    assert {k: v for k, v in tree_digest(out).items() if not k.startswith(".medpay-cache")} == clean
    # the bad entries were replaced by genuine ones (and stray .pickle files pruned)
    assert sorted(p.suffix for p in (out / ".medpay-cache").iterdir() if p.suffix in (".json", ".pickle")) == [".json"] * 7
    third = batch(inbox, out, "--force")
    assert third.stdout.splitlines()[1].startswith("reused 7 unchanged file(s) from the cache, processed 0;")


_cell_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.floats(allow_nan=False) | st.decimals(allow_nan=False, allow_infinity=False)
    | st.dates() | st.datetimes() | st.times() | st.timedeltas(),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(extra=st.dictionaries(st.text(max_size=10), _cell_values, max_size=4),
       salary=st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2),
       start=st.none() | st.dates(), level=st.none() | st.sampled_from(Level),
       reasons=st.lists(st.text(max_size=30), max_size=3).map(tuple))
def test_any_row_a_submission_can_give_comes_back_equal(extra, salary, start, level, reasons):
    row = EstimateRow(file="f.xlsx", sheet="S", row=7, employee_id="E1", current_salary=salary,
                      start_date=start, current_level=level, cells={"employee_id": "A7"},
                      extra=extra)
    res = FileResult("f.xlsx", "k", "ok", None, [], [RowOutcome(row, None, reasons, start, None,
                                                               "missing salary", 0, 1)])
    back = loads(dumps(res), key="k")
    assert back == res
    assert type(back.rows[0].reasons) is tuple
