"""``niis scan IMAGE...`` / ``python -m scanning IMAGE...``.

Prints one JSON line per image: the decoded codes (format, text, raw bytes in
base64, corners) and their parsed payloads, or the error for that image.
Exit status: 0 when every image could be read (found codes or not), 1 when
some image could not be read, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scanning.errors import ScanError
from scanning.imaging import DEFAULT_MAX_PIXELS
from scanning.pipeline import DEFAULT_TIME_BUDGET, decode
from scanning.serialize import result_to_dict


def main(argv: list[str] | None = None) -> int:
    """Scan the images named in ``argv`` and print one JSON line for each."""
    parser = argparse.ArgumentParser(
        prog="niis scan", description="Decode the barcodes in photos and print them as JSON lines."
    )
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    parser.add_argument(
        "--time-budget",
        type=float,
        default=DEFAULT_TIME_BUDGET,
        help=f"seconds of retries per image when the first pass finds nothing (default {DEFAULT_TIME_BUDGET})",
    )
    parser.add_argument(
        "--max-pixels",
        type=int,
        default=DEFAULT_MAX_PIXELS,
        help=f"refuse larger images (default {DEFAULT_MAX_PIXELS})",
    )
    parser.add_argument("--no-zbar", action="store_true", help="use zxing-cpp only")
    parser.add_argument(
        "--find-all",
        action="store_true",
        help="keep retrying after a success and merge (trays of vials; takes the whole budget)",
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)

    failed = False
    for path in args.images:
        line: dict[str, object] = {"image": str(path)}
        try:
            data = path.read_bytes()
            result = decode(
                data,
                time_budget=args.time_budget,
                max_pixels=args.max_pixels,
                use_zbar=not args.no_zbar,
                find_all=args.find_all,
            )
        except OSError as exc:
            failed = True
            line["error"] = {"code": "unreadable_file", "message": exc.strerror or str(exc)}
        except ScanError as exc:
            failed = True
            line["error"] = {"code": exc.code, "message": exc.message}
        else:
            line.update(result_to_dict(result))
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0
