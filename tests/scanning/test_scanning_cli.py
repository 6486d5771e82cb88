"""`niis scan IMAGE...` / `python -m scanning IMAGE...`: one JSON line per image."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanning.cli import main
from scanning.testing import corpus


@pytest.fixture
def files(tmp_path: Path, photos: tuple[corpus.Sample, ...]) -> dict[str, Path]:
    chosen = {}
    for name in ("clean_id_card", "clean_carton", "dark_room_without_code"):
        sample = next(s for s in photos if s.recipe == name)
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(sample.data)
        chosen[name] = path
    text = tmp_path / "notes.txt"
    text.write_text("not a photo")
    chosen["text"] = text
    return chosen


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_one_json_line_per_image(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(files["clean_id_card"]), str(files["clean_carton"]), str(files["dark_room_without_code"])])
    assert code == 0
    card, carton, dark = lines(capsys.readouterr().out)
    assert card["image"] == str(files["clean_id_card"])
    (qr,) = card["codes"]  # type: ignore[misc]
    assert qr["format"] == "QRCode"
    assert base64.b64decode(qr["raw_base64"]).decode("utf-8") == qr["text"]
    assert qr["payload"]["kind"] == "citizen_id"
    assert qr["payload"]["full_name"] in qr["text"]
    assert [c["payload"]["kind"] for c in carton["codes"]] == ["gs1", "gs1"]  # type: ignore[attr-defined]
    assert dark["codes"] == []
    assert dark["hint"] == "too_dark"


def test_unreadable_images_are_reported_and_fail_the_run(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(files["text"]), str(tmp_path / "missing.jpg"), str(files["clean_carton"])])
    assert code == 1
    text, missing, carton = lines(capsys.readouterr().out)
    assert text["error"] == {"code": "not_an_image", "message": "The upload is not an image format we can read."}
    assert missing["error"]["code"] == "unreadable_file"  # type: ignore[index]
    assert len(carton["codes"]) == 2  # type: ignore[arg-type]


def test_find_all_option(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--find-all", "--time-budget", "5", str(files["clean_carton"])]) == 0
    (carton,) = lines(capsys.readouterr().out)
    assert len(carton["codes"]) == 2  # type: ignore[arg-type]
    assert carton["attempts"] > 1  # type: ignore[operator]


def test_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "IMAGE" in capsys.readouterr().err


def test_runs_as_python_module(files: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scanning", "--time-budget", "0", str(files["clean_id_card"])],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    (line,) = lines(done.stdout)
    assert line["codes"][0]["payload"]["kind"] == "citizen_id"  # type: ignore[index]
