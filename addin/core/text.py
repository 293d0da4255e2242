"""Small text helpers shared by every reader: label matching and normalisation."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TRAILING_HINT = re.compile(r"\s*\([^()]*\)\s*$")


def norm_key(value: object) -> str:
    """Case-, spacing- and punctuation-insensitive key for matching labels/headers.

    >>> norm_key("  Job-Title: ")
    'jobtitle'
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", str(value)).lower()
    return _NON_ALNUM.sub("", text)


def clean_text(value: object) -> str:
    """Cell value as display text: None -> '', strip, normalise newlines."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def without_hint(text: str) -> str:
    """``text`` without a trailing bracketed hint, the way people annotate a label or a
    header: "Range (2-8)" -> "Range", "Start date (dd/mm/yyyy)" -> "Start date".

    >>> without_hint("Appeal period (working days)")
    'Appeal period'
    """
    return _TRAILING_HINT.sub("", text)
