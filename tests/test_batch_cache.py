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

from addin.batch import FileResult, RowOutcome, _cache_load, _worker_init, process_file
from addin.batch_cache import CacheEntryError, dumps, loads
from addin.costing import CostRow
from addin.findings import Finding, Severity
from addin.model import EstimateRow, Level
from tests.conftest import BES_FRAMEWORK, PAY_RANGES
from tests.test_batch import TEAM_A, batch, build_inbox, tree_digest, write_estimates

AS_OF = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def team_a_result(tmp_path_factory) -> FileResult:
    path = write_estimates(tmp_path_factory.mktemp("cache") / "team-a.xlsx", TEAM_A)
    _worker_init((BES_FRAMEWORK,), PAY_RANGES)
    return process_file(path, "team-a.xlsx", "k1", AS_OF, None)


def test_a_real_result_round_trips_exactly_with_money_as_decimal_strings(team_a_result):
    data = dumps(team_a_result)
    back = loads(data, key="k1")
    assert back == team_a_result
    e001 = back.rows[0]
    assert isinstance(e001.cost, CostRow) and isinstance(e001.estimate, EstimateRow)
    # tests/test_batch.py works E001's full-year cost by hand: 1,871.20
    assert e001.cost.full_year_cost == Decimal("1871.20")
    assert b'"full_year_cost":{"$":"Decimal","v":"1871.20"}' in data
    assert b'"start_date":{"$":"date","v":"2019-04-01"}' in data
    assert e001.estimate.estimated_level is Level.B
    json.loads(data)  # plain JSON, nothing else


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
    wrong_type = _entry(good)
    wrong_type["result"]["f"]["rows"][0]["f"]["cost"]["f"]["full_year_cost"] = {"$": "Decimal", "v": ["1"]}
    int_estimate = _entry(good)
    int_estimate["result"]["f"]["rows"][0]["f"]["estimate"] = 5
    str_money = _entry(good)
    str_money["result"]["f"]["rows"][0]["f"]["cost"]["f"]["in_year_cost"] = "1403.40"
    unknown_class = _entry(good)
    unknown_class["result"]["f"]["rows"][0]["f"]["cost"] = {"$": "Popen", "f": {"args": "touch /tmp/x"}}
    extra_field = _entry(good)
    extra_field["result"]["f"]["__class__"] = "x"
    bad_status = _entry(good)
    bad_status["result"]["f"]["status"] = "fine"
    other_version = _entry(good)
    other_version["version"] = 999
    return {
        "pickle": pickle.dumps(good),
        "truncated": dumps(good)[:-20],
        "not utf-8": b"\xff\xfe" + dumps(good),
        "empty": b"",
        "nested": b"[" * 100_000 + b"]" * 100_000,
        "wrong type": json.dumps(wrong_type).encode(),
        "int estimate": json.dumps(int_estimate).encode(),
        "money as plain string": json.dumps(str_money).encode(),
        "unknown class": json.dumps(unknown_class).encode(),
        "extra field": json.dumps(extra_field).encode(),
        "bad status": json.dumps(bad_status).encode(),
        "other version": json.dumps(other_version).encode(),
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
