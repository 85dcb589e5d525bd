"""The binding check: a rendering came from a given signed document, or it says why not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests._render_fixtures import AT, charter, examples, keyring, load
from woda_sharing import _canonical as canonical
from woda_sharing.render import (
    BindingError,
    Format,
    RenderError,
    check_rendering,
    render,
    require_binding,
)
from woda_sharing.render._render import GENERATOR


def _inputs(name: str) -> dict[str, Any]:
    extra: dict[str, Any] = {"keyring": keyring()}
    if load(name)["kind"] == "agreement":
        extra["charter"] = charter()
    return extra


@pytest.mark.parametrize("name", examples(), ids=str)
@pytest.mark.parametrize("form", ["html", "markdown"])
def test_a_rendering_of_each_signed_example_is_bound(name: str, form: str) -> None:
    document = load(name)
    data = render(document, format=form, at=AT, **_inputs(name))
    result = check_rendering(data, document, **_inputs(name))
    assert result, result.reasons
    assert result.format is Format(form)
    assert result.digest == result.shown == canonical.digest(document)
    assert result.as_dict()["bound"] is True
    assert require_binding(data, document, **_inputs(name)) == result


def _html(name: str = "early-help-families.json", **kwargs: Any) -> bytes:
    return render(load(name), at=AT, **{**_inputs(name), **kwargs})


def _check(data: bytes, name: str = "early-help-families.json", **kwargs: Any) -> Any:
    return check_rendering(data, load(name), **{**_inputs(name), **kwargs})


def test_edited_visible_text_fails() -> None:
    data = _html()
    edited = data.replace(b"within 24 hours", b"within 72 hours", 1)
    assert edited != data
    result = _check(edited)
    assert not result
    assert "the rendering was edited" in result.reasons[0]
    with pytest.raises(BindingError, match="the rendering was edited") as caught:
        require_binding(
            edited, load("early-help-families.json"), **_inputs("early-help-families.json")
        )
    assert caught.value.result == result


def test_an_edited_markdown_rendering_fails() -> None:
    data = render(load("charter.json"), format="markdown", at=AT, keyring=keyring())
    edited = data.replace(b"Every member endorses", b"Some members endorse", 1)
    result = check_rendering(edited, load("charter.json"), keyring=keyring())
    assert not result
    assert "line" in result.reasons[0]


def test_a_rendering_of_another_version_fails() -> None:
    other = load("early-help-families.json")
    other["version"] = 2
    data = render(other, at=AT, **_inputs("early-help-families.json"))
    result = _check(data)
    assert not result
    assert "another document or version" in result.reasons[0]


def test_a_rendering_of_another_document_fails() -> None:
    data = _html("charter.json")
    result = _check(data)
    assert not result
    assert "another document or version" in result.reasons[0]


def test_a_swapped_embedded_document_fails_on_the_digest_shown() -> None:
    data = _html()
    other = load("early-help-families.json")
    other["title"] = "Swapped"
    swapped_json = json.dumps(other, separators=(",", ":")).replace("<", "\\u003c")
    start = data.index(b'id="woda-signed-document">') + len(b'id="woda-signed-document">')
    end = data.index(b"</script>", start)
    swapped = data[:start] + swapped_json.encode() + data[end:]
    result = check_rendering(swapped, other, **_inputs("early-help-families.json"))
    assert not result
    assert "is not the digest of what it carries" in " ".join(result.reasons)


def test_a_rendering_made_with_a_keyring_needs_that_keyring() -> None:
    data = _html()
    result = check_rendering(data, load("early-help-families.json"), charter=charter())
    assert not result
    assert "give that keyring to check it" in result.reasons[0]
    other = keyring()
    other["id"] = "another-keyring"
    result = _check(data, keyring=other)
    assert not result
    assert "another keyring" in result.reasons[0]


def test_a_rendering_made_with_a_charter_needs_that_charter() -> None:
    data = _html()
    result = check_rendering(data, load("early-help-families.json"), keyring=keyring())
    assert "give that charter to check it" in result.reasons[0]


def test_a_rendering_made_without_keyring_checks_without_one() -> None:
    document = load("charter.json")
    data = render(document, at=AT)
    assert check_rendering(data, document)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"hello", "not a rendering woda_sharing made", id="text"),
        pytest.param(b"", "not a rendering woda_sharing made", id="empty"),
        pytest.param(b"<!DOCTYPE html><p>hi</p>", "carries no signed document", id="plain-html"),
        pytest.param(b"<!DOCTYPE html>\xff\xfe", "not UTF-8", id="html-not-utf8"),
        pytest.param(
            b"x\n<!-- woda-sharing:signed-document -->\n\xff", "not UTF-8", id="md-not-utf8"
        ),
        pytest.param(
            b"<!-- woda-sharing:signed-document -->\n```json\n{\n```\n",
            "the signed document it carries is unreadable",
            id="md-broken-fence",
        ),
        pytest.param(b"%PDF-1.7\nnot really", "the PDF cannot be read", id="broken-pdf"),
    ],
)
def test_what_is_not_a_rendering_fails_with_a_reason(data: bytes, reason: str) -> None:
    result = check_rendering(data, load("charter.json"))
    assert not result
    assert reason in result.reasons[0]


def _replace_options(data: bytes, options: str) -> bytes:
    start = data.index(b'name="WodaRender" content="') + len(b'name="WodaRender" content="')
    end = data.index(b'"', start)
    return data[:start] + options.encode() + data[end:]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        pytest.param("not json", "options are unreadable", id="not-json"),
        pytest.param("{}", "options are unreadable", id="empty"),
        pytest.param(
            '{"at":1,"keyring":null,"charter":null,"findings":false,"generator":"x"}',
            "options are unreadable",
            id="types",
        ),
        pytest.param(
            '{"at":"yesterday","keyring":null,"charter":null,"findings":false,"generator":"'
            + GENERATOR
            + '"}',
            "time 'yesterday' is unreadable",
            id="time",
        ),
        pytest.param(
            '{"at":"2026-12-01T09:30:00Z","keyring":null,"charter":null,"findings":false,"generator":"0.0.1"}',
            "made by woda_sharing 0.0.1",
            id="generator",
        ),
    ],
)
def test_unreadable_options_fail(options: str, reason: str) -> None:
    document = load("charter.json")
    data = _replace_options(render(document, at=AT), options.replace('"', "&#34;"))
    result = check_rendering(data, document)
    assert not result
    assert reason in result.reasons[0]


def test_missing_options_fail() -> None:
    document = load("charter.json")
    data = render(document, at=AT).replace(b'name="WodaRender"', b'name="Other"')
    result = check_rendering(data, document)
    assert "does not say how it was made" in result.reasons[0]


def test_an_unreadable_embedded_document_fails() -> None:
    document = load("charter.json")
    data = render(document, at=AT).replace(
        b'id="woda-signed-document">{', b'id="woda-signed-document">{{', 1
    )
    result = check_rendering(data, document)
    assert "unreadable" in result.reasons[0]


def test_bad_arguments_raise() -> None:
    with pytest.raises(RenderError, match="bytes"):
        check_rendering("text", load("charter.json"))  # type: ignore[arg-type]
    with pytest.raises(RenderError, match="JSON object"):
        check_rendering(b"", [])  # type: ignore[arg-type]
    with pytest.raises(RenderError, match="no canonical form"):
        check_rendering(b"", {"version": 1.5})
