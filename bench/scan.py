"""Benchmark: our scanning pipeline against raw zxing-cpp and raw pyzbar.

    .venv/bin/python bench/scan.py [--split report] [--variants 2] [--kinds vial,carton]
    .venv/bin/python bench/scan.py --classic [--variants 3] [--no-large] [--repeat 1] [--details]
    .venv/bin/python bench/scan.py [--classic] --audit     # every pass on every photo
    .venv/bin/python bench/scan.py --before /tmp/before    # another scanning/ beside ours

By default the field-like corpus (scanning.testing.field) of the report split:
decode rate per kind and strength and per kind and condition (a carton counts
only when all three of its codes are read), false positives on the decoys,
and p50/p95 latency with their ratios to raw zxing-cpp. ``--split tune`` is
the split to look at while changing the pipeline. ``--classic`` runs the
first corpus (scanning.testing.corpus) as before.

Every engine reads the same generated photos (scanning.testing.corpus) from
their JPEG bytes, in one run. A photo counts as decoded when every symbol in
it was read with exactly the right content (UTF-8 names included); a false
positive is any symbol reported that is not in the photo. Printed per
difficulty (clean / hard / none): decode rate, p50/p95 latency, images per
second, and the ratio of our p50 to raw zxing-cpp's on the photos our first
pass decodes (the goal is ≤ 1.25).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import zxingcpp
from PIL import Image

import scanning
from scanning.engines import zbar
from scanning.imaging import open_photo
from scanning.pipeline import plan
from scanning.testing import field
from scanning.testing.corpus import Sample, build

Found = set[tuple[str, str]]


@dataclass
class Run:
    """One engine on one photo."""

    sample: Sample
    seconds: float
    found: Found
    first_pass: bool = True

    @property
    def decoded(self) -> bool:
        expected = {(e.format, e.text) for e in self.sample.expected}
        return bool(expected) and expected <= self.found

    @property
    def false_positives(self) -> int:
        expected = {(e.format, e.text) for e in self.sample.expected}
        return len(self.found - expected)


def ours(sample: Sample) -> Run:
    """Our pipeline: bytes in, parsed barcodes out."""
    started = time.perf_counter()
    result = scanning.decode(sample.data)
    seconds = time.perf_counter() - started
    found = {(b.format, b.text) for b in result.barcodes}
    return Run(sample, seconds, found, first_pass=result.winning_pass == "first")


def raw_zxing(sample: Sample) -> Run:
    """zxing-cpp as its README shows it: PIL image in, default options."""
    started = time.perf_counter()
    barcodes = zxingcpp.read_barcodes(Image.open(io.BytesIO(sample.data)))
    seconds = time.perf_counter() - started
    found = {(_zxing_format(b.format), _utf8(bytes(b.bytes), b.text)) for b in barcodes}
    return Run(sample, seconds, found)


def raw_pyzbar(sample: Sample) -> Run:
    """pyzbar as its README shows it: PIL image in, zbar's own text."""
    from pyzbar import pyzbar

    with _quiet_stderr():
        started = time.perf_counter()
        symbols = pyzbar.decode(Image.open(io.BytesIO(sample.data)))
        seconds = time.perf_counter() - started
    names = {"QRCODE": "QRCode", "CODE128": "Code128", "EAN13": "EAN13"}
    found = {(names.get(s.type, s.type), _utf8(s.data, "")) for s in symbols}
    return Run(sample, seconds, found)


_BEFORE_WORKER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import scanning
print(scanning.__file__, file=sys.stderr)
for line in sys.stdin.buffer:
    data = sys.stdin.buffer.read(int(line))
    started = time.perf_counter()
    result = scanning.decode(data)
    seconds = time.perf_counter() - started
    found = [[b.format, b.text] for b in result.barcodes]
    print(json.dumps([seconds, found, result.winning_pass == "first"]), flush=True)
"""


class Before:
    """Another version of the pipeline (a directory holding its ``scanning/``), in a child process.

    So that a change is measured against the code before it in the same run,
    photo by photo, under the same load: ``git archive main scanning | tar -x
    -C /tmp/before``, then ``--before /tmp/before``. The child times its own
    ``decode()`` calls, as :func:`ours` does.
    """

    def __init__(self, directory: str) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-c", _BEFORE_WORKER, str(Path(directory).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def __call__(self, sample: Sample) -> Run:
        assert self._child.stdin is not None and self._child.stdout is not None
        self._child.stdin.write(b"%d\n" % len(sample.data) + sample.data)
        self._child.stdin.flush()
        seconds, found, first = json.loads(self._child.stdout.readline())
        return Run(sample, seconds, {(fmt, text) for fmt, text in found}, first_pass=first)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """zbar's DataBar decoder prints assertion warnings from C on noisy photos."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _zxing_format(fmt: zxingcpp.BarcodeFormat) -> str:
    return str(fmt.name)


def _utf8(raw: bytes, fallback: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def _row(name: str, runs: list[Run]) -> str:
    times = [r.seconds * 1000 for r in runs]
    with_codes = [r for r in runs if r.sample.expected]
    rate = sum(r.decoded for r in with_codes) / len(with_codes) if with_codes else float("nan")
    rate_text = f"{rate:6.1%}" if with_codes else "   n/a"
    fps = sum(r.false_positives for r in runs)
    per_second = len(runs) / (sum(times) / 1000) if times else 0.0
    return (
        f"  {name:<12} decoded {rate_text}  p50 {_percentile(times, 50):7.1f} ms"
        f"  p95 {_percentile(times, 95):7.1f} ms  {per_second:6.1f} img/s"
        f"  false positives {fps}"
    )


def _rate(runs: list[Run], difficulty: str) -> float:
    chosen = [r for r in runs if r.sample.expected and difficulty in ("all", r.sample.difficulty)]
    return sum(r.decoded for r in chosen) / len(chosen) if chosen else 0.0


def _goals(runs: dict[str, list[Run]], ratio: float) -> list[tuple[str, bool]]:
    ours, zxing = runs["ours"], runs["zxing-cpp"]
    return [
        (
            "decode rate ≥ raw zxing-cpp on clean and hard photos",
            all(_rate(ours, d) >= _rate(zxing, d) for d in ("clean", "hard")),
        ),
        ("decode rate > raw zxing-cpp on hard photos", _rate(ours, "hard") > _rate(zxing, "hard")),
        ("p50 ≤ 1.25 × raw zxing-cpp on first-pass photos", ratio <= 1.25),
        ("zero false positives", sum(r.false_positives for r in ours) == 0),
    ]


def audit(samples: tuple[Sample, ...]) -> None:
    """Run every pass on every photo: what each rescues, costs, and reads wrongly.

    This is how the retry order was chosen, and how a retry that invents codes
    is caught (decode() stops at the first pass that finds anything, so a bad
    late pass would hide in the ordinary figures).
    """
    cost: dict[str, list[float]] = defaultdict(list)
    rescues: dict[str, int] = defaultdict(int)
    wrong: dict[str, list[str]] = defaultdict(list)
    for sample in samples:
        expected = {(e.format, e.text) for e in sample.expected}
        photo = open_photo(sample.data)
        first_found = False
        for attempt in plan(photo, everything=True):
            started = time.perf_counter()
            symbols = attempt.run()
            cost[attempt.name].append((time.perf_counter() - started) * 1000)
            got = {(s.format, s.text) for s, _ in symbols if s.valid}  # not the located-only
            if attempt.name == "first":
                first_found = bool(got)
            elif not first_found and got & expected:
                rescues[attempt.name] += 1
            for fmt, text in got - expected:
                wrong[attempt.name].append(f"{sample.name}: {fmt} {text!r}")
    print(f"audit: every pass on {len(samples)} photos")
    for name, times in cost.items():
        print(
            f"  {name:<18} rescues {rescues[name]:3d}  mean {statistics.mean(times):6.1f} ms"
            f"  wrong reads {len(wrong[name])}"
        )
        for line in wrong[name]:
            print(f"      {line}")


def _measure(samples: tuple[Sample, ...], repeat: int, before: str | None = None) -> dict[str, list[Run]]:
    engines: dict[str, Callable[[Sample], Run]] = {"ours": ours}
    if before:
        engines["before"] = Before(before)
    engines["zxing-cpp"] = raw_zxing
    if zbar.AVAILABLE:
        engines["pyzbar"] = raw_pyzbar
    # Warm up each engine once so library loading is not timed.
    for engine in engines.values():
        engine(samples[0])
    runs: dict[str, list[Run]] = {name: [] for name in engines}
    for sample in samples:
        for name, engine in engines.items():
            best = min((engine(sample) for _ in range(repeat)), key=lambda r: r.seconds)
            runs[name].append(best)
    return runs


def _share(runs: list[Run]) -> str:
    return f"{sum(r.decoded for r in runs)}/{len(runs)}" if runs else "-"


def field_report(runs: dict[str, list[Run]]) -> None:
    """The field corpus's figures: per kind and strength, per condition, decoys, latency."""
    engines = list(runs)
    coded = {name: [r for r in rs if r.sample.expected] for name, rs in runs.items()}
    print(f"{'kind':<14}{'strength':<9}" + "".join(f"{name:>12}" for name in engines))
    for kind in field.KINDS:
        for strength in field.STRENGTHS:
            tag = field.STRENGTH_NAMES[strength]
            cells = [_share([r for r in coded[n] if kind in r.sample.tags and tag in r.sample.tags]) for n in engines]
            if cells[0] != "-":
                print(f"{kind:<14}{tag:<9}" + "".join(f"{c:>12}" for c in cells))
    print(f"{'all':<23}" + "".join(f"{_share(coded[n]):>12}" for n in engines))
    print()
    print(f"{'kind':<14}{'condition':<13}" + "".join(f"{name:>12}" for name in engines))
    for kind in field.KINDS:
        for condition in field.CONDITIONS[kind]:
            chosen = {n: [r for r in coded[n] if r.sample.tags[:2] == (kind, condition)] for n in engines}
            if chosen[engines[0]]:
                print(f"{kind:<14}{condition:<13}" + "".join(f"{_share(chosen[n]):>12}" for n in engines))
    print()
    for name in engines:
        decoys = [r for r in runs[name] if not r.sample.expected]
        wrong = sum(r.false_positives for r in runs[name])
        on_decoys = sum(r.false_positives for r in decoys)
        print(f"false positives {name:<10} {wrong} ({on_decoys} on {len(decoys)} decoys)")
    print()
    zx = [r.seconds * 1000 for r in runs["zxing-cpp"]]
    for name in engines:
        times = [r.seconds * 1000 for r in runs[name]]
        p50, p95 = _percentile(times, 50), _percentile(times, 95)
        ratio50, ratio95 = p50 / _percentile(zx, 50), p95 / _percentile(zx, 95)
        print(f"latency {name:<10} p50 {p50:7.1f} ms ({ratio50:4.2f}x zxing-cpp)  p95 {p95:7.1f} ms ({ratio95:4.2f}x)")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classic", action="store_true", help="the first corpus instead of the field one")
    parser.add_argument("--split", choices=tuple(field.SPLITS), default="report", help="field corpus split")
    parser.add_argument("--kinds", default=",".join(field.KINDS), help="field corpus kinds, comma-separated")
    parser.add_argument("--conditions", default="", help="field corpus: only these conditions, comma-separated")
    parser.add_argument("--first-variant", type=int, default=0, help="field corpus: skip the variants before this")
    parser.add_argument("--no-decoys", action="store_true", help="field corpus: leave the decoys out")
    parser.add_argument(
        "--variants", type=int, default=None, help=f"photos per recipe (field {field.VARIANTS}, classic 3)"
    )
    parser.add_argument("--no-large", action="store_true", help="classic: skip the 12 MP photos")
    parser.add_argument("--repeat", type=int, default=1, help="timing repetitions (best kept)")
    parser.add_argument("--details", action="store_true", help="print each photo's outcome")
    parser.add_argument("--audit", action="store_true", help="run every pass on every photo instead")
    parser.add_argument("--before", metavar="DIR", help="also run the scanning/ package found in DIR")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.classic:
        samples = build(args.variants or 3, large=not args.no_large)
    else:
        kinds = tuple(k for k in args.kinds.split(",") if k)
        conditions = tuple(c for c in args.conditions.split(",") if c) or None
        samples = field.build(
            args.split,
            args.variants or field.VARIANTS,
            kinds=kinds,
            conditions=conditions,
            decoys=not args.no_decoys,
            first_variant=args.first_variant,
        )
    print(
        f"corpus: {len(samples)} photos generated in {time.perf_counter() - started:.1f} s "
        f"(zbar {'on' if zbar.AVAILABLE else 'OFF'})" + ("" if args.classic else f", field corpus, {args.split} split")
    )
    if args.audit:
        audit(samples)
        return 0
    runs = _measure(samples, args.repeat, args.before)
    if args.classic:
        classic_report(runs)
    else:
        field_report(runs)
    if args.details:
        for index, sample in enumerate(samples):
            cells = "  ".join(
                f"{name}={'ok ' if runs[name][index].decoded else '-- '}"
                f"{runs[name][index].seconds * 1000:6.0f}ms"
                f"{' FP' if runs[name][index].false_positives else ''}"
                for name in runs
            )
            print(f"  {sample.name:<30} {cells}")
    return 0


def classic_report(runs: dict[str, list[Run]]) -> None:
    """The first corpus's figures: per difficulty, the first-pass ratio, the goals."""
    for difficulty in ("clean", "hard", "none", "all"):
        print(f"{difficulty}:")
        for name in runs:
            chosen = [r for r in runs[name] if difficulty in ("all", r.sample.difficulty)]
            print(_row(name, chosen))

    first = [i for i, r in enumerate(runs["ours"]) if r.first_pass and r.decoded]
    ours_p50 = statistics.median(runs["ours"][i].seconds for i in first) if first else 0.0
    zxing_p50 = statistics.median(runs["zxing-cpp"][i].seconds for i in first) if first else 0.0
    ratio = ours_p50 / zxing_p50 if zxing_p50 else float("nan")
    print(
        f"first-pass photos ({len(first)}): ours p50 {ours_p50 * 1000:.1f} ms, "
        f"zxing-cpp p50 {zxing_p50 * 1000:.1f} ms, ratio {ratio:.2f} (goal ≤ 1.25)"
    )
    for goal, met in _goals(runs, ratio):
        print(f"{'met ' if met else 'MISS'}  {goal}")


if __name__ == "__main__":
    raise SystemExit(main())
