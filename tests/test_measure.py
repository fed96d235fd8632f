"""`mkdocs_cjm.core.measure`: KPI values as authors write them, compared without guessing."""

from __future__ import annotations

import pytest

from mkdocs_cjm.core.measure import KpiStatus, kpi_status, measure, normalise_unit, parse_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2,1", 2.1),
        ("2.1", 2.1),
        ("0,125", 0.125),  # a leading zero: a decimal comma, not thousands
        ("1,200", 1200.0),
        ("1.200.000", 1_200_000.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("−3", -3.0),  # the minus sign, not only the hyphen
        ("12", 12.0),
    ],
)
def test_parse_number(raw: str, expected: float) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("2,1%", 2.1, "%"),
        ("≥ 80 %", 80.0, "%"),
        ("5 phút", 5.0, "min"),
        ("5 mins", 5.0, "min"),
        ("1 working day", 1.0, "working day"),
        ("2.5 working days", 2.5, "working day"),
        ("3.500.000 đ", 3_500_000.0, "vnd"),
        ("450,000 VND", 450_000.0, "vnd"),
        ("4,5/5", 4.5, "/5"),
        ("12 orders", 12.0, "order"),
    ],
)
def test_measure_reads_numbers_and_units(text: str, value: float, unit: str) -> None:
    parsed = measure(text)
    assert parsed is not None
    assert (parsed.value, parsed.unit) == (value, unit)


def test_no_number_is_no_measure() -> None:
    assert measure("n/a") is None
    assert measure("soon") is None
    assert normalise_unit(" Phút ") == "min"


@pytest.mark.parametrize(
    ("target", "actual", "higher_is_better", "status"),
    [
        ("2,1%", "1,9%", True, KpiStatus.BELOW),
        ("2,1%", "2.1%", True, KpiStatus.MET),  # comma and point read alike
        ("2%", "2,5%", True, KpiStatus.MET),
        ("3 phút", "4 phút", False, KpiStatus.BELOW),
        ("3 phút", "3 min", False, KpiStatus.MET),  # two spellings of one unit
        ("1 working day", "2.5 working days", False, KpiStatus.BELOW),
        ("48 h", "36 h", False, KpiStatus.MET),
        ("5 min", "90 s", True, KpiStatus.INCOMPARABLE),  # no guessing across units
        ("80%", "83", True, KpiStatus.INCOMPARABLE),  # a unit on one side only
        ("4,5", "tốt", True, KpiStatus.INCOMPARABLE),
        (None, "4", True, KpiStatus.UNKNOWN),
        ("4", None, True, KpiStatus.UNKNOWN),
        ("1.000.000 đ", "950.000đ", False, KpiStatus.MET),
    ],
)
def test_kpi_status(
    target: str | None, actual: str | None, higher_is_better: bool, status: KpiStatus
) -> None:
    assert kpi_status(target, actual, higher_is_better) is status
