"""The one typed settings object, read from the environment and `.env`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from dotenv import dotenv_values, find_dotenv

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it and says what is wrong."""


@dataclass(frozen=True, slots=True)
class Settings:
    discord_token: str | None
    database_url: str
    data_dir: Path
    model_cache_dir: Path
    log_level: str = "INFO"
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = None
    models_file: Path | None = None
    memory_budget_mb: int = 6144
    offline: bool = False
    device: str = "auto"
    quantize: str = "none"
    inference_queue_size: int = 16
    inference_timeout_s: float = 300.0
    catchup_limit: int = 0  # 0: close every gap; N: at most N per channel per start, the rest is a known gap
    backfill_limit: int = 1000
    reconcile_hours: int = 48
    write_queue_limit: int = 100_000
    default_retention_days: int = 365
    user_cooldown_s: float = 10.0
    # Sharding (several bot processes on one database): None/None is one process holding every guild.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None  # this process's shards; None with a count: all of them
    # How often a process that is not the scheduler (PostgreSQL) tries to become it, and checks it still is.
    scheduler_lock_retry_s: float = 20.0

    @property
    def held_shards(self) -> tuple[int, ...]:
        """The shard ids this process connects (0 alone when unsharded)."""
        if self.shard_ids is not None:
            return self.shard_ids
        return tuple(range(self.shard_count or 1))

    swarm_approach: str | None = None  # None: master_swarm_config.yaml's current_approach

    @property
    def sync_database_url(self) -> str:
        """The same database through a synchronous driver (Alembic, APScheduler's job store)."""
        return to_sync_url(self.database_url)


def to_sync_url(url: str) -> str:
    for async_driver, sync_driver in (
        ("sqlite+aiosqlite", "sqlite"),
        ("postgresql+asyncpg", "postgresql+psycopg"),
    ):
        if url.startswith(async_driver + ":"):
            return sync_driver + url[len(async_driver) :]
    return url


def to_async_url(url: str) -> str:
    for prefix, async_prefix in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
    ):
        if url.startswith(prefix):
            return async_prefix + url[len(prefix) :]
    return url


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must not be negative, not {value}")
    return value


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip()
    lowered = {c.lower(): c for c in choices}
    if value.lower() not in lowered:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return lowered[value.lower()]


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(tuple(s + "://" for s in schemes)):
        raise SettingsError(f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, not {raw!r}")
    return value


def _shard_ids(name: str, raw: str) -> tuple[int, ...]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts:
        raise SettingsError(f"{name} must list shard ids separated by commas, like 0,1, not {raw!r}")
    ids = tuple(sorted({_int(name, p, 0) for p in parts}))
    return ids


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    require_token: bool = False,
    dotenv: bool = True,
) -> Settings:
    """Read settings from `env` (default: the process environment over `.env` in the working directory).

    Raises SettingsError with one line naming the bad setting.
    """
    if env is None:
        # The process environment wins over .env; .env is read from the working directory, never written to os.environ.
        from_file = dotenv_values(find_dotenv(usecwd=True)) if dotenv else {}
        env = {**{k: v for k, v in from_file.items() if v is not None}, **os.environ}

    def get(name: str) -> str | None:
        value = env.get(name)
        return value if value is not None and value.strip() != "" else None

    token = get("DISCORD_TOKEN")
    if require_token and token is None:
        raise SettingsError("DISCORD_TOKEN is not set: put your bot token in .env (see .env.example)")
    if token is not None and (any(c.isspace() for c in token.strip()) or len(token.strip()) < 20):
        raise SettingsError("DISCORD_TOKEN does not look like a bot token (copy it from the Developer Portal, Bot page)")

    data_dir = Path(get("SMOLCORD_DATA_DIR") or "data").expanduser()
    model_cache = Path(get("SMOLCORD_MODEL_CACHE") or data_dir / "models").expanduser()

    db_raw = get("DATABASE_URL")
    if db_raw is None:
        database_url = f"sqlite+aiosqlite:///{(data_dir / 'smolcord.db').as_posix()}"
    else:
        if not db_raw.startswith(("sqlite", "postgresql", "postgres")):
            raise SettingsError(f"DATABASE_URL must be a sqlite:/// or postgresql:// URL, not {db_raw!r}")
        database_url = to_async_url(db_raw.strip())

    dev_guild = get("SMOLCORD_DEV_GUILD_ID")
    models_file = get("SMOLCORD_MODELS_FILE")
    if models_file is not None and not Path(models_file).expanduser().is_file():
        raise SettingsError(f"SMOLCORD_MODELS_FILE points to {models_file!r}, which is not a file")

    optional: dict[str, tuple[str, Callable[[str, str], object]]] = {
        "log_level": ("LOG_LEVEL", lambda n, r: _choice(n, r.upper(), LOG_LEVELS)),
        "discord_api_base": ("DISCORD_API_BASE", lambda n, r: _url(n, r, ("http", "https"))),
        "discord_gateway_url": ("DISCORD_GATEWAY_URL", lambda n, r: _url(n, r, ("ws", "wss"))),
        "memory_budget_mb": ("SMOLCORD_MEMORY_BUDGET_MB", lambda n, r: _int(n, r, 256)),
        "offline": ("SMOLCORD_OFFLINE", _bool),
        "device": ("SMOLCORD_DEVICE", lambda n, r: _choice(n, r, ("auto", "cpu", "cuda"))),
        "quantize": ("SMOLCORD_QUANTIZE", lambda n, r: _choice(n, r, ("none", "int8"))),
        "inference_queue_size": ("SMOLCORD_INFERENCE_QUEUE_SIZE", lambda n, r: _int(n, r, 1)),
        "inference_timeout_s": ("SMOLCORD_INFERENCE_TIMEOUT_S", _float),
        "catchup_limit": ("SMOLCORD_CATCHUP_LIMIT", lambda n, r: _int(n, r, 0)),
        "backfill_limit": ("SMOLCORD_BACKFILL_LIMIT", lambda n, r: _int(n, r, 0)),
        "reconcile_hours": ("SMOLCORD_RECONCILE_HOURS", lambda n, r: _int(n, r, 0)),
        "write_queue_limit": ("SMOLCORD_WRITE_QUEUE_LIMIT", lambda n, r: _int(n, r, 1000)),
        "default_retention_days": ("SMOLCORD_RETENTION_DAYS", lambda n, r: _int(n, r, 0)),
        "user_cooldown_s": ("SMOLCORD_USER_COOLDOWN_S", _float),
        "shard_count": ("SMOLCORD_SHARD_COUNT", lambda n, r: _int(n, r, 1)),
        "shard_ids": ("SMOLCORD_SHARD_IDS", _shard_ids),
        "scheduler_lock_retry_s": ("SMOLCORD_SCHEDULER_LOCK_RETRY_S", _float),
        "swarm_approach": (
            "SMOLCORD_SWARM_APPROACH",
            lambda n, r: _choice(n, r, ("swarm_architecture", "monolithic_baseline", "hybrid_approach")),
        ),
    }
    values: dict[str, object] = {}
    for attr, (name, parse) in optional.items():
        raw = get(name)
        if raw is not None:
            values[attr] = parse(name, raw)
    if "shard_ids" in values:
        count = values.get("shard_count")
        if count is None:
            raise SettingsError("SMOLCORD_SHARD_IDS needs SMOLCORD_SHARD_COUNT (the total number of shards across all processes)")
        outside = [i for i in values["shard_ids"] if i >= count]  # type: ignore[attr-defined]
        if outside:
            raise SettingsError(f"SMOLCORD_SHARD_IDS has {outside[0]}, but ids run from 0 to SMOLCORD_SHARD_COUNT - 1 ({count} - 1)")
    if get("HF_HUB_OFFLINE") is not None and "offline" not in values:
        values["offline"] = _bool("HF_HUB_OFFLINE", get("HF_HUB_OFFLINE") or "")

    return Settings(
        discord_token=token.strip() if token else None,
        database_url=database_url,
        data_dir=data_dir,
        model_cache_dir=model_cache,
        dev_guild_id=_int("SMOLCORD_DEV_GUILD_ID", dev_guild, 1) if dev_guild else None,
        models_file=Path(models_file).expanduser() if models_file else None,
        **values,  # type: ignore[arg-type]
    )


SETTING_NAMES = [f.name for f in fields(Settings)]
