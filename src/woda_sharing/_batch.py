"""Validate many files at once: charters first, then each agreement against the charter it cites.

`validate_many` is what ``woda-sharing validate`` runs, as a library function:
folders are walked for ``*.json``, ``*.yaml`` and ``*.yml`` files (hidden and underscore-prefixed files
and folders are skipped; a file named directly is always read), every file
gets a `Report`, and the reports come back together as a `BatchReport`.
Like `validate`, it never raises for a bad document.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from attrs import frozen

from woda_sharing import _positions
from woda_sharing._findings import Report
from woda_sharing._gc import collector_paused
from woda_sharing._legal import Catalogue
from woda_sharing._loading import DEFAULT_LIMITS, Limits, load_json
from woda_sharing._model import Charter
from woda_sharing._sources import STDIN, is_stdin, is_yaml, read_source, source_name
from woda_sharing._validation import PIPELINE_CODES, CharterInfo, load_error_report, validate
from woda_sharing.exceptions import DocumentError, LoadError, UsageError
from woda_sharing.rules import Rules

__all__ = ["BatchReport", "validate_many"]

#: What a folder walk reads: JSON, and YAML (read only with the ``yaml`` extra installed).
_SUFFIXES: Final = frozenset({".json", ".yaml", ".yml"})
_UNREADABLE: Final = frozenset(code for code, entry in PIPELINE_CODES.items() if entry.unreadable)


@frozen(kw_only=True)
class BatchReport:
    """The reports of every file `validate_many` read, in the order it read them.

    Truthy when no file has an error finding. Iterating yields the `Report`
    of each file; ``report.source`` is the file's path.
    """

    reports: tuple[Report, ...]

    @property
    def ok(self) -> bool:
        """No file has an error finding."""
        return all(r.ok for r in self.reports)

    @property
    def unreadable(self) -> tuple[Report, ...]:
        """The reports of files that could not be read as a JSON object (codes ``WS001``-``WS007``)."""
        return tuple(r for r in self.reports if r.codes() & _UNREADABLE)

    def __bool__(self) -> bool:
        return self.ok

    def __iter__(self) -> Iterator[Report]:
        return iter(self.reports)

    def __len__(self) -> int:
        return len(self.reports)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing validate --format json``."""
        return {"ok": self.ok, "files": [r.as_dict() for r in self.reports]}


@collector_paused  # many documents, millions of small objects, no cycles
def validate_many(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    charter: str | os.PathLike[str] | Charter | CharterInfo | Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    catalogue: Catalogue | None = None,
    rules: Rules | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BatchReport:
    """Validate every file in *paths* (files or folders, or one of them) and return their reports.

    Charters are validated first; each agreement is then checked against
    *charter* when given (a path, a `Charter`, a `CharterInfo` or a wire
    mapping), or else against the valid charter among the files whose id and
    version it cites. *today*, *catalogue*, *rules* and *limits* are passed to
    `validate` for every file.

    A path ``-`` reads one document from standard input (its report's
    source is ``<stdin>``); name a file called ``-`` as ``./-``.

    Raises `UsageError` when *paths* holds no file at all or names standard
    input twice, and `DocumentError`
    (with the charter's ``report``) when *charter* is not a valid charter.
    """
    files = list(_walk([paths] if isinstance(paths, (str, os.PathLike)) else paths))
    if not files:
        raise UsageError("no JSON or YAML files found")
    if sum(map(is_stdin, files)) + _is_stdin_path(charter) > 1:
        raise UsageError("standard input (-) can be read only once")
    # One date for every file, even across midnight.
    check = functools.partial(
        validate, today=today or dt.date.today(), catalogue=catalogue, rules=rules
    )
    given = None if charter is None else _given_charter(charter, limits, check)

    loaded = [(source_name(path), *_load(path, limits)) for path in files]
    # Charters first, so that agreements among the same files can be checked against them.
    charters: dict[tuple[str, int], CharterInfo] = {}
    charter_reports: dict[int, Report] = {}
    for index, (source, data, placed) in enumerate(loaded):
        if not isinstance(data, Report) and data.get("kind") == "charter":
            report = charter_reports[index] = placed(check(data, source=source))
            if report.ok:
                info = CharterInfo.from_report(report)
                charters[(info.charter.id, info.charter.version)] = info
    reports: list[Report] = []
    for index, (source, data, placed) in enumerate(loaded):
        if isinstance(data, Report):  # the file could not be read
            reports.append(data)
        elif index in charter_reports:
            reports.append(charter_reports[index])
        else:
            cited = given or _cited_charter(data, charters)
            reports.append(placed(check(data, charter=cited, source=source)))
    return BatchReport(reports=tuple(reports))


def _is_stdin_path(charter: object) -> bool:
    return isinstance(charter, (str, os.PathLike)) and is_stdin(charter)


def _walk(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | str]:
    for raw in paths:
        if is_stdin(raw):
            yield STDIN
            continue
        path = Path(raw)
        if path.is_dir():
            # Hidden and underscore-prefixed files are not documents (tool output, fixtures).
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in _SUFFIXES
                and p.is_file()
                and not any(part.startswith(("_", ".")) for part in p.relative_to(path).parts)
            )
        else:
            yield path


_Place = Callable[[Report], Report]


def _as_is(report: Report) -> Report:
    return report


def _load(path: Path | str, limits: Limits) -> tuple[dict[str, Any] | Report, _Place]:
    """The document's object, or the report of why it could not be read as one.

    Also returns what places the findings of its report at their lines and
    columns (the reports of unreadable files are placed already).
    """
    source = source_name(path)
    try:
        raw = read_source(path, limits=limits)
    except LoadError as e:
        return load_error_report(e, source), _as_is
    if is_yaml(path):
        from woda_sharing._yaml import error_place, load_yaml_located  # noqa: PLC0415 - optional

        try:
            data, positions = load_yaml_located(raw, source=source, limits=limits)
        except LoadError as e:
            return _positions.place_all(load_error_report(e, source), error_place(e)), _as_is
        return data, functools.partial(_positions.locate_with, locator=positions)
    try:
        return load_json(raw, source=source, limits=limits), functools.partial(
            _positions.locate, data=raw
        )
    except LoadError as e:
        return _positions.locate(load_error_report(e, source), raw), _as_is


def _given_charter(
    charter: str | os.PathLike[str] | Charter | CharterInfo | Mapping[str, Any],
    limits: Limits,
    check: functools.partial[Report],
) -> CharterInfo:
    if not isinstance(charter, (str, os.PathLike)):
        return CharterInfo.of(charter)
    source = source_name(charter)
    data, placed = _load(STDIN if is_stdin(charter) else Path(charter), limits)
    report = data if isinstance(data, Report) else placed(check(data, source=source))
    if report.kind != "charter" or not report.ok:
        raise DocumentError(f"{source} is not a valid charter", report=report)
    return CharterInfo.from_report(report)


def _cited_charter(
    data: Mapping[str, Any], charters: Mapping[tuple[str, int], CharterInfo]
) -> CharterInfo | None:
    """The charter among the files that an agreement cites by id and version, if any."""
    ref = data.get("charter") if data.get("kind") == "agreement" else None
    if not isinstance(ref, dict):
        return None
    charter_id, version = ref.get("id"), ref.get("version")
    if not isinstance(charter_id, str) or type(version) is not int:
        return None  # the schema will say why
    return charters.get((charter_id, version))
