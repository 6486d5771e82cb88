"""The command line: importing the official list of units, creating a user, and a
clear refusal (nothing written) when the input is wrong."""

from __future__ import annotations

import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.world import PASSWORD

REPO = Path(__file__).resolve().parents[1]


def niis(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NIIS_DATABASE_URL": f"sqlite:///{tmp_path / 'niis.sqlite3'}",
        "NIIS_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
    )


def test_import_places_creates_then_updates_by_code(tmp_path: Path) -> None:
    assert niis(tmp_path, "migrate").returncode == 0
    first = tmp_path / "units.csv"
    first.write_text(
        "code,name,level,parent_code,valid_from\n"
        "25000,Xã Thượng Long,commune,25,2025-07-01\n"
        "25001,Xã Đồng Lương,commune,25,2025-07-01\n",
        encoding="utf-8",
    )
    result = niis(tmp_path, "import-places", str(first))
    assert result.returncode == 0, result.stderr
    assert '"created": 2' in result.stdout
    second = tmp_path / "units-2026.csv"
    second.write_text(
        "code,name,level,parent_code,valid_from\n25000,Xã Thượng Long Mới,commune,25,2026-01-01\n", encoding="utf-8"
    )
    result = niis(tmp_path, "import-places", str(second))
    assert result.returncode == 0 and '"renamed": 1' in result.stdout


def test_import_places_refuses_an_unknown_parent_or_file_naming_the_line_and_writes_nothing(tmp_path: Path) -> None:
    assert niis(tmp_path, "migrate").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,level,parent_code,valid_from\n"
        "25000,Xã Thượng Long,commune,25,2025-07-01\n"
        "25001,Xã Lạc,commune,NOPE,2025-07-01\n",
        encoding="utf-8",
    )
    result = niis(tmp_path, "import-places", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "line 3, code 25001, column parent_code: parent_code NOPE is not a known unit" in result.stderr
    assert "nothing was imported" in result.stderr
    missing = niis(tmp_path, "import-places", str(tmp_path / "no-such.csv"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and "no-such.csv" in missing.stderr
    good = tmp_path / "good.csv"
    good.write_text(
        "code,name,level,parent_code,valid_from\n25000,Xã Thượng Long,commune,25,2025-07-01\n", encoding="utf-8"
    )
    assert '"created": 1' in niis(tmp_path, "import-places", str(good)).stdout


def test_createuser_reads_the_password_from_stdin(tmp_path: Path) -> None:
    assert niis(tmp_path, "migrate").returncode == 0

    def createuser(username: str, password: str) -> subprocess.CompletedProcess[str]:
        args = ("createuser", username, "--role", "province_officer", "--place", "01", "--password-stdin")
        return niis(tmp_path, *args, stdin=f"{password}\n")

    created = createuser("officer.hn", "a long secret pass")
    assert created.returncode == 0, created.stderr
    weak = createuser("weak.user", "short")
    assert weak.returncode == 2 and "at least" in weak.stderr
    common = createuser("common.user", "password1234")
    assert common.returncode == 2 and "too easy to guess" in common.stderr


def createuser_at_a_terminal(tmp_path: Path, username: str, answers: list[str]) -> tuple[int, str]:
    """Run ``niis createuser`` with a real terminal (getpass reads the controlling tty) and
    type each answer when a password prompt shows; (exit status, everything it printed)."""
    env = {
        **os.environ,
        "NIIS_DATABASE_URL": f"sqlite:///{tmp_path / 'niis.sqlite3'}",
        "NIIS_VAR_DIR": str(tmp_path / "var"),
    }
    args = [sys.executable, "-m", "api.cli", "createuser", username, "--role", "province_officer", "--place", "01"]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        os.chdir(REPO)
        os.execve(sys.executable, args, env)
    seen, pending, answered = b"", list(answers), 0
    while True:
        ready, _, _ = select.select([terminal], [], [], 60)
        assert ready, f"createuser hung; printed so far: {seen!r}"
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child closed the terminal: it has exited
            break
        if not chunk:
            break
        seen += chunk
        # Answer each prompt once, when it is on screen: getpass turns echo off and drops
        # what was typed ahead before it prints the prompt.
        if pending and seen.endswith(b": ") and seen.count(b"Password") > answered:
            os.write(terminal, pending.pop(0).encode() + b"\n")
            answered += 1
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_createuser_at_a_terminal_asks_twice_and_refuses_a_mismatch(tmp_path: Path) -> None:
    assert niis(tmp_path, "migrate").returncode == 0
    code, printed = createuser_at_a_terminal(tmp_path, "officer.a", ["a long secret pass", "a long secret pasz"])
    assert code == 2 and "Password (again):" in printed
    assert "the two passwords differ; nothing was created" in printed
    code, printed = createuser_at_a_terminal(tmp_path, "officer.a", ["a long secret pass", "a long secret pass"])
    assert code == 0 and "Created user officer.a" in printed, printed
    # Piped in without --password-stdin: one line is not two answers, and it says what to do.
    piped = niis(tmp_path, "createuser", "officer.b", "--role", "national_admin", stdin="a long secret pass\n")
    assert piped.returncode == 2 and "--password-stdin" in piped.stderr and "Traceback" not in piped.stderr


def test_a_refused_password_prints_the_rules(tmp_path: Path) -> None:
    assert niis(tmp_path, "migrate").returncode == 0
    code, printed = createuser_at_a_terminal(tmp_path, "officer.b", ["officer.b 2024!", "officer.b 2024!"])
    assert code == 2 and "must not contain the user name" in printed
    assert "at least 10 characters" in printed and "tiemchung" in printed  # the whole rule, not only the reason
    weak = niis(tmp_path, "createuser", "officer.c", "--role", "national_admin", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "at least 10 characters" in weak.stderr and "easy to guess" in weak.stderr


def test_production_mode_requires_a_secret_key(tmp_path: Path) -> None:
    env = {**os.environ, "NIIS_ENV": "production", "NIIS_VAR_DIR": str(tmp_path)}
    env.pop("NIIS_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "NIIS_SECRET_KEY" in result.stderr


def test_prune_idempotency_keys_forgets_keys_older_than_thirty_days(tmp_path: Path) -> None:
    assert niis(tmp_path, "migrate").returncode == 0
    created = niis(tmp_path, "createuser", "admin9", "--role", "national_admin", "--password-stdin", stdin=PASSWORD)
    assert created.returncode == 0, created.stderr
    now = datetime.now(UTC)
    with sqlite3.connect(tmp_path / "niis.sqlite3") as db:
        for days, key in ((31, "0b6f4f0e-2f36-4a53-9d4b-3d1c5b2a7e91"), (29, "5d1c2a7e-0b6f-4f0e-9d4b-2f364a533d1c")):
            db.execute(
                "INSERT INTO idempotency_key (account, key, method, path, request_hash, status, response_body,"
                " content_type, created_at) SELECT id, ?, 'POST', '/api/subjects', '', 201, x'7b7d',"
                " 'application/json', ? FROM account",
                (key, str(now - timedelta(days=days))),
            )
    refused = niis(tmp_path, "prune-idempotency-keys", "--days", "7")
    assert refused.returncode == 2 and "at least 30 days" in refused.stderr
    pruned = niis(tmp_path, "prune-idempotency-keys")
    assert pruned.returncode == 0, pruned.stderr
    assert "Forgot 1 idempotency keys" in pruned.stdout
    with sqlite3.connect(tmp_path / "niis.sqlite3") as db:
        assert db.execute("SELECT key FROM idempotency_key").fetchall() == [("5d1c2a7e-0b6f-4f0e-9d4b-2f364a533d1c",)]


def test_stock_check_fails_listing_a_balance_that_is_not_the_sum_of_its_entries(tmp_path: Path) -> None:
    assert niis(tmp_path, "migrate").returncode == 0
    holds = niis(tmp_path, "stock-check")
    assert holds.returncode == 0 and "Every stock balance equals" in holds.stdout
    with sqlite3.connect(tmp_path / "niis.sqlite3") as db:
        # A balance with no entries at all (as if someone edited the table by hand).
        db.execute(
            "INSERT INTO facility (code, name, kind, place, serves_epi, serves_service, active, created_at)"
            " SELECT 'F', 'F', 'commune_health_station', MIN(id), 1, 0, 1, '2026-01-01' FROM place"
        )
        db.execute(
            "INSERT INTO store (facility, name, kind, active, level) VALUES (1, 'S', 'refrigerator', 1, 'commune')"
        )
        db.execute(
            "INSERT INTO stock_product (code, name, kind, created_at) VALUES ('P', 'P', 'vaccine', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO stock_presentation (gtin, product, doses_per_vial, vials_per_carton, has_vvm,"
            " open_vial_rule, registered_at) VALUES ('09520000000009', 1, 1, 1, 0, 'session', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO stock_lot (product, presentation, number, expiry, manufacturer, on_hold, created_at)"
            " VALUES (1, 1, 'L1', '2030-01-01', '', 0, '2026-01-01')"
        )
        db.execute(
            "INSERT INTO stock_balance (store, lot, doses, flagged, version, updated_at)"
            " VALUES (1, 1, 7, 0, 0, '2026-01-01')"
        )
    broken = niis(tmp_path, "stock-check")
    assert broken.returncode == 1
    assert "store 1 lot 1: balance 7, entries sum to 0" in broken.stderr


def test_the_demo_has_stock_in_transit_below_min_and_expiring_and_vaccination_histories(tmp_path: Path) -> None:
    loaded = niis(tmp_path, "demo")
    assert loaded.returncode == 0, loaded.stderr
    checked = niis(tmp_path, "stock-check")
    assert checked.returncode == 0, checked.stderr
    with sqlite3.connect(tmp_path / "niis.sqlite3") as db:
        gtins = [row[0] for row in db.execute("SELECT gtin FROM stock_presentation")]
        in_transit = db.execute("SELECT COUNT(*) FROM stock_event WHERE status = 'in_transit'").fetchone()[0]
        alerts = {row[0] for row in db.execute("SELECT kind FROM stock_alert")}
        levels = {row[0] for row in db.execute("SELECT DISTINCT level FROM store")}
    assert gtins and all(gtin.startswith("0952") for gtin in gtins)  # GS1's demo prefix: no invented GTIN
    assert in_transit == 2  # to the last commune, and to the province freezer
    assert alerts == {"below_min", "expiring"}
    assert {"province", "commune", "clinic"} <= levels
    with sqlite3.connect(tmp_path / "niis.sqlite3") as db:
        children, sources = db.execute(
            "SELECT COUNT(DISTINCT subject), GROUP_CONCAT(DISTINCT source) FROM dose"
        ).fetchone()
        invalid = [row[0] for row in db.execute("SELECT warnings FROM dose WHERE override_reason <> ''")]
        per_child = [row[0] for row in db.execute("SELECT COUNT(*) FROM dose GROUP BY subject")]
        overdue = db.execute(
            "SELECT COUNT(DISTINCT subject) FROM subject_forecast WHERE overdue < DATE('now') "
            "AND subject IN (SELECT subject FROM dose)"
        ).fetchone()[0]
    # Histories from paper cards: on time, late, incomplete (a few doses), a few invalid doses.
    assert children == 24 and sources == "historical"
    assert min(per_child) <= 5 and max(per_child) >= 13
    assert len(invalid) == 6 and all("too_soon" in warnings for warnings in invalid)
    assert overdue > 0  # the late and the incomplete children are overdue for something
    with sqlite3.connect(tmp_path / "niis.sqlite3") as db:
        aefi = db.execute("SELECT seriousness, symptoms FROM aefi_report").fetchall()
        alerts = db.execute("SELECT COUNT(*) FROM outbox WHERE template = 'aefi.serious'").fetchone()[0]
    # One AEFI, not serious (a fever after a card's latest dose): no officer alerted.
    assert [(row[0], json.loads(row[1])[0]["code"]) for row in aefi] == [("none", "fever")] and alerts == 0
