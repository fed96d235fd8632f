"""KPI values as authors write them ("2,1%", "1.000.000 đ", "5 phút") -> numbers that compare.

Pure and small on purpose: the journey pages, the KPI board and the team pages all
judge a KPI through `kpi_status`, so a value reads the same everywhere. When two
values cannot honestly be compared (no number, different units) the answer is
INCOMPARABLE, never a guess.
"""

from __future__ import annotations

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
        return float(raw)
    except ValueError:
        return None


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
    they are not numbers of one unit."""
    if target is None or actual is None:
        return KpiStatus.UNKNOWN
    goal, value = measure(str(target)), measure(str(actual))
    if goal is None or value is None or goal.unit != value.unit:
        return KpiStatus.INCOMPARABLE
    reached = value.value >= goal.value if higher_is_better else value.value <= goal.value
    return KpiStatus.MET if reached else KpiStatus.BELOW
