"""The validation pipeline: load → kind → schema → structure → charter rules.

`validate` never raises for a bad document: every problem becomes a
`Finding` in the returned `Report`. It raises only when the API is misused
(`UsageError`). `require_valid` is its raising twin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing import _loading as loading
from woda_sharing import _positions
from woda_sharing import _schema as schema
from woda_sharing._findings import Finding, Report, Severity, pointer
from woda_sharing._legal import Catalogue
from woda_sharing._loading import DEFAULT_LIMITS, Limits, load_json
from woda_sharing._model import Agreement, Charter
from woda_sharing._waivers import WAIVER_CODES, apply_waivers
from woda_sharing.exceptions import (
    CanonicalizationError,
    CatalogueError,
    DocumentError,
    LoadError,
    UsageError,
)
from woda_sharing.rules import Rules, builtin_catalogue, builtin_rules

__all__ = ["PIPELINE_CODES", "CharterInfo", "PipelineCode", "require_valid", "validate"]

# Finding codes of the pipeline stages after loading (loading owns WS001-WS007).
CODE_UNKNOWN_KIND: Final = "WS008"
CODE_FORMAT_VERSION: Final = "WS009"
CODE_SCHEMA: Final = "WS010"
CODE_STRUCTURE: Final = "WS011"
CODE_NO_CHARTER: Final = "WS012"
CODE_CATALOGUE: Final = "WS013"


@frozen
class PipelineCode:
    """A finding code of the validation pipeline itself: its title and the stage that emits it.

    ``stage`` is ``"load"`` (the file could not be read as a JSON object),
    ``"kind"``, ``"schema"``, ``"structure"``, ``"charter"`` or ``"waiver"``
    (the document's waivers, applied after the rules). The charter
    rules' codes are in the rule table instead (`builtin_rules`).
    """

    title: str
    stage: Literal["load", "kind", "schema", "structure", "charter", "waiver"]

    @property
    def unreadable(self) -> bool:
        """The code means the input could not be read as a JSON object at all."""
        return self.stage == "load"


#: The one table of the pipeline's codes (the rules' codes are in the rule table).
PIPELINE_CODES: Final[Mapping[str, PipelineCode]] = {
    loading.CODE_UNREADABLE: PipelineCode("The file cannot be read", "load"),
    loading.CODE_ENCODING: PipelineCode(
        "The file is not UTF-8 (byte order mark, invalid bytes or lone surrogate)", "load"
    ),
    loading.CODE_SYNTAX: PipelineCode("The file is not JSON", "load"),
    loading.CODE_DUPLICATE_KEY: PipelineCode(
        "An object has two members with the same name", "load"
    ),
    loading.CODE_NUMBER: PipelineCode("A number is not an integer within ±(2**53 - 1)", "load"),
    loading.CODE_LIMIT: PipelineCode("A size, depth, string or array limit is exceeded", "load"),
    loading.CODE_NOT_OBJECT: PipelineCode("The top level is not a JSON object", "load"),
    CODE_UNKNOWN_KIND: PipelineCode("The document's kind is missing or unknown", "kind"),
    CODE_FORMAT_VERSION: PipelineCode(
        "The document's format version is missing or not supported", "kind"
    ),
    CODE_SCHEMA: PipelineCode("The document does not match its JSON Schema", "schema"),
    CODE_STRUCTURE: PipelineCode(
        "A value cannot be read into the model (for instance an impossible date)", "structure"
    ),
    CODE_NO_CHARTER: PipelineCode(
        "The agreement's charter was not given, so charter rules did not run", "charter"
    ),
    CODE_CATALOGUE: PipelineCode("Legal-basis entries clash with the catalogue", "charter"),
    **{code: PipelineCode(title, "waiver") for code, title in WAIVER_CODES.items()},
}

_MODEL: Final[Mapping[str, type[Charter] | type[Agreement]]] = {
    "charter": Charter,
    "agreement": Agreement,
}
_FORMAT_VERSIONS: Final = frozenset({1})


class CharterInfo:
    """A charter prepared once for validating many agreements: typed, with its digest.

    Build it with `CharterInfo.from_data` from the charter's wire form: the
    digest is computed over exactly that. A typed `Charter` given to
    `validate` carries no digest (its wire form may have spelt defaults out
    or left them implicit), so the digest half of rule WS106 does not run.
    """

    __slots__ = ("charter", "digest")

    def __init__(self, charter: Charter, digest: str | None) -> None:
        self.charter = charter
        self.digest = digest

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CharterInfo:
        """Type the charter's wire form, raising `DocumentError` if it is not a valid charter."""
        return cls.from_report(validate(data))

    @classmethod
    def of(cls, charter: object) -> CharterInfo:
        """Prepare *charter*: a `CharterInfo` as it is, a `Charter`, or a wire mapping (validated).

        Raises `DocumentError` for a mapping that is not a valid charter and
        `UsageError` for anything else.
        """
        if isinstance(charter, CharterInfo):
            return charter
        if isinstance(charter, Charter):
            # A typed charter has lost the exact wire form its digest was taken over.
            return cls(charter, None)
        if isinstance(charter, Mapping):
            return cls.from_data(charter)
        raise UsageError(
            f"charter must be a Charter, a CharterInfo or a mapping, not {type(charter).__name__}"
        )

    @classmethod
    def from_report(cls, report: Report) -> CharterInfo:
        """Prepare the charter a `Report` has already validated, raising `DocumentError` if invalid."""
        if not isinstance(report.document, Charter) or not report.ok:
            raise DocumentError("the charter given is not a valid charter", report=report)
        return cls(report.document, _digest_or_none(report.data))


def _digest_or_none(data: Mapping[str, Any]) -> str | None:
    try:
        return canonical.digest(data)
    except CanonicalizationError:
        return None


def _coerce_charter(charter: object) -> CharterInfo | None:
    return None if charter is None else CharterInfo.of(charter)


def validate(
    document: bytes | Mapping[str, Any] | Charter | Agreement,
    *,
    charter: Charter | CharterInfo | Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    catalogue: Catalogue | None = None,
    rules: Rules | None = None,
    limits: Limits = DEFAULT_LIMITS,
    source: str = "<document>",
) -> Report:
    """Validate one document and return its `Report`; never raises for a bad document.

    *document* is raw bytes (loaded strictly), parsed JSON, or a model object.
    *charter* is the charter an agreement sits under; without it, the rules
    that need a charter are skipped and a ``WS012`` warning says so. *today*
    is the date lifecycle rules judge against (default: the local date).
    *catalogue* replaces the built-in legal-basis catalogue; *rules* replaces
    the built-in rule table.
    """
    if isinstance(document, (Charter, Agreement)):
        try:
            data: Any = codec.unstructure(document)
        except Exception as e:
            message = f"the {type(document).__name__} object has a field of the wrong type ({type(e).__name__}: {e})"
            return Report(
                source=source,
                kind=document.kind,
                findings=(_error(CODE_STRUCTURE, "", message),),
            )
    elif isinstance(document, (bytes, bytearray, memoryview)):
        raw = bytes(document)
        try:
            data = load_json(raw, source=source, limits=limits)
        except LoadError as e:
            return _positions.locate(load_error_report(e, source), raw)
        report = validate(
            data,
            charter=charter,
            today=today,
            catalogue=catalogue,
            rules=rules,
            limits=limits,
            source=source,
        )
        return _positions.locate(report, raw)
    elif isinstance(document, Mapping):
        data = document
    else:
        raise UsageError(
            f"cannot validate a {type(document).__name__}: give bytes, a mapping or a document"
        )
    charter_info = _coerce_charter(charter)
    return _validate_data(
        data,
        source=source,
        charter=charter_info,
        today=today or dt.date.today(),  # a calendar date in the user's own zone
        catalogue=builtin_catalogue() if catalogue is None else catalogue,
        rules=builtin_rules() if rules is None else rules,
    )


def load_error_report(error: LoadError, source: str) -> Report:
    """The report of a document that could not be read: one error finding from *error*."""
    finding = Finding(
        code=error.code, severity=Severity.ERROR, pointer=error.pointer, message=error.message
    )
    return Report(source=source, kind=None, findings=(finding,))


def require_valid(
    document: bytes | Mapping[str, Any] | Charter | Agreement,
    *,
    charter: Charter | CharterInfo | Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    catalogue: Catalogue | None = None,
    rules: Rules | None = None,
    limits: Limits = DEFAULT_LIMITS,
    source: str = "<document>",
) -> Charter | Agreement:
    """Validate like `validate` and return the typed document, or raise `DocumentError`."""
    report = validate(
        document,
        charter=charter,
        today=today,
        catalogue=catalogue,
        rules=rules,
        limits=limits,
        source=source,
    )
    if not report.ok or not isinstance(report.document, (Charter, Agreement)):
        first = report.errors[0] if report.errors else None
        detail = f": {first.text()}" if first else ""
        raise DocumentError(f"{report.source} is not valid{detail}", report=report)
    return report.document


def _error(code: str, where: str, message: str, hint: str | None = None) -> Finding:
    return Finding(code=code, severity=Severity.ERROR, pointer=where, message=message, hint=hint)


def _validate_data(
    data: Mapping[str, Any],
    *,
    source: str,
    charter: CharterInfo | None,
    today: dt.date,
    catalogue: Catalogue,
    rules: Rules,
) -> Report:
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in schema.KINDS:
        return _unknown_kind(data, source)
    version = data.get("format_version")
    if type(version) is not int or version not in _FORMAT_VERSIONS:
        message = f"format version {version!r} is not supported (this library reads 1)"
        path = pointer("format_version") if "format_version" in data else ""
        finding = _error(CODE_FORMAT_VERSION, path, message, "set format_version to 1")
        return Report(source=source, kind=kind, findings=(finding,), data=data)

    if not schema.fast_is_valid(kind, data):
        findings = tuple(_schema_findings(kind, data))
        return Report(source=source, kind=kind, findings=findings, data=data)

    if kind not in _MODEL:  # a kind with a schema but no model (a keyring): the schema is all
        return Report(source=source, kind=kind, findings=(), data=data)
    model = _MODEL[kind]
    try:
        document: Charter | Agreement = codec.structure_schema_valid(data, model)
    except DocumentError as e:
        issues = codec.structure_issues(e.__cause__ or e, model)
        findings = tuple(_error(CODE_STRUCTURE, i.pointer, i.message) for i in issues)
        return Report(source=source, kind=kind, findings=findings, data=data)

    findings_list: list[Finding] = []
    if isinstance(document, Charter):
        charter_info: CharterInfo | None = CharterInfo(document, None)
        agreement = None
    else:
        charter_info, agreement = charter, document
        if charter_info is None:
            findings_list.append(
                Finding(
                    code=CODE_NO_CHARTER,
                    severity=Severity.WARNING,
                    pointer=pointer("charter"),
                    message=f"charter {document.charter.id} version {document.charter.version} was not given;"
                    " charter rules did not run",
                    hint="pass --charter FILE, or validate the charter's folder together with the agreement",
                )
            )
    try:
        full = _catalogue_for(catalogue, charter_info.charter if charter_info else None, agreement)
    except CatalogueError as e:
        findings_list.append(_error(CODE_CATALOGUE, pointer("legal_bases"), str(e)))
        full = catalogue
    findings_list.extend(
        rules.run(
            document,
            charter=charter_info.charter if charter_info else None,
            catalogue=full,
            today=today,
            charter_digest=charter_info.digest if charter_info else None,
        )
    )
    has_charter = charter_info is not None
    counting, waived = apply_waivers(
        document.waivers,
        findings_list,
        today=today,
        known=(r.code for r in rules),
        ran=(
            r.code for r in rules if r.applies_to == kind and (has_charter or not r.needs_charter)
        ),
    )
    return Report(
        source=source,
        kind=kind,
        findings=tuple(counting),
        document=document,
        data=data,
        waived=tuple(waived),
    )


def _unknown_kind(data: Mapping[str, Any], source: str) -> Report:
    kind = data.get("kind")
    if kind is None:
        finding = _error(CODE_UNKNOWN_KIND, "", "the document has no kind member", _KIND_HINT)
    else:
        finding = _error(CODE_UNKNOWN_KIND, pointer("kind"), f"unknown kind {kind!r}", _KIND_HINT)
    return Report(
        source=source, kind=kind if isinstance(kind, str) else None, findings=(finding,), data=data
    )


_KIND_HINT: Final = "set kind to 'charter' or 'agreement'"


def _catalogue_for(
    base: Catalogue, charter: Charter | None, agreement: Agreement | None
) -> Catalogue:
    full = base
    if charter is not None and charter.legal_bases:
        full = full.extended(charter.legal_bases)
    if agreement is not None and agreement.legal_bases:
        full = full.extended(agreement.legal_bases)
    return full


def _schema_findings(kind: str, data: Mapping[str, Any]) -> Iterable[Finding]:
    from woda_sharing._plain import plain_schema_findings  # noqa: PLC0415 - failure path only

    explanation = schema.explain(kind, data)
    plain = plain_schema_findings(_deepest(error) for error in explanation.errors)
    # One error can name several members (unknown or missing): keep the cap on findings.
    shown = plain[: schema.MAX_SCHEMA_ERRORS]
    more = explanation.more + len(plain) - len(shown)
    for finding in shown:
        yield _error(CODE_SCHEMA, finding.pointer, finding.message, finding.hint)
    if more:
        yield _error(
            CODE_SCHEMA,
            "",
            f"and {more} more schema errors (only the first {len(shown)} are listed)",
            "fix these and validate again to see the rest",
        )


def _deepest(error: Any) -> Any:
    """For ``oneOf``/``anyOf`` failures, pick the most relevant branch error (jsonschema's best_match)."""
    from jsonschema.exceptions import best_match  # noqa: PLC0415 - only on the failure path

    if error.context:
        return best_match(error.context) or error
    return error
