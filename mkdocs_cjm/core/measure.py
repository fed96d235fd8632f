"""KPI values as authors write them ("2,1%", "1.000.000 đ", "5 phút") -> numbers that compare.

Pure and small on purpose: the journey pages, the KPI board and the team pages all
judge a KPI through `kpi_status`, so a value reads the same everywhere. When two
values cannot honestly be compared (no number, different units) the answer is
INCOMPARABLE, never a guess.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum


class KpiStatus(str, Enum):
    MET = "met"
    BELOW = "below"
    UNKNOWN = "unknown"  # no data: the target or the actual value is not given
    INCOMPARABLE = "incomparable"  # both given, but not as numbers of one unit


@dataclass(frozen=True)
class Measure:
    value: float
    unit: str  # normalised: "%" , "min", "vnd", "working day", "" ...


_NUMBER = re.compile(r"[-+−]?\d[\d.,]*")
# A range of two numbers ("3-5 min", "3 – 5 phút", "3 to 5 days"): within it is on target.
_RANGE = re.compile(r"(\d[\d.,]*?)[.,]?\s*(?:-|–|—|to|đến)\s*(\d[\d.,]*)")
# A label before the goal itself ("Q4: 80%", "Tier 1: 95%"): up to the last ": ".
_LABEL = re.compile(r"^.*:\s+")
# A value in a metrics file, in the documented forms only: digits, maybe a minus sign,
# thousands grouped by `.` or `,` (`1.000.000`, `1,200`), one decimal `.` or `,`, and
# an optional `%`. No exponent (`1e5`), no `_`, no `nan` or `inf`: what float() takes
# beyond this is never what a BI export means.
_DATA_VALUE = re.compile(r"[-−]?(?:\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*|\d+)(?:[.,]\d+)?\s*%?")
_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")
# Qualifiers around a value that do not change its unit ("≥ 80%", "~3 min").
_QUALIFIERS = re.compile(r"[<>≤≥~≈=]")
# Spellings of one unit. Different units (minutes and seconds) are never
# converted into each other: authors mean them as written.
_SYNONYMS = {
    "%": ("%", "percent", "pct", "phần trăm"),
    "s": ("s", "sec", "secs", "second", "seconds", "giây"),
    "min": ("min", "mins", "minute", "minutes", "phút", "ph"),
    "h": ("h", "hr", "hrs", "hour", "hours", "giờ", "tiếng"),
    "day": ("d", "day", "days", "ngày"),
    "working day": ("working day", "working days", "business day", "business days"),
    "week": ("week", "weeks", "wk", "tuần"),
    "month": ("month", "months", "tháng"),
    "vnd": ("đ", "₫", "vnd", "vnđ", "đồng", "dong", "d vnd"),
}
_UNIT_OF = {spelling: unit for unit, spellings in _SYNONYMS.items() for spelling in spellings}


def normalise_unit(unit: str) -> str:
    words = " ".join(_QUALIFIERS.sub(" ", unit).lower().split())
    if words in _UNIT_OF:
        return _UNIT_OF[words]
    # An English plural is the same unit ("2 orders" and "1 order").
    singular = " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words.split())
    return _UNIT_OF.get(singular, singular)


def parse_number(raw: str) -> float | None:
    """A number with a decimal comma or point, and maybe thousands separators.

    Both "1,5" and "1.5" read as one and a half; a separator used more than once,
    or a single comma followed by exactly three digits ("1,200"), groups
    thousands; a single point is a decimal point ("1.5", "2.125").
    """
    raw = raw.replace("−", "-").rstrip(".,")
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        decimal = "." if raw.rfind(".") > raw.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        raw = raw.replace(thousands, "").replace(decimal, ".")
    elif dots > 1 or commas > 1:
        raw = raw.replace(".", "").replace(",", "")
    elif commas == 1:
        head, tail = raw.split(",")
        raw = (
            head + tail
            if len(tail) == 3 and head.lstrip("+-") not in ("", "0")
            else f"{head}.{tail}"
        )
    try:
        number = float(raw)
    except ValueError:
        return None
    # A number past float's range ("9" written 400 times) is no measure: it would be
    # shown as inf and drawn as nan.
    return number if math.isfinite(number) else None


def parse_data_value(text: str) -> float | None:
    """A value of a metrics file (see `_DATA_VALUE`), or None for anything else."""
    if _PLAIN_DECIMAL.fullmatch(text):  # the common case: what a BI tool writes
        number = float(text)
        return number if math.isfinite(number) else None
    if _DATA_VALUE.fullmatch(text) is None:
        return None
    return parse_number(text.rstrip("% "))


@dataclass(frozen=True)
class Reading:
    """A KPI value or target read for comparison: `low` == `high` except for a range."""

    low: float
    high: float
    unit: str  # normalised, as `Measure.unit`
    before: str  # the unit as written around the number(s): "" and "%", or "" and " min"
    after: str


def read_kpi_value(text: str) -> Reading | None:
    """A target or actual value: its label ("Q4: ") and qualifiers ("≥") set aside, a
    range ("3-5 min") read as its two ends; None without a number."""
    label = _LABEL.match(text)
    if label is not None and any(char.isdigit() for char in text[label.end() :]):
        text = text[label.end() :]
    found = _RANGE.search(text)
    if found is not None:
        low, high = parse_number(found.group(1)), parse_number(found.group(2))
        start, end = found.span()
    else:
        match = _NUMBER.search(text)
        if match is None:
            return None
        raw = match.group().rstrip(".,")
        low = high = parse_number(raw)
        start, end = match.start(), match.start() + len(raw)
    if low is None or high is None:
        return None
    before = _QUALIFIERS.sub("", text[:start]).strip()
    after = text[end:].rstrip()
    unit = normalise_unit(f"{before} {after}")
    return Reading(min(low, high), max(low, high), unit, before, after)


def value_in_target_unit(value_text: str, target: str | None) -> str:
    """A data value as a KPI shows it: with the target's unit when it has none of its own
    (`72` for a target of `Q4: 80%` is `72%`; `4` for `3-5 min` is `4 min`). Only the
    unit is taken: never the target's label, qualifiers or other numbers."""
    goal = read_kpi_value(target) if target else None
    if goal is None or not (goal.before or goal.after):
        return value_text
    own = read_kpi_value(value_text)
    if own is None or own.before or own.after:
        return value_text
    return f"{goal.before}{value_text}{goal.after}"


def parse_measure(text: str) -> tuple[float, str] | None:
    """Split a KPI value such as "1.4%", "5 min" or "1.000.000 đ" into (number, unit).

    The unit is what surrounds the number, lowercased ("min", "phút", "%");
    None when there is no number.
    """
    match = _NUMBER.search(text)
    if match is None:
        return None
    raw = match.group().rstrip(".,")
    number = parse_number(raw)
    if number is None:
        return None
    unit = (text[: match.start()] + text[match.start() + len(raw) :]).strip().lower()
    return number, unit


def measure(text: str) -> Measure | None:
    parsed = parse_measure(text)
    if parsed is None:
        return None
    return Measure(parsed[0], normalise_unit(parsed[1]))


def kpi_status(target: str | None, actual: str | None, higher_is_better: bool = True) -> KpiStatus:
    """Whether `actual` reaches `target`: UNKNOWN without both, INCOMPARABLE when
    they are not numbers of one unit. A range target (`3-5 min`) is reached within it;
    outside it, on either side, the KPI is BELOW (it misses its target)."""
    if target is None or actual is None:
        return KpiStatus.UNKNOWN
    goal, value = read_kpi_value(str(target)), read_kpi_value(str(actual))
    if goal is None or value is None or goal.unit != value.unit or value.low != value.high:
        return KpiStatus.INCOMPARABLE
    if goal.low != goal.high:  # a range: on target within it, ends included
        reached = goal.low <= value.low <= goal.high
    else:
        reached = value.low >= goal.low if higher_is_better else value.low <= goal.low
    return KpiStatus.MET if reached else KpiStatus.BELOW
