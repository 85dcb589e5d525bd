"""Check that a built wheel ships the files the library reads at run time.

    python tools/check_wheel.py dist        # the newest wheel in dist/
    python tools/check_wheel.py dist/x.whl  # one wheel

Used by ``nox -s build``. The wheel must hold ``woda_sharing/py.typed``,
``woda_sharing/data/legal-bases.json`` and every ``schemas/*.schema.json`` of
the repository as ``woda_sharing/schemas/<name>``, each byte for byte equal to
the repository's copy (``src/woda_sharing/schemas`` is a symbolic link to
``schemas/``, and a build that stored the link instead of the files would
ship no schemas). Exits 0 when all is there, 1 listing what is missing or
different, 2 when there is no wheel to check.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

__all__ = ["expected_files", "main", "problems"]

ROOT = Path(__file__).resolve().parent.parent


def expected_files(root: Path = ROOT) -> dict[str, Path]:
    """Map each path the wheel must contain to the repository file it must equal."""
    package = root / "src" / "woda_sharing"
    expected = {
        "woda_sharing/py.typed": package / "py.typed",
        "woda_sharing/data/legal-bases.json": package / "data" / "legal-bases.json",
    }
    for path in sorted((root / "schemas").glob("*.schema.json")):
        expected[f"woda_sharing/schemas/{path.name}"] = path
    return expected


def problems(wheel: Path, root: Path = ROOT) -> list[str]:
    """Return what is wrong with *wheel* (an empty list when nothing is)."""
    found: list[str] = []
    expected = expected_files(root)
    if not any(name.startswith("woda_sharing/schemas/") for name in expected):
        found.append(f"no schemas found under {root / 'schemas'}")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name, source in expected.items():
            if name not in names:
                found.append(f"missing: {name}")
            elif archive.read(name) != source.read_bytes():
                found.append(f"differs from {source.relative_to(root)}: {name}")
    return found


def _wheel(target: Path) -> Path | None:
    if target.is_file():
        return target
    wheels = sorted(target.glob("woda_sharing-*.whl"), key=lambda p: p.stat().st_mtime)
    return wheels[-1] if wheels else None


def main(argv: list[str] | None = None) -> int:
    """Check the wheel named by, or newest in, the path given; return the exit status."""
    parser = argparse.ArgumentParser(description="Check that a wheel ships schemas and data.")
    parser.add_argument("target", type=Path, help="a wheel, or a folder holding wheels")
    args = parser.parse_args(argv)
    wheel = _wheel(args.target)
    if wheel is None:
        print(f"check_wheel: no woda_sharing wheel in {args.target}", file=sys.stderr)
        return 2
    found = problems(wheel)
    for problem in found:
        print(f"check_wheel: {wheel.name}: {problem}", file=sys.stderr)
    if not found:
        print(f"check_wheel: {wheel.name}: {len(expected_files())} required files present")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
