"""Settings: every setting documented, defaults that work, one clear line (exit 2) for a bad one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "MTA" + "x" * 60


def test_defaults_give_a_sqlite_file_in_the_data_folder():
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///data/smolcord.db"
    assert settings.model_cache_dir == Path("data/models")
    assert settings.sync_database_url == "sqlite:///data/smolcord.db"
    assert settings.discord_token is None


def test_postgres_urls_get_the_async_driver():
    settings = load_settings({"DATABASE_URL": "postgresql://u:p@db:5432/smolcord"})
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/smolcord"
    assert settings.sync_database_url == "postgresql+psycopg://u:p@db:5432/smolcord"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "short"}, "DISCORD_TOKEN does not look like a bot token"),
        ({"DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
        ({"DISCORD_TOKEN": TOKEN, "SMOLCORD_MEMORY_BUDGET_MB": "lots"}, "SMOLCORD_MEMORY_BUDGET_MB must be a whole number"),
        ({"DISCORD_TOKEN": TOKEN, "DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a sqlite"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL must be a URL starting with ws://"),
        ({"DISCORD_TOKEN": TOKEN, "SMOLCORD_DEVICE": "tpu"}, "SMOLCORD_DEVICE must be one of auto, cpu, cuda"),
        ({"DISCORD_TOKEN": TOKEN, "SMOLCORD_OFFLINE": "maybe"}, "SMOLCORD_OFFLINE must be true or false"),
        ({"DISCORD_TOKEN": TOKEN, "SMOLCORD_DEV_GUILD_ID": "abc"}, "SMOLCORD_DEV_GUILD_ID must be a whole number"),
    ],
)
def test_a_bad_setting_is_named_with_what_is_wrong(env, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(env, require_token=True)


def test_bad_setting_exits_2_with_one_line_and_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "smolcord: setting error: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'"
    ]


def test_settings_are_read_from_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("SMOLCORD_DATA_DIR", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text("SMOLCORD_DATA_DIR=/srv/smolcord\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.data_dir == Path("/srv/smolcord") and settings.log_level == "DEBUG"
    assert settings.database_url == "sqlite+aiosqlite:////srv/smolcord/smolcord.db"


def test_every_setting_is_documented_in_env_example():
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    source = (ROOT / "bot" / "settings.py").read_text()
    read = set(re.findall(r'"((?:DISCORD|SMOLCORD|DATABASE|LOG)_[A-Z_]+)"', source))
    assert read - documented == set(), "settings missing from .env.example"
    assert documented - read == set(), ".env.example documents settings the code does not read"


RUN_WITH_A_STAND_IN_BOT = """
import logging, sys
import bot.client

async def stand_in(settings):  # what the real bot logs first, from discord.py and from smolcord
    logging.getLogger("discord.client").info("logging in using static token")
    logging.getLogger("bot.client").info("ready as smolcord")
    logging.getLogger("bot.client").debug("not shown at INFO")

bot.client.run_bot = stand_in
from bot.cli import main
sys.exit(main(["run"]))
"""


def test_smolcord_run_prints_each_log_line_once(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", RUN_WITH_A_STAND_IN_BOT],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "INFO"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("logging in using static token") == 1
    assert result.stderr.count("ready as smolcord") == 1
    assert "not shown at INFO" not in result.stderr


def test_logging_is_configured_once_however_often_it_is_called():
    import logging

    from bot.cli import configure_logging

    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    root.handlers = []
    try:
        configure_logging(logging.WARNING)
        configure_logging(logging.INFO)
        assert len(root.handlers) == 1 and root.level == logging.INFO
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
