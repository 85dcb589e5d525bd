"""Every ```python block in the docs runs, so the docs cannot rot.

The conventions, which the pages follow:

- The blocks of one page run in order, in one shared namespace, with the
  current directory set to ``examples/worcestershire`` in a temporary copy of
  the repository's ``examples/`` folder (so ``../keys/`` holds the example
  keys, and a page may write files without touching the repository). Each
  page with Python says so in a note at its top.
- A block immediately preceded by ``<!-- not-executed: REASON -->`` is not run.
- A block immediately followed by a ```text block must print exactly that text.

Pages that another test already runs as written are not run twice; the test
that runs each of them is named in `RUN_ELSEWHERE`.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
#: Where each page's blocks run, inside the copy of ``examples/``.
WORKDIR = "worcestershire"

#: Pages whose blocks another test runs (with its own conventions), by the test that runs them.
RUN_ELSEWHERE: dict[str, str] = {
    "docs/tutorial.md": "tests/test_examples.py",
    "docs/how-to/custom-rule.md": "tests/rules/test_custom_rule_doc.py",
    "docs/how-to/extend-catalogue.md": "tests/test_legal.py",
    "docs/reference/schemas.md": "tests/test_schema.py",
}

#: Pages this test cannot run yet, with why; strict, so a fixed page fails until it is removed.
KNOWN_BROKEN: dict[str, tuple[str, type[Exception]]] = {}

_FENCE = re.compile(r"^([ \t]*)(`{3,})([\w-]*)[ \t]*$")
_NOT_EXECUTED = re.compile(r"^[ \t]*<!--\s*not-executed:\s*(\S.*?)\s*-->[ \t]*$")


class Block(NamedTuple):
    """One fenced block of a page."""

    lang: str
    body: str
    line: int  # 1-based line of the opening fence
    skip_reason: str | None  # from a not-executed comment just before it
    output: str | None  # the ```text block just after it, for a python block


def _blocks(text: str) -> list[Block]:
    """Parse the fenced blocks of a Markdown page (fences may be indented, as in lists)."""
    lines = text.splitlines()
    raw: list[tuple[str, str, int, int, str | None]] = []  # lang, body, first, last, skip
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, ticks, lang = opening.groups()
        j = i + 1
        while j < len(lines) and lines[j].strip() != ticks:
            j += 1
        if j == len(lines):
            pytest.fail(f"line {i + 1}: the block is never closed")
        body = "".join(line.removeprefix(indent) + "\n" for line in lines[i + 1 : j])
        before = [line for line in lines[:i] if line.strip()]
        marker = _NOT_EXECUTED.match(before[-1]) if before else None
        raw.append((lang, body, i, j, marker.group(1) if marker else None))
        i = j + 1
    blocks = []
    for n, (lang, body, first, last, skip) in enumerate(raw):
        output = None
        if lang == "python" and n + 1 < len(raw):
            next_lang, next_body, next_first, _, _ = raw[n + 1]
            between = lines[last + 1 : next_first]
            if next_lang == "text" and not any(line.strip() for line in between):
                output = next_body
        blocks.append(Block(lang, body, first + 1, skip, output))
    return blocks


def _pages() -> list[Path]:
    pages = sorted((ROOT / "docs").rglob("*.md"))
    return [*pages, ROOT / "README.md"]


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _python_pages() -> list[object]:
    params: list[object] = []
    for page in _pages():
        name = _name(page)
        if name in RUN_ELSEWHERE or "```python" not in page.read_text(encoding="utf-8"):
            continue
        marks = []
        if name in KNOWN_BROKEN:
            reason, error = KNOWN_BROKEN[name]
            marks.append(pytest.mark.xfail(reason=reason, raises=error, strict=True))
        params.append(pytest.param(page, id=name, marks=marks))
    return params


@pytest.mark.parametrize("page", _python_pages())
def test_page_python_blocks_run(
    page: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path / "examples" / WORKDIR)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    ran = 0
    for block in _blocks(page.read_text(encoding="utf-8")):
        if block.lang != "python" or block.skip_reason is not None:
            continue
        # Pad with blank lines so that a traceback names the page's own line numbers.
        code = compile("\n" * block.line + block.body, str(page), "exec")
        capsys.readouterr()
        exec(code, namespace)  # noqa: S102 - our own docs
        printed = capsys.readouterr().out
        if block.output is not None:
            assert printed == block.output, f"{_name(page)}:{block.line} printed something else"
        ran += 1
    assert ran, f"{_name(page)} has Python blocks but every one is marked not-executed"


_CHECK = re.compile(r"^\$ (woda-sharing check .*?)\n(.*?)(?=^\$ |\Z)", re.MULTILINE | re.DOTALL)


def _check_commands() -> list[object]:
    """Every ``$ woda-sharing check ...`` shown in a text block, with the output shown after it."""
    params: list[object] = []
    for page in _pages():
        for block in _blocks(page.read_text(encoding="utf-8")):
            if block.lang != "text":
                continue
            for command, output in _CHECK.findall(block.body.replace("\\\n", "")):
                ident = f"{_name(page)}:{block.line}:{len(params)}"
                params.append(pytest.param(command, output, id=ident))
    return params


@pytest.mark.parametrize(("command", "output"), _check_commands())
def test_check_commands_print_what_the_docs_show(
    command: str,
    output: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from woda_sharing.cli import main

    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path / "examples" / WORKDIR)
    code = main(shlex.split(command)[1:])
    assert capsys.readouterr().out == output
    assert code == (0 if output.startswith("permitted") else 1)


@pytest.mark.parametrize(("page", "test"), sorted(RUN_ELSEWHERE.items()))
def test_pages_skipped_here_are_run_by_another_test(page: str, test: str) -> None:
    assert "```python" in (ROOT / page).read_text(encoding="utf-8"), f"{page} has no Python now"
    assert Path(page).name in (ROOT / test).read_text(encoding="utf-8"), (
        f"{test} no longer runs {page}"
    )


@pytest.mark.parametrize("page", _pages(), ids=_name)
def test_not_executed_markers_carry_a_reason_and_precede_python(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    blocks = _blocks(text)
    assert sum(b.lang == "python" for b in blocks) == text.count("```python"), "a block was missed"
    assert all(b.lang == "python" for b in blocks if b.skip_reason is not None)
    marked = sum(b.skip_reason is not None for b in blocks)
    assert len(re.findall(r"<!--\s*not-executed", text)) == marked, (
        "a not-executed comment has no reason, or no block right after it"
    )


def test_the_block_parser() -> None:
    text = (
        "Intro\n\n"
        "```python\nprint('a')\n```\n\n"
        "```text\na\n```\n\n"
        "<!-- not-executed: calls your own system -->\n"
        "```python\nsend()\n```\n\n"
        "1. A step:\n\n   ```python\n   x = 1\n   ```\n"
    )
    assert _blocks(text) == [
        Block("python", "print('a')\n", 3, None, "a\n"),
        Block("text", "a\n", 7, None, None),
        Block("python", "send()\n", 12, "calls your own system", None),
        Block("python", "x = 1\n", 18, None, None),
    ]


# --- one public door: examples import only through woda_sharing ----------------------------

#: The submodules a user may import from by name, besides ``woda_sharing`` itself
#: (``register`` and ``render`` need their extras).
PUBLIC_NAMESPACES = frozenset({"exceptions", "register", "render", "rules", "testing"})


def door_violations(source: str) -> list[str]:
    """Every way *source* reaches ``woda_sharing`` other than through its door, as ``line: what``.

    Allowed: ``import woda_sharing [as x]``, ``from woda_sharing import NAME`` for a
    name in ``woda_sharing.__all__`` or a public namespace, and imports from a public
    namespace. Anything else (``from woda_sharing._signing import ...``, ``import
    woda_sharing._keys``, ``from woda_sharing import canonical``, ``woda_sharing._codec.x``
    reached through an attribute) is a violation.
    """
    import ast

    import woda_sharing

    allowed_names = set(woda_sharing.__all__) | PUBLIC_NAMESPACES
    aliases = {"woda_sharing"}
    found: list[str] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top, _, rest = alias.name.partition(".")
                if top != "woda_sharing":
                    continue
                if rest and rest not in PUBLIC_NAMESPACES:
                    found.append(f"{node.lineno}: import {alias.name}")
                elif not rest:
                    aliases.add(alias.asname or "woda_sharing")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top, _, rest = node.module.partition(".")
            if top != "woda_sharing":
                continue
            if rest and rest.split(".")[0] not in PUBLIC_NAMESPACES:
                found.append(f"{node.lineno}: from {node.module} import ...")
            elif not rest:
                found.extend(
                    f"{node.lineno}: from woda_sharing import {alias.name}"
                    for alias in node.names
                    if alias.name not in allowed_names
                )
    found.extend(
        f"{node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
        and node.attr not in allowed_names
        and not node.attr.startswith("__")
    )
    return found


@pytest.mark.parametrize("page", _pages(), ids=_name)
def test_docs_examples_import_only_through_the_door(page: Path) -> None:
    """Every Python block, run here, elsewhere or not at all, imports through `woda_sharing`."""
    violations = [
        f"{_name(page)}:{block.line + int(where.split(':')[0])}:{where.split(':', 1)[1]}"
        for block in _blocks(page.read_text(encoding="utf-8"))
        if block.lang == "python"
        for where in door_violations(block.body)
    ]
    assert violations == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import woda_sharing\nwoda_sharing.validate\n", []),
        ("import woda_sharing as ws\nws.load_path\nws.__version__\n", []),
        ("from woda_sharing import Policy, validate\n", []),
        (
            "from woda_sharing.rules import Hit\nfrom woda_sharing.testing import example_charter\n",
            [],
        ),
        ("from woda_sharing import exceptions\nimport woda_sharing.exceptions\n", []),
        (
            "from woda_sharing._signing import verify\n",
            ["1: from woda_sharing._signing import ..."],
        ),
        ("import woda_sharing._keys\n", ["1: import woda_sharing._keys"]),
        ("from woda_sharing import canonical, digest\n", ["1: from woda_sharing import canonical"]),
        ("from woda_sharing import _jws\n", ["1: from woda_sharing import _jws"]),
        ("import woda_sharing as ws\nws.codec.structure\n", ["2: ws.codec"]),
        ("import json\nfrom pathlib import Path\n", []),
    ],
    ids=[
        "module",
        "alias",
        "names",
        "namespaces",
        "namespace-module",
        "submodule",
        "import-submodule",
        "submodule-by-name",
        "private",
        "attribute",
        "other-packages",
    ],
)
def test_the_door_checker(source: str, expected: list[str]) -> None:
    assert door_violations(source) == expected
