"""Small text helpers shared by every reader: label matching and normalisation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TRAILING_HINT = re.compile(r"\s*\([^()]*\)\s*$")


def norm_key(value: object) -> str:
    """Case-, spacing- and punctuation-insensitive key for matching labels/headers: the
    one home of the rule (every reader, checker and the eligibility rules call it).

    Memoised for text (the same few words repeat in every row: Yes, No, Met,
    Permanent...). Plain ASCII letters and digits (employee IDs, 'Yes', 'Met') need no
    Unicode normalisation and lose no characters: their key is their lower case.

    >>> norm_key("  Job-Title: ")
    'jobtitle'
    """
    if type(value) is str:
        if value.isalnum() and value.isascii():
            return value.lower()
        return _text_key(value)
    if value is None:
        return ""
    return _text_key(str(value))


@lru_cache(maxsize=4096)
def _text_key(text: str) -> str:
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKD", text).lower())


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
