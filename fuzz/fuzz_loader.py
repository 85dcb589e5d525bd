"""Fuzz the strict loader and the validation pipeline.

Run it with atheris (coverage-guided, libFuzzer options)::

    python fuzz/fuzz_loader.py -max_total_time=60 fuzz/corpus

libFuzzer adds the new inputs it finds to the first folder it is given; name
a scratch folder first (``python fuzz/fuzz_loader.py -max_total_time=60
scratch/ fuzz/corpus``) to keep the seed corpus clean.

Every input goes through `load_json`, `validate` and
`canonical.signed_bytes`. The only outcomes allowed are a `Report` and the
library's own `WodaError` subclasses; any other exception is a crash, which
the fuzzer saves with the input that caused it.

Without atheris (it has no wheels for some platforms and Python versions) the
same target runs as a plain, bounded, random mutation loop over the seed
corpus, honouring ``-max_total_time=N``, ``-runs=N`` and ``-seed=N``, so that
the ``fuzz`` nox session still does real work.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

atheris: ModuleType | None = None
if __name__ == "__main__":  # imported by the tests, it never instruments anything
    try:
        atheris = importlib.import_module("atheris")
    except ImportError:  # pragma: no cover - depends on the platform
        atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["woda_sharing", "json", "re"]):
        from woda_sharing import _canonical as canonical
        from woda_sharing._findings import Report
        from woda_sharing._loading import Limits, load_json
        from woda_sharing._validation import validate
        from woda_sharing.exceptions import WodaError
else:
    from woda_sharing import _canonical as canonical
    from woda_sharing._findings import Report
    from woda_sharing._loading import Limits, load_json
    from woda_sharing._validation import validate
    from woda_sharing.exceptions import WodaError

TODAY = dt.date(2024, 6, 1)
#: Small limits, so that the fuzzer reaches every limit quickly.
LIMITS = Limits(max_bytes=64 * 1024, max_depth=12, max_string_length=256, max_array_length=64)


def check(data: bytes) -> None:
    """Run *data* through the pipeline; raise only if the library breaks its contract."""
    for limits in (LIMITS, None):
        try:
            if limits is None:
                report = validate(data, today=TODAY, source="fuzz")
            else:
                report = validate(data, today=TODAY, source="fuzz", limits=limits)
        except WodaError:
            continue
        if not isinstance(report, Report):
            raise TypeError(f"validate returned a {type(report).__name__}, not a Report")
        try:
            canonical.signed_bytes(load_json(data, limits=limits or LIMITS))
        except WodaError:
            continue


TOKENS = (
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"\\",
    b",",
    b":",
    b"-0",
    b"1.0",
    b"1e400",
    b"NaN",
    b"-Infinity",
    b"9007199254740993",
    b"\\ud800",
    b"\\u0000",
    b"\xef\xbb\xbf",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\x00",
    b'"kind"',
    b'"agreement"',
    b'"charter"',
    b'"format_version"',
    b"[" * 40,
    b"]" * 40,
    b"null",
    b"true",
)


def mutate(data: bytes, rng: random.Random, corpus: Sequence[bytes]) -> bytes:
    """One random structural or byte-level change to *data*."""
    buf = bytearray(data)
    pos = rng.randrange(len(buf) + 1)
    choice = rng.randrange(7)
    if choice == 0 and buf:
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif choice == 1:
        buf[pos:pos] = rng.choice(TOKENS)
    elif choice == 2:
        del buf[pos : pos + rng.randrange(1, 16)]
    elif choice == 3:
        end = min(len(buf), pos + rng.randrange(1, 64))
        buf[pos:pos] = buf[pos:end] * rng.randrange(1, 8)
    elif choice == 4:
        other = rng.choice(corpus)
        cut = rng.randrange(len(other) + 1)
        buf = buf[:pos] + bytearray(other[cut:])
    elif choice == 5:
        buf = buf[:pos]
    else:
        buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    return bytes(buf)


def _options(argv: Sequence[str]) -> tuple[dict[str, int], list[Path]]:
    options: dict[str, int] = {}
    folders: list[Path] = []
    for arg in argv:
        if arg.startswith("-") and "=" in arg:
            name, _, value = arg.lstrip("-").partition("=")
            if value.isdigit():
                options[name] = int(value)
        elif not arg.startswith("-"):
            folders.append(Path(arg))
    return options, folders


def random_loop(argv: Sequence[str], target: Callable[[bytes], None] = check) -> int:
    """The fallback fuzzer: mutate seeds at random until the time or run budget is spent."""
    options, folders = _options(argv)
    corpus = [
        p.read_bytes() for f in folders if f.is_dir() for p in sorted(f.iterdir()) if p.is_file()
    ]
    corpus = corpus or [b"{}"]
    rng = random.Random(options.get("seed", 0))  # noqa: S311 - reproducible fuzzing, not secrets
    deadline = time.monotonic() + options.get("max_total_time", 60)
    runs, limit = 0, options.get("runs", -1)
    while time.monotonic() < deadline and runs != limit:
        data = rng.choice(corpus)
        for _ in range(rng.randrange(1, 6)):
            data = mutate(data, rng, corpus)
        try:
            target(data)
        except Exception:
            crash = Path(f"crash-{runs}.bin")
            crash.write_bytes(data)
            print(f"crash after {runs} runs; input saved to {crash}", file=sys.stderr)
            raise
        runs += 1
    print(f"random fuzzing: {runs} runs, no contract broken", file=sys.stderr)
    return 0


def main(argv: Sequence[str]) -> int:
    """Fuzz with atheris when it is installed, else with the bounded random loop."""
    if atheris is None:
        return random_loop(argv[1:])
    atheris.Setup(list(argv), check)
    atheris.Fuzz()
    return 0  # pragma: no cover - atheris.Fuzz exits the process


if __name__ == "__main__":
    sys.exit(main(sys.argv))
