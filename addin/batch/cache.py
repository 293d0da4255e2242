"""The batch cache's file format: a :class:`addin.batch.results.FileResult` as plain JSON.

``medpay batch`` keeps each submission's result in ``OUT/.medpay-cache/<key>.json`` so a
rerun redoes only the files that changed. Anyone who can write to the output folder can
write that file, so reading it must never run code (as ``pickle`` would) and must never
crash the run: :func:`loads` builds only the dataclasses reachable from ``FileResult``'s
own field annotations, converts and checks every value against its field's annotation,
and raises :class:`CacheEntryError` for anything else - the batch then treats the entry
as a miss and recomputes the file.

Encoding (version 3, which added ``CostRow.pay_point``): **typed by the field's
annotation**, as msgspec does, so an entry holds little more than the values themselves (a 50-row submission is about a third of the
size of version 1's self-describing tags, and reads about three times faster):

* ``str``, ``int``, ``bool``, ``None``: as they are (an ``int`` field refuses a bool);
* ``Decimal`` -> its decimal string (``"1234.56"``: money stays exact, never a float);
  ``date`` -> ISO string; an enum (Level, Severity) -> its value;
* ``list[X]`` / ``tuple[X, ...]`` -> a JSON array; ``dict[str, X]`` -> a JSON object;
* a dataclass (FileResult, RowOutcome, Finding, EstimateRow, CostRow) -> a JSON array of
  its init fields in declaration order;
* a field typed ``object``/``Any`` (``EstimateRow.extra``'s values: whatever a manager's
  extra column held) -> a self-describing tag, one per non-JSON type: ``{"$": "Decimal",
  "v": "0.10"}``, ``date``/``datetime``/``time`` (ISO), ``timedelta`` ``[days, seconds,
  microseconds]``, ``tuple``, ``dict`` (as pairs, so any key survives), non-finite
  ``float`` (``repr``). Only those tags exist: no class can be named from an entry.

Encoding is as strict as decoding: a value that does not fit its field's annotation (a
datetime in a date field, a float in a Decimal field) raises :class:`CacheEntryError`
and the result is simply not cached.

What this does not protect against: an entry rewritten with well-formed but false
figures is believed (as docs/reference/security.md says); delete ``.medpay-cache``
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
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from addin.batch.results import FileResult
from addin.core.costing import CostRow
from addin.core.model import EstimateRow

FORMAT = "medpay-batch-cache"
VERSION = 3
MAX_BYTES = 64 * 1024 * 1024
"""An entry larger than this is not read (a genuine one is a few dozen KiB)."""
STATUSES = ("ok", "errors", "unreadable")

Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
"""(encode, decode) for one annotation: encode checks the value fits and gives JSON,
decode checks the JSON fits and gives the value; both raise CacheEntryError."""


class CacheEntryError(ValueError):
    """A cache entry that cannot be written or is not a genuine entry (a miss)."""


def _fail(what: str) -> typing.NoReturn:
    raise CacheEntryError(what)


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """The init fields of a cached dataclass with their resolved annotations, in order
    (``Any`` fields of RowOutcome narrowed to what the batch stores in them)."""
    hints = typing.get_type_hints(cls)
    out = {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls) if f.init}
    if cls.__name__ == "RowOutcome":  # typed Any in addin.batch.results; the batch stores these
        out["estimate"] = EstimateRow
        out["cost"] = CostRow | None
    return tuple(out.items())


# ----------------------------------------------------------------------------- codecs

def _exact(t: type) -> Codec:
    def check(v: Any) -> Any:
        return v if type(v) is t else _fail(f"expected {t.__name__}, got {type(v).__name__}")
    return check, check


def _decimal_dec(v: Any) -> Decimal:
    if type(v) is not str:
        _fail(f"expected a decimal string, got {type(v).__name__}")
    try:
        d = Decimal(v)
    except InvalidOperation:
        _fail(f"not a decimal: {v[:40]!r}")
    return d if d.is_finite() else _fail("non-finite Decimal")


def _decimal_enc(v: Any) -> str:
    if type(v) is not Decimal or not v.is_finite():
        _fail(f"expected a finite Decimal, got {type(v).__name__}")
    return str(v)


def _date_enc(v: Any) -> str:
    return v.isoformat() if type(v) is dt.date else _fail(f"expected a date, got {type(v).__name__}")


def _date_dec(v: Any) -> dt.date:
    if type(v) is not str:
        _fail(f"expected an ISO date, got {type(v).__name__}")
    return dt.date.fromisoformat(v)  # ValueError -> a miss (loads)


def _enum(e: type[Enum]) -> Codec:
    # value -> member, looked up directly: ``e(v)`` goes through EnumMeta.__call__, which
    # was an eighth of decoding an entry (the levels of every row); same members, and a
    # value that is not one is refused as before
    members = {m.value: m for m in e}

    def enc(v: Any) -> Any:
        return v.value if type(v) is e else _fail(f"expected {e.__name__}, got {type(v).__name__}")

    def dec(v: Any) -> Enum:
        if type(v) not in (str, int):
            _fail(f"expected a {e.__name__} value")
        member = members.get(v)
        return member if member is not None else _fail(f"not a {e.__name__}: {str(v)[:40]!r}")
    return enc, dec


def _optional(inner: Codec) -> Codec:
    ienc, idec = inner
    return (lambda v: None if v is None else ienc(v)), (lambda v: None if v is None else idec(v))


def _optional_exact(t: type) -> Codec:
    """``t | None`` for str, int, bool: one check instead of two nested calls (most of an
    EstimateRow's fields)."""
    def check(v: Any) -> Any:
        if v is None or type(v) is t:
            return v
        _fail(f"expected {t.__name__} or null, got {type(v).__name__}")
    return check, check


def _sequence(item: Codec, kind: type[list] | type[tuple]) -> Codec:
    ienc, idec = item

    def enc(v: Any) -> list:
        return [ienc(x) for x in v] if type(v) is kind else _fail(f"expected a {kind.__name__}")

    def dec(v: Any) -> Any:
        if type(v) is not list:
            _fail(f"expected an array for a {kind.__name__}")
        out = [idec(x) for x in v]
        return out if kind is list else kind(out)
    return enc, dec


def _all_of(t: type, values: Any) -> bool:
    """Whether every value is exactly of type ``t`` (the types are gathered in C, not by
    a call a value)."""
    return {*map(type, values)} <= {t}


def _sequence_exact(t: type, kind: type) -> Codec:
    """``list[t]`` / ``tuple[t, ...]`` for str, int, bool: checked in one pass, and the
    array JSON made for this entry is kept rather than copied (a row's reasons)."""
    def enc(v: Any) -> list:
        if type(v) is not kind or not _all_of(t, v):
            _fail(f"expected a {kind.__name__} of {t.__name__}")
        return list(v)  # type: ignore[call-overload]  # a list or tuple: checked above

    def dec(v: Any) -> Any:
        if type(v) is not list or not _all_of(t, v):
            _fail(f"expected an array of {t.__name__} for a {kind.__name__}")
        return v if kind is list else kind(v)
    return enc, dec


def _str_dict_exact(t: type) -> Codec:
    """``dict[str, t]`` for str, int, bool, likewise (a row's cell references, a file's
    output columns): the object JSON made is kept, its values checked in one pass."""
    def enc(v: Any) -> dict:
        if type(v) is not dict or not _all_of(str, v) or not _all_of(t, v.values()):
            _fail(f"expected a dict of text to {t.__name__}")
        return dict(v)

    def dec(v: Any) -> dict:
        if type(v) is not dict or not _all_of(t, v.values()):
            _fail(f"expected an object of {t.__name__}")
        return v
    return enc, dec


def _str_dict(value: Codec) -> Codec:
    venc, vdec = value

    def enc(v: Any) -> dict:
        if type(v) is not dict or not all(type(k) is str for k in v):
            _fail("expected a dict with text keys")
        return {k: venc(x) for k, x in v.items()}

    def dec(v: Any) -> dict:
        if type(v) is not dict:
            _fail("expected an object")
        return {k: vdec(x) for k, x in v.items()}
    return enc, dec


def _dataclass(cls: type) -> Codec:
    names = [n for n, _ in _fields(cls)]
    # codecs resolved on first use: the classes refer to each other
    parts: list[Codec] = []

    def codecs() -> list[Codec]:
        if not parts:
            parts.extend(_codec(h) for _, h in _fields(cls))
        return parts

    def enc(v: Any) -> list:
        if type(v) is not cls:
            _fail(f"expected {cls.__name__}, got {type(v).__name__}")
        return [c[0](getattr(v, n)) for n, c in zip(names, codecs())]

    # positional construction when every init field may be given by position (the
    # cached classes declare none keyword-only): no dict of keywords a field
    positional = not any(getattr(f, "kw_only", False) for f in dataclasses.fields(cls) if f.init)
    decoders: list[Callable[[Any], Any]] = []

    def dec(v: Any) -> Any:
        if not decoders:
            decoders.extend(c[1] for c in codecs())
        if type(v) is not list or len(v) != len(decoders):
            _fail(f"expected {cls.__name__} as an array of {len(decoders)} fields")
        if positional:
            return cls(*[d(x) for d, x in zip(decoders, v)])
        return cls(**{n: d(x) for n, d, x in zip(names, decoders, v)})
    return enc, dec


@functools.cache
def _codec(hint: Any) -> Codec:
    """The codec for one annotation of the cached classes, built once per annotation."""
    if hint is Any or hint is object:
        return _tagged_enc, _tagged_dec
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            if rest[0] in (str, int, bool):
                return _optional_exact(rest[0])
            return _optional(_codec(rest[0]))
        raise TypeError(f"no cache codec for {hint}")  # a programming error, caught by tests
    exact = (str, int, bool)
    if origin is list and len(args) == 1:
        return (_sequence_exact(args[0], list) if args[0] in exact
                else _sequence(_codec(args[0]), list))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return (_sequence_exact(args[0], tuple) if args[0] in exact
                else _sequence(_codec(args[0]), tuple))
    if origin is dict and len(args) == 2 and args[0] is str:
        return _str_dict_exact(args[1]) if args[1] in exact else _str_dict(_codec(args[1]))
    if hint in (str, int, bool):
        return _exact(hint)
    if hint is Decimal:
        return _decimal_enc, _decimal_dec
    if hint is dt.date:
        return _date_enc, _date_dec
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    raise TypeError(f"no cache codec for {hint}")


# ------------------------------------------------------ self-describing values (Any)

def _tagged_enc(v: Any) -> Any:
    """A value of a field typed ``object``: JSON types as they are, others tagged."""
    t = type(v)
    if v is None or t in (bool, int, str):
        return v
    if t is float:
        return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
    if t is Decimal:
        return {"$": "Decimal", "v": _decimal_enc(v)}
    if t is dt.datetime:
        return {"$": "datetime", "v": v.isoformat()}
    if t is dt.date:
        return {"$": "date", "v": v.isoformat()}
    if t is dt.time:
        return {"$": "time", "v": v.isoformat()}
    if t is dt.timedelta:
        return {"$": "timedelta", "v": [v.days, v.seconds, v.microseconds]}
    if t is list:
        return [_tagged_enc(x) for x in v]
    if t is tuple:
        return {"$": "tuple", "v": [_tagged_enc(x) for x in v]}
    if t is dict:
        return {"$": "dict", "v": [[_tagged_enc(k), _tagged_enc(x)] for k, x in v.items()]}
    _fail(f"cannot store a {t.__module__}.{t.__name__} in the cache")


_KEY_TYPES = (str, int, float, bool, type(None), tuple, Decimal, dt.date)


def _tagged_dec(v: Any) -> Any:
    if v is None or type(v) in (bool, int, float, str):
        return v
    if type(v) is list:
        return [_tagged_dec(x) for x in v]
    if type(v) is not dict or type(v.get("$")) is not str:
        _fail("untagged object")
    tag, payload = v["$"], v.get("v")
    if tag == "Decimal":
        return _decimal_dec(payload)
    if tag in ("datetime", "date", "time") and type(payload) is str:
        return getattr(dt, tag).fromisoformat(payload)
    if tag == "timedelta" and type(payload) is list and len(payload) == 3 and all(
            type(x) is int for x in payload):
        return dt.timedelta(days=payload[0], seconds=payload[1], microseconds=payload[2])
    if tag == "float" and payload in ("nan", "inf", "-inf"):
        return float(payload)
    if tag == "tuple" and type(payload) is list:
        return tuple(_tagged_dec(x) for x in payload)
    if tag == "dict" and type(payload) is list:
        out = {}
        for pair in payload:
            if not (type(pair) is list and len(pair) == 2):
                _fail("bad dict item")
            key = _tagged_dec(pair[0])
            if not isinstance(key, _KEY_TYPES):
                _fail("bad dict key")
            out[key] = _tagged_dec(pair[1])
        return out
    _fail(f"unknown or malformed tag {tag!r}")


# ----------------------------------------------------------------------------- entries

def _result_codec() -> Codec:
    return _codec(FileResult)


def dumps(result: Any) -> bytes:
    """A FileResult as cache bytes. Raises CacheEntryError if it holds a value that does
    not fit its field's annotation (the result is then simply not cached)."""
    try:
        body = {"format": FORMAT, "version": VERSION, "result": _result_codec()[0](result)}
        return json.dumps(body, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8")
    except CacheEntryError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:
        raise CacheEntryError(str(exc)) from exc


def loads(data: bytes, *, key: str) -> Any:
    """The FileResult stored in ``data`` for cache key ``key``. Raises CacheEntryError for
    anything that is not a genuine, well-typed entry for that key (a miss)."""

    if len(data) > MAX_BYTES:
        raise CacheEntryError("entry too large")
    try:
        body = json.loads(data.decode("utf-8"))
        if not (type(body) is dict and body.get("format") == FORMAT
                and body.get("version") == VERSION and set(body) == {"format", "version", "result"}):
            raise CacheEntryError("not a medpay cache entry of this version")
        result = _result_codec()[1](body["result"])
    except CacheEntryError:
        raise
    except (ValueError, TypeError, KeyError, ArithmeticError, RecursionError,
            UnicodeError) as exc:
        raise CacheEntryError(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(result, FileResult):
        raise CacheEntryError("entry does not hold a file result")
    if result.key != key or result.status not in STATUSES:
        raise CacheEntryError("entry is for another file or has an unknown status")
    return result
