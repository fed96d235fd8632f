"""KPI values from data files: `maps/metrics/*.csv` -> each KPI's series and latest `actual`.

A metrics file is what a BI tool exports: UTF-8 (a BOM is fine), comma-separated,
any line ends, the header `journey,stage,kpi,date,value`, one measurement a row.
Every bad row is reported with its file, line and column, like the YAML errors,
and the maps themselves are never changed: the data is merged into the model.

The common path is Python's C `csv` reader and a few dictionary look-ups per row,
so a 100,000-row file costs a fraction of a second (benchmarks/metrics.py);
column positions are worked out only for the rows that have an error.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import operator
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from mkdocs_cjm.core.measure import parse_data_value, value_in_target_unit
from mkdocs_cjm.core.model import Journey, Measurement, Playbook
from mkdocs_cjm.core.problems import Problem, Severity, did_you_mean
from mkdocs_cjm.core.yamlsafe import excerpt

METRICS_DIR = "metrics"
COLUMNS = ("journey", "stage", "kpi", "date", "value")
# Series longer than this show their latest points in the trend chart.
TREND_POINTS = 60

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][\d:.+\-Z]*)?")


@functools.lru_cache(maxsize=4096)  # dates repeat: one a month per KPI
def _parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def parse_value(text: str) -> float | None:
    """A metrics value: a number in one of the documented forms (`measure.parse_data_value`)."""
    return parse_data_value(text)


# A KPI: its journey id, its stage id and its position in the stage's list.
_KpiKey = tuple[str, str, int]


@dataclass
class _Series:
    measurements: dict[date, tuple[float, str, int, str]] = field(
        default_factory=dict
    )  # value, text, line, file (two files may feed one KPI)
    first: tuple[str, int] = ("", 0)  # file and line of the first row


def _field_columns(line: str) -> list[int]:
    """1-based column where each field of one CSV line starts (quotes understood)."""
    columns = [1]
    quoted = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == '"':
            if quoted and index + 1 < len(line) and line[index + 1] == '"':
                index += 1
            else:
                quoted = not quoted
        elif char == "," and not quoted:
            columns.append(index + 2)
        index += 1
    return columns


class _MetricsFile:
    def __init__(
        self,
        display: str,
        journeys: dict[str, Journey],
        declared: Collection[str],
        kpis: dict[tuple[str, str, str], _KpiKey],
        today: date | None = None,
    ):
        self.display = display
        self.today = today  # rows dated after it are left out, with a warning
        self.future: list[tuple[int, date]] = []  # those rows: line, date
        self.journeys = journeys
        self.kpis = kpis
        self.declared = declared  # journey ids, including journeys with errors of their own
        self.problems: list[Problem] = []
        self.text = ""
        self._lines: list[str] | None = None
        # Where each of COLUMNS is in this file's rows (the header may order them otherwise).
        self.order: list[int] = list(range(len(COLUMNS)))
        self.width = len(COLUMNS)  # fields a row needs to reach every column
        self.pick = operator.itemgetter(*self.order)

    @property
    def lines(self) -> list[str]:
        """The file's lines, split only when a problem needs a column number."""
        if self._lines is None:
            self._lines = list(io.StringIO(self.text, newline=""))
        return self._lines

    def add(
        self,
        line: int,
        field_index: int,
        message: str,
        suggestion: str | None = None,
        severity: Severity = Severity.ERROR,
        *,
        key: str | None = None,
    ) -> None:
        column = 1
        if 0 < line <= len(self.lines):
            columns = _field_columns(self.lines[line - 1].lstrip("\ufeff"))
            position = self.order[field_index] if key is None else field_index
            column = columns[min(position, len(columns) - 1)] if position >= 0 else 1
        if key is None:
            key = COLUMNS[field_index] if 0 <= field_index < len(COLUMNS) else ""
        self.problems.append(
            Problem(self.display, line, column, key, message, severity, suggestion)
        )

    def read(self, data: bytes, series: dict[_KpiKey, _Series]) -> None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self.problems.append(
                Problem(
                    self.display,
                    line,
                    column,
                    "",
                    "the file is not UTF-8 text",
                    suggestion="export it again as CSV UTF-8",
                )
            )
            return
        self.text = text
        # strict: a quote never closed is an error, not a value running to the file's end.
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header: list[str] | None = None
        previous_end = 0
        row, find_kpi, today = self.row, self.kpis.get, self.today
        try:
            for record in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if header is not None:
                    # The fast path, inline: a good row costs look-ups and two parses;
                    # any other row goes to `row`, which does it again and says what's wrong.
                    if len(record) >= self.width:
                        journey, stage, kpi, day, value = self.pick(record)
                        key = find_kpi((journey.strip(), stage.strip(), kpi.strip()))
                        found = series.get(key) if key is not None else None
                        when = _parse_date(day.strip())
                        value = value.strip()
                        number = parse_value(value)
                        if (
                            found is not None
                            and when is not None
                            and number is not None
                            and when not in found.measurements
                            and (today is None or when <= today)
                        ):
                            found.measurements[when] = (number, value, start, self.display)
                            continue
                    row(record, start, series)
                elif record and "".join(record).strip():
                    header = [cell.strip().lower() for cell in record]
                    order = self.header(header, start)
                    if order is None:
                        return
                    self.order = order
                    self.width = max(order) + 1
                    self.pick = operator.itemgetter(*order)
            self.warn_future()
        except csv.Error as exc:  # a quote never closed, or text after a closing quote
            if "unexpected end of data" in str(exc):
                line, column = self.open_quote(previous_end + 1)
                self.problems.append(
                    Problem(
                        self.display,
                        line,
                        column,
                        "",
                        'a quote (") opened here is never closed; the file ends inside it',
                        suggestion="add the closing quote",
                    )
                )
                return
            self.problems.append(
                Problem(
                    self.display,
                    previous_end + 1,
                    1,
                    "",
                    f"cannot read the file as CSV from here: {exc}",
                    suggestion='check for a quote (") that is never closed',
                )
            )

    def warn_future(self) -> None:
        """One warning for the rows dated after today, at the first of them."""
        if not self.future or self.today is None:
            return
        line, when = self.future[0]
        more = len(self.future) - 1
        rows = "the row is" if not more else f"this row and {more} more dated after it are"
        self.add(
            line,
            3,
            f"{when.isoformat()} is after today ({self.today.isoformat()}); {rows} left out",
            "check the year; today is the option today, else $MKDOCS_CJM_TODAY, else the clock",
            Severity.WARNING,
        )

    def open_quote(self, first_line: int) -> tuple[int, int]:
        """Line and column of the quote left open in the record starting at `first_line`."""
        where = (first_line, 1)
        quoted = False
        for number in range(first_line, len(self.lines) + 1):
            line = self.lines[number - 1]
            if number == 1:
                line = line.lstrip("\ufeff")
            for index, char in enumerate(line):
                if char == '"':
                    quoted = not quoted  # an escaped quote ("") toggles twice
                    if quoted:
                        where = (number, index + 1)
        return where

    def header(self, header: list[str], line: int) -> list[int] | None:
        """Position of each of COLUMNS in the file's header; None if one is missing or
        given twice."""
        columns = _field_columns(self.lines[line - 1].lstrip("\ufeff"))
        twice = [name for name in COLUMNS if header.count(name) > 1]
        for name in twice:
            second = header.index(name, header.index(name) + 1)
            self.problems.append(
                Problem(
                    self.display,
                    line,
                    columns[min(second, len(columns) - 1)],
                    "",
                    f"the header names the column '{name}' twice; expected each of "
                    f"{','.join(COLUMNS)} once",
                    suggestion="remove or rename one of them",
                )
            )
        missing = [name for name in COLUMNS if name not in header]
        if not missing:
            return None if twice else [header.index(name) for name in COLUMNS]
        unknown = [name for name in header if name not in COLUMNS]
        for name in missing:
            # A looser match than did_you_mean's: header names are short ("day" for "date").
            near = difflib.get_close_matches(name, unknown, n=1, cutoff=0.5)
            if near:
                unknown.remove(near[0])
            self.problems.append(
                Problem(
                    self.display,
                    line,
                    columns[header.index(near[0])] if near else 1,
                    "",
                    f"the header has no column '{name}'; expected the columns {','.join(COLUMNS)}",
                    suggestion=(
                        f"rename the column '{near[0]}' to '{name}'"
                        if near
                        else f"add a column '{name}'"
                    ),
                )
            )
        return None

    def row(self, record: list[str], line: int, series: dict[_KpiKey, _Series]) -> None:
        """One data row: the common case is three dictionary look-ups and two parses."""
        if len(record) < self.width:
            if not "".join(record).strip():
                return  # a blank line, or one of empty fields (",,,,")
            self.add(
                line,
                len(record) - 1,
                f"expected {len(COLUMNS)} values ({','.join(COLUMNS)}), found {len(record)}",
                "check the separators: values are separated by commas; "
                "quote a value that contains one",
                key="",
            )
            return
        order = self.order
        journey_id, stage_id, kpi_name, date_text, value_text = (
            record[order[0]].strip(),
            record[order[1]].strip(),
            record[order[2]].strip(),
            record[order[3]].strip(),
            record[order[4]].strip(),
        )
        key = self.kpis.get((journey_id, stage_id, kpi_name))
        if key is None:
            self.unknown_kpi(line, journey_id, stage_id, kpi_name)
            return
        when = _parse_date(date_text)
        if when is None:
            self.add(
                line,
                3,
                f"'{excerpt(date_text)}' is not a date; expected a date written YYYY-MM-DD",
                "write it like 2026-10-01",
            )
            return
        number = parse_value(value_text)
        if number is None:
            self.add(
                line,
                4,
                f"'{excerpt(value_text)}' is not a number; expected a number such as 1.4, 1,4 or 72%",
            )
            return
        found = series.get(key)
        if found is None:
            found = series[key] = _Series(first=(self.display, line))
        earlier = found.measurements.get(when)
        if earlier is not None:
            where = (
                f"on line {earlier[2]}"
                if earlier[3] == self.display
                else f"in {earlier[3]}, line {earlier[2]}"
            )
            self.add(
                line,
                3,
                f"a second value for '{kpi_name}' on {when.isoformat()}; the first is {where}",
                "keep one row per KPI and date",
            )
            return
        if self.today is not None and when > self.today:
            # A typo in the year would otherwise be the KPI's latest value for good.
            self.future.append((line, when))
            return
        found.measurements[when] = (number, value_text, line, self.display)

    def unknown_kpi(self, line: int, journey_id: str, stage_id: str, kpi_name: str) -> None:
        """Say which of the row's journey, stage or KPI names nothing, and what is near."""
        if not (journey_id or stage_id or kpi_name):
            return  # a row of empty fields, as spreadsheets export below the data
        journey = self.journeys.get(journey_id)
        if journey is None:
            if journey_id not in self.declared:
                self.add(
                    line,
                    0,
                    f"unknown journey '{excerpt(journey_id)}'; expected a journey id from journeys/",
                    did_you_mean(journey_id, sorted(self.declared)),
                )
            return
        stage = next((s for s in journey.stages if s.id == stage_id), None)
        if stage is None:
            names = [s.id for s in journey.stages]
            self.add(
                line,
                1,
                f"unknown stage '{excerpt(stage_id)}' in the journey '{journey_id}'; "
                f"expected one of: {', '.join(names)}",
                did_you_mean(stage_id, names),
            )
            return
        names = [name for kpi in stage.kpis for name in (kpi.id, kpi.name) if name]
        expected = (
            f"expected the id or name of a KPI of the stage '{stage_id}'"
            + (f" ({', '.join(repr(name) for name in names)})" if names else "")
            if stage.kpis
            else f"the stage '{stage_id}' of '{journey_id}' has no KPIs"
        )
        self.add(
            line,
            2,
            f"unknown KPI '{excerpt(kpi_name)}'; {expected}",
            did_you_mean(kpi_name, names)
            or (None if stage.kpis else f"add it under stages[].kpis in {journey.source.path}"),
        )


def _kpi_keys(playbook: Playbook) -> dict[tuple[str, str, str], _KpiKey]:
    """(journey, stage, what a row may call the KPI) -> the KPI, by its name or its id;
    an id wins over another KPI's name."""
    keys: dict[tuple[str, str, str], _KpiKey] = {}
    for journey in playbook.journeys:
        for stage in journey.stages:
            for index, kpi in enumerate(stage.kpis):
                keys.setdefault((journey.id, stage.id, kpi.name), (journey.id, stage.id, index))
    for journey in playbook.journeys:
        for stage in journey.stages:
            for index, kpi in enumerate(stage.kpis):
                if kpi.id:
                    keys[journey.id, stage.id, kpi.id] = (journey.id, stage.id, index)
    return keys


def metrics_files(maps_dir: Path) -> list[Path]:
    folder = maps_dir / METRICS_DIR
    if not folder.is_dir():
        return []
    # `.CSV` as a spreadsheet on Windows may name it is read too.
    return sorted(
        path for path in folder.iterdir() if path.suffix.lower() == ".csv" and path.is_file()
    )


def apply_metrics(
    playbook: Playbook,
    files: Iterable[tuple[str, bytes]],
    declared_journeys: Collection[str],
    today: date | None = None,
) -> tuple[Playbook, list[Problem]]:
    """The playbook with each KPI's data from the files (display name, content) merged in."""
    journeys = playbook.journey_by_id
    series: dict[_KpiKey, _Series] = {}
    problems: list[Problem] = []
    kpi_keys = _kpi_keys(playbook)
    declared = set(declared_journeys) | set(journeys)
    for display, data in files:
        reader = _MetricsFile(display, journeys, declared, kpi_keys, today)
        reader.read(data, series)
        problems += reader.problems
    if not series:
        return playbook, problems
    updated: list[Journey] = []
    with_data = {journey_id for journey_id, _, _ in series}
    for journey in playbook.journeys:
        if journey.id not in with_data:
            updated.append(journey)  # the same object: see incremental.changed_journeys
            continue
        stages = []
        for stage in journey.stages:
            kpis = []
            for index, kpi in enumerate(stage.kpis):
                found = series.get((journey.id, stage.id, index))
                if found is None:
                    kpis.append(kpi)
                    continue
                measurements = tuple(
                    Measurement(day, value, text)
                    for day, (value, text, _line, _file) in sorted(found.measurements.items())
                )
                latest = measurements[-1]
                if kpi.actual is not None:
                    file, line = found.first
                    problems.append(
                        Problem(
                            file,
                            line,
                            1,
                            "",
                            f"the KPI '{kpi.name}' ({journey.id}, stage {stage.id}) has values "
                            f"in this file and also 'actual: {kpi.actual}' in "
                            f"{journey.source.path}; the latest value from the data is shown "
                            f"({latest.text}, {latest.date.isoformat()})",
                            Severity.WARNING,
                            # Fixed in the YAML, not here: say on which line.
                            f"remove 'actual' from the KPI in {journey.source.path}"
                            + (f":{kpi.actual_line}" if kpi.actual_line else ""),
                        )
                    )
                kpis.append(
                    replace(
                        kpi,
                        actual=value_in_target_unit(latest.text, kpi.target),
                        series=measurements,
                    )
                )
            stages.append(replace(stage, kpis=tuple(kpis)))
        updated.append(replace(journey, stages=tuple(stages)))
    return replace(playbook, journeys=tuple(updated)), problems
