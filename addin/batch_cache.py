"""The batch cache's file format: a :class:`addin.batch.FileResult` as plain JSON.

``medpay batch`` keeps each submission's result in ``OUT/.medpay-cache/<key>.json`` so a
rerun redoes only the files that changed. Anyone who can write to the output folder can
write that file, so reading it must never run code (as ``pickle`` would) and must never
crash the run: :func:`loads` builds only the classes listed in :data:`_CLASSES` /
:data:`_ENUMS`, from their declared fields, checks every value against the field's type
annotation, and raises :class:`CacheEntryError` for anything else - the batch then
treats the entry as a miss and recomputes the file.

Encoding (explicit, one tag per non-JSON type; money stays exact):

* ``Decimal`` -> ``{"$": "Decimal", "v": "1234.56"}`` (the decimal string);
* ``date`` / ``datetime`` / ``time`` -> ISO strings under ``"date"``/``"datetime"``/``"time"``;
  ``timedelta`` -> ``[days, seconds, microseconds]``;
* ``tuple`` and ``dict`` (any JSON-encodable keys) -> ``"tuple"`` / ``"dict"`` (pairs);
  non-finite floats (a cell can hold them) -> ``"float"`` with ``repr``;
* an enum (Level, Criterion, Severity) -> ``{"$": "enum", "t": "Level", "v": "B"}``;
* a dataclass (FileResult, RowOutcome, Finding, SourceRef, EstimateRow, CostRow,
  EligibilityResult, Reason) -> ``{"$": "FileResult", "f": {field: value, ...}}``.

What this does not protect against: an entry rewritten with well-formed but false
figures is believed (as the README's security section says); delete ``.medpay-cache``
to force every file to be recomputed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import types
import typing
from decimal import Decimal, InvalidOperation
from enum import Enum
from collections.abc import Callable
from typing import Any

FORMAT = "medpay-batch-cache"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
"""An entry larger than this is not read (a genuine one is a few hundred KiB at most)."""
STATUSES = ("ok", "errors", "unreadable")


class CacheEntryError(ValueError):
    """A cache entry that cannot be written or is not a genuine entry (a miss)."""


@functools.cache
def _registry() -> tuple[dict[str, type], dict[str, type[Enum]]]:
    from addin.batch import FileResult, RowOutcome
    from addin.costing import CostRow
    from addin.eligibility import EligibilityResult, Reason
    from addin.findings import Finding, Severity
    from addin.model import Criterion, EstimateRow, Level, SourceRef

    classes = {c.__name__: c for c in (FileResult, RowOutcome, Finding, SourceRef, EstimateRow,
                                       CostRow, EligibilityResult, Reason)}
    enums = {e.__name__: e for e in (Level, Criterion, Severity)}
    return classes, enums


@functools.cache
def _fields(cls: type) -> dict[str, Any]:
    """init field name -> resolved annotation (``Any`` fields narrowed below)."""
    from addin.costing import CostRow
    from addin.model import EstimateRow

    hints = typing.get_type_hints(cls)
    out = {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls) if f.init}
    if cls.__name__ == "RowOutcome":  # typed Any in addin.batch; the batch reads them as these
        out["estimate"] = EstimateRow
        out["cost"] = CostRow | None
    return out


# ----------------------------------------------------------------------------- encoding


def _enc(v: Any) -> Any:
    classes, enums = _registry()
    if v is None or isinstance(v, (bool, int, str)) and not isinstance(v, Enum):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
    if isinstance(v, Decimal):
        return {"$": "Decimal", "v": str(v)}
    if isinstance(v, dt.datetime):
        return {"$": "datetime", "v": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$": "date", "v": v.isoformat()}
    if isinstance(v, dt.time):
        return {"$": "time", "v": v.isoformat()}
    if isinstance(v, dt.timedelta):
        return {"$": "timedelta", "v": [v.days, v.seconds, v.microseconds]}
    if isinstance(v, Enum) and enums.get(type(v).__name__) is type(v):
        return {"$": "enum", "t": type(v).__name__, "v": v.value}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, tuple):
        return {"$": "tuple", "v": [_enc(x) for x in v]}
    if isinstance(v, dict):
        return {"$": "dict", "v": [[_enc(k), _enc(x)] for k, x in v.items()]}
    name = type(v).__name__
    if classes.get(name) is type(v):
        return {"$": name, "f": {n: _enc(getattr(v, n)) for n in _fields(type(v))}}
    raise CacheEntryError(f"cannot store a {type(v).__module__}.{name} in the cache")


def dumps(result: Any) -> bytes:
    """A FileResult as cache bytes. Raises CacheEntryError if it holds a value of a type
    the format does not know (the result is then simply not cached)."""
    body = {"format": FORMAT, "version": VERSION, "result": _enc(result)}
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8")
    except (ValueError, TypeError) as exc:
        raise CacheEntryError(str(exc)) from exc


# ----------------------------------------------------------------------------- decoding


def _tagged(v: dict, tag: str) -> Any:
    payload = v.get("v")
    if tag == "Decimal" and isinstance(payload, str):
        d = Decimal(payload)
        if not d.is_finite():
            raise CacheEntryError("non-finite Decimal")
        return d
    if tag == "datetime" and isinstance(payload, str):
        return dt.datetime.fromisoformat(payload)
    if tag == "date" and isinstance(payload, str):
        return dt.date.fromisoformat(payload)
    if tag == "time" and isinstance(payload, str):
        return dt.time.fromisoformat(payload)
    if tag == "timedelta" and isinstance(payload, list) and len(payload) == 3 and all(
            type(x) is int for x in payload):
        return dt.timedelta(days=payload[0], seconds=payload[1], microseconds=payload[2])
    if tag == "float" and payload in ("nan", "inf", "-inf"):
        return float(payload)
    if tag == "tuple" and isinstance(payload, list):
        return tuple(_dec(x) for x in payload)
    if tag == "dict" and isinstance(payload, list):
        out = {}
        for pair in payload:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise CacheEntryError("bad dict item")
            key = _dec(pair[0])
            if not isinstance(key, (str, int, float, bool, type(None), tuple, Decimal, dt.date)):
                raise CacheEntryError("bad dict key")
            out[key] = _dec(pair[1])
        return out
    classes, enums = _registry()
    if tag == "enum" and isinstance(v.get("t"), str) and v["t"] in enums:
        return enums[v["t"]](payload)
    if tag in classes and isinstance(v.get("f"), dict):
        cls = classes[tag]
        hints = _fields(cls)
        raw = v["f"]
        if set(raw) - set(hints):
            raise CacheEntryError(f"unknown field in {tag}")
        values = {n: _dec(x) for n, x in raw.items()}
        for n, x in values.items():
            if not _conforms(x, hints[n]):
                raise CacheEntryError(f"{tag}.{n} has the wrong type ({type(x).__name__})")
        return cls(**values)  # a missing required field is a TypeError -> a miss
    raise CacheEntryError(f"unknown or malformed tag {tag!r}")


def _dec(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if isinstance(v, dict) and isinstance(v.get("$"), str):
        return _tagged(v, v["$"])
    raise CacheEntryError("untagged object")


def _conforms(value: Any, hint: Any) -> bool:
    """Whether a decoded value fits a field's annotation (the types the cached classes use)."""
    return _checker(hint)(value)


def _always(value: Any) -> bool:
    return True


@functools.cache
def _checker(hint: Any) -> Callable[[Any], bool]:
    """A predicate for one annotation, built once per annotation (entries hold thousands
    of values; re-inspecting the annotation for each is most of the decoding time)."""
    if hint is Any or hint is object:
        return _always
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if len(args) == 2 and type(None) in args:  # Optional[X]: the common case
            inner = _checker(args[0] if args[1] is type(None) else args[1])
            return lambda v: v is None or inner(v)
        parts = tuple(_checker(a) for a in args)
        return lambda v: any(c(v) for c in parts)
    if hint is type(None):
        return lambda v: v is None
    if origin is list:
        item = _checker(args[0]) if args else _always
        return lambda v: isinstance(v, list) and all(map(item, v))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _checker(args[0])
            return lambda v: isinstance(v, tuple) and all(map(item, v))
        if not args:
            return lambda v: isinstance(v, tuple)
        items = tuple(_checker(a) for a in args)
        return lambda v: isinstance(v, tuple) and len(v) == len(items) and all(
            c(x) for c, x in zip(items, v))
    if origin is dict:
        k, x = (_checker(args[0]), _checker(args[1])) if args else (_always, _always)
        return lambda v: isinstance(v, dict) and all(k(a) and x(b) for a, b in v.items())
    if hint is bool:
        return lambda v: type(v) is bool
    if hint is int:
        return lambda v: type(v) is int
    if hint is float:
        return lambda v: type(v) in (int, float)
    if isinstance(hint, type):
        return lambda v: isinstance(v, hint)
    return lambda v: False


def loads(data: bytes, *, key: str) -> Any:
    """The FileResult stored in ``data`` for cache key ``key``. Raises CacheEntryError for
    anything that is not a genuine, well-typed entry for that key (a miss)."""
    from addin.batch import FileResult

    if len(data) > MAX_BYTES:
        raise CacheEntryError("entry too large")
    try:
        body = json.loads(data.decode("utf-8"))
        if not (isinstance(body, dict) and body.get("format") == FORMAT
                and body.get("version") == VERSION):
            raise CacheEntryError("not a medpay cache entry of this version")
        result = _dec(body.get("result"))
    except CacheEntryError:
        raise
    except (ValueError, TypeError, KeyError, ArithmeticError, InvalidOperation, RecursionError,
            UnicodeError) as exc:
        raise CacheEntryError(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(result, FileResult):
        raise CacheEntryError("entry does not hold a file result")
    if result.key != key or result.status not in STATUSES:
        raise CacheEntryError("entry is for another file or has an unknown status")
    return result
