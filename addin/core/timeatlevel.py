"""THE parser for time-at-level phrases ("Minimum of 12 months at 3A", "2 years'
experience"). One parser for the whole project: framework validation and the rules
engine's eligibility checks both import it.

Policy: Appendix K (Designing CPFs), stage 5 - "in evidencing experience you will need
to consider how long it would take someone to develop the skills ... for example: 'a
minimum of XX months of satisfactory performance working at the previous level'"; and
"Common mistakes to avoid ... Lack of clarity on timeframes e.g. how long would it
generally take to move between each level." The Business & Executive Support framework
writes these as "Minimum of 12 months at 3A with satisfactory performance", "18 months
satisfactory experience at level 3B to progress" and "A minimum of 2 years' experience in a
similar role".

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from addin.core.model import Level

__all__ = ["TimeRequirement", "find_time_references", "parse_time_requirement"]

_WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "eighteen": 18, "twenty four": 24, "twenty-four": 24, "thirty six": 36,
    "thirty-six": 36,
}
_NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(
    sorted((re.escape(w).replace(r"\ ", r"\s+") for w in _WORDS if w not in ("a", "an")),
           key=len, reverse=True)) + r"|an?(?=\s+(?:years?|months?)\b))"

# "12 months", "2 years'", "18 mths", "1.5 years", "12-18 months" (the minimum counts).
_DURATION = re.compile(
    rf"(?<![\w.])(?P<n>{_NUMBER})(?:\s*(?:-|–|to)\s*{_NUMBER})?\s*\+?\s*"
    r"(?P<unit>months?|mths?|years?|yrs?)(?:['’]s?)?(?!\w)",
    re.IGNORECASE,
)
# What may follow the duration before the position it is measured at: a few words, no
# sentence break (". ", ";", newline, bullet). The level letter is read whatever it is
# ("12 months at 3D" names a level D, which policy 7.14 does not have), so that framework
# validation can report it; letters other than A-C count only after "level" ("at level
# D") or attached to a range after "at"/"as a" ("at 3D"), never after "in" ("12 months
# in 3D printing" is no level).
_POSITION = re.compile(
    r"^(?P<gap>[^.;\n•]{0,60}?)\b(?P<prep>at|in|as(?:\s+an?(?=\s+\d))?)\s+"
    r"(?:(?:the\s+)?(?:range\s*|r\s*|grade\s*)?(?P<range>\d{1,2})"
    r"(?:\s*[-/ ]?\s*(?:level\s*)?(?P<lv1>[abc])|(?P<lvx>[d-z])|\s*[-/ ]?\s*level\s*(?P<lvy>[d-z]))"
    r"|(?:the\s+)?level\s+(?P<range2>\d{1,2})?\s*(?P<lv2>[a-z])"
    # a bare capital level ("at B"); capital only, so "in a similar role" is no level
    r"|(?-i:(?P<lv3>[ABC])))(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True, repr=False)
class TimeRequirement:
    """A time requirement: ``months`` (years x 12), measured at ``range``/``level`` when
    the text names them ("at 3A" -> 3, A; "at level B" -> None, B; "in a similar role"
    -> None, None). A level letter other than A, B or C ("at 3D") leaves ``level`` None
    and is kept in ``unknown_level`` ('D'): the months still count (eligibility reads only
    ``months``), and framework validation reports the level that does not exist."""

    months: int
    range: int | None = None
    level: Level | None = None
    text: str = field(default="", compare=False)
    """The phrase matched, e.g. '12 months at 3A' (for messages; not part of equality)."""
    unknown_level: str | None = None
    """The level letter as written when it is not A, B or C ('12 months at 3D' -> 'D')."""

    def __repr__(self) -> str:
        extra = f", unknown_level={self.unknown_level!r}" if self.unknown_level else ""
        return (f"TimeRequirement(months={self.months}, range={self.range}, "
                f"level={self.level!r}{extra})")

    @property
    def code(self) -> str | None:
        """'3A', 'B' or None when no level is named."""
        return self.position or None

    @property
    def position(self) -> str:
        """'3A', 'B', '3D' or '' - the position as the policy writes it."""
        letter = self.level.value if self.level else (self.unknown_level or "")
        return f"{self.range or ''}{letter}"


_LEVEL_LETTERS = frozenset(lv.value for lv in Level)


def _number(text: str) -> Decimal:
    key = " ".join(text.lower().split())
    if key in _WORDS:
        return Decimal(_WORDS[key])
    return Decimal(key)


def find_time_references(text: str) -> list[TimeRequirement]:
    """Every duration in ``text``, with the range/level it is measured at when named.

    >>> find_time_references("Minimum of 12 months at 3A with satisfactory performance.")
    [TimeRequirement(months=12, range=3, level=<Level.A: 'A'>)]
    >>> find_time_references("A minimum of 2 years' experience in a similar role.")
    [TimeRequirement(months=24, range=None, level=None)]
    >>> find_time_references("18 months satisfactory experience at level B to progress")
    [TimeRequirement(months=18, range=None, level=<Level.B: 'B'>)]
    >>> find_time_references("Minimum of 12 months at 3D")
    [TimeRequirement(months=12, range=3, level=None, unknown_level='D')]
    >>> find_time_references("Provide at least one example at level 3B")
    []
    """
    return list(_references(text) if type(text) is str else _scan(text))


@lru_cache(maxsize=2048)
def _references(text: str) -> tuple[TimeRequirement, ...]:
    """:func:`_scan`, memoised by text: the eligibility rules ask for the same few
    Experience texts on every row of every submission (TimeRequirement is frozen, so the
    cached tuple is safe to share)."""
    return _scan(text)


def _scan(text: str) -> tuple[TimeRequirement, ...]:
    out: list[TimeRequirement] = []
    if not text:
        return ()
    for m in _DURATION.finditer(text):
        n = _number(m.group("n"))
        unit = m.group("unit").lower()
        months = n * 12 if unit.startswith(("y",)) else n
        whole = int(months.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        rng: int | None = None
        level: Level | None = None
        unknown: str | None = None
        pos = _POSITION.match(text[m.end():])
        if pos and not _DURATION.search(pos.group("gap")) and not (
                pos.group("lvx") and pos.group("prep").lower() == "in"):
            r = pos.group("range") or pos.group("range2")
            rng = int(r) if r else None
            letter = next(pos.group(g) for g in ("lv1", "lvx", "lvy", "lv2", "lv3")
                          if pos.group(g)).upper()
            if letter in _LEVEL_LETTERS:
                level = Level(letter)
            else:
                unknown = letter
        named = level is not None or unknown is not None
        end = m.end() + pos.end() if named and pos else m.end()
        out.append(TimeRequirement(whole, rng, level, " ".join(text[m.start():end].split()),
                                   unknown))
    return tuple(out)


def parse_time_requirement(text: str) -> TimeRequirement | None:
    """The first time requirement in ``text`` (None when it states no timeframe).

    >>> parse_time_requirement("18 months at 3A")
    TimeRequirement(months=18, range=3, level=<Level.A: 'A'>)
    >>> parse_time_requirement("Interview assessment") is None
    True
    """
    refs = _references(text) if type(text) is str else find_time_references(text)
    return refs[0] if refs else None
