"""The failures a user meets in the first hour (no database, no network, a mistyped path) are one line and a
non-zero exit, never a traceback."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli._errors import known_failure

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE_POSTGRES = "postgresql://smol:s3cret@127.0.0.1:1/smolcord"  # port 1: nothing listens, refused at once
TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789"
LOG_RECORD = re.compile(r"^(\x1b\[[0-9;]*m)?\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


@pytest.fixture
def env(monkeypatch, tmp_path: Path) -> Path:
    for name in ("DATABASE_URL", "DISCORD_TOKEN", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMOLCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMOLCORD_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("smolcord: ")
    return lines[0]


def smolcord(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    """The real command in a fresh process: nothing of this test session's logging or imports helps it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_URL", "SMOLCORD_"))}
    environment.update(PYTHONPATH=str(ROOT), SMOLCORD_DATA_DIR=str(tmp_path / "data"), SMOLCORD_OFFLINE="1", **env)
    return subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))", *argv],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_with_an_unreachable_postgresql_is_one_line_without_the_password(env, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_POSTGRES)
    assert main(["demo"]) == 1
    line = one_line(capsys.readouterr().err)
    assert "postgresql://smol:***@127.0.0.1:1/smolcord" in line and "Connection refused" in line
    assert "s3cret" not in line


@pytest.mark.parametrize(
    "argv", [["import", "x.json"], ["summarize", "--channel", "5"], ["tasks", "--channel", "5"], ["db", "upgrade"], ["db", "current"]]
)
def test_every_command_that_opens_the_database_says_so_in_one_line(env, monkeypatch, capsys, argv):
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_POSTGRES)
    assert main(argv) == 1
    assert "cannot use the database postgresql://smol:***@127.0.0.1:1/smolcord" in one_line(capsys.readouterr().err)


def test_a_sqlite_file_in_a_missing_folder_is_named_and_no_folder_is_created(env, monkeypatch, capsys):
    missing = env / "no-such-dir" / "deeper"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}/x.db")
    for argv in (["db", "upgrade"], ["demo"], ["db", "current"]):
        assert main(argv) == 1
        line = one_line(capsys.readouterr().err)
        assert f"the folder {missing} for the SQLite database x.db does not exist" in line
    assert not (env / "no-such-dir").exists()


def test_the_default_data_folder_is_still_created(env, capsys):
    assert not (env / "data").exists()
    assert main(["db", "upgrade"]) == 0
    assert (env / "data" / "smolcord.db").is_file()


def test_a_database_from_a_newer_smolcord_is_one_line(env, monkeypatch, capsys):
    path = env / "newer.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('0099')")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["db", "upgrade"]) == 1
    line = one_line(capsys.readouterr().err)
    assert "database schema:" in line and "0099" in line


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert re.fullmatch(r"smolcord \S+\n", capsys.readouterr().out)


def test_run_without_a_reachable_discord_is_one_line_and_a_failure(tmp_path):
    """A well-formed token, no Discord: one line naming what could not be reached (log records aside)."""
    for api_base, expected in (
        ("http://127.0.0.1:1/api/v10", "cannot reach 127.0.0.1:1"),
        ("http://discord.invalid/api/v10", "cannot reach discord.invalid: its name does not resolve"),
    ):
        done = smolcord(tmp_path, "run", DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=api_base)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        said = [line for line in done.stderr.splitlines() if line.strip() and not LOG_RECORD.match(line)]
        assert len(said) == 1 and said[0].startswith(f"smolcord: {expected}"), done.stderr


def test_a_bug_is_not_dressed_up_as_an_environment_problem():
    assert known_failure(RuntimeError("boom")) is None
    assert known_failure(KeyError("x")) is None
    assert known_failure(PermissionError(13, "Permission denied", "/srv/x.json")) == "Permission denied: /srv/x.json"
