"""The database schema as SQLAlchemy 2 typed models. Alembic migrations create it; nothing else does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only autoincrements an INTEGER PRIMARY KEY.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class Guild(Base):
    __tablename__ = "guilds"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), default="")
    joined_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Channel(Base):
    __tablename__ = "channels"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    # A thread's parent channel (a forum post's forum); null for top-level channels.
    parent_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20), default="text")
    # The newest message id the collector received here, stored or not (opted out, later forgotten, expired):
    # catch-up starts after it, so erased messages are never fetched back from Discord's history.
    collected_up_to: Mapped[int | None] = mapped_column(BigInteger)
    # A known range of history not fetched yet (ids, exclusive): catch-up stopped at SMOLCORD_CATCHUP_LIMIT.
    # Reported by /settings show and `smolcord db gaps`; the next catch-up continues from collected_up_to.
    gap_after_id: Mapped[int | None] = mapped_column(BigInteger)
    gap_before_id: Mapped[int | None] = mapped_column(BigInteger)


class Member(Base):
    __tablename__ = "members"
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(100))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    reply_to_id: Mapped[int | None] = mapped_column(BigInteger)
    mention_ids: Mapped[list[Any]] = mapped_column(default=list)
    # Short descriptions only ("image.png (image/png, 120 kB)", "embed: title"), never file bodies.
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    embeds: Mapped[list[Any]] = mapped_column(default=list)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    # "default" (a member's words), "system" (a notice Discord wrote: a pin, a join) or "forward"
    # (`content` is a message forwarded from elsewhere, not the author's own words).
    kind: Mapped[str] = mapped_column(String(16), default="default", server_default="default")
    # Where a forward came from, as a Discord link to the original message, when known.
    forwarded_from: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_messages_channel_id_id", "channel_id", "id"),
        Index("ix_messages_guild_author", "guild_id", "author_id"),
        Index("ix_messages_created_at", "created_at"),
    )


class GuildSettings(Base):
    __tablename__ = "guild_settings"
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True)
    # The guild's one timezone: deadlines ("by Friday") are read in it and the daily digest fires in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Null: keep messages for the bot's default (SMOLCORD_RETENTION_DAYS); 0: forever.
    retention_days: Mapped[int | None] = mapped_column(Integer)
    chat_system_prompt: Mapped[str | None] = mapped_column(Text)


class OptedOutUser(Base):
    __tablename__ = "opted_out_users"
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    opted_out_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SummaryChunk(Base):
    """A cached chunk summary, keyed by its messages' ids and content, the model and the generation settings."""

    __tablename__ = "summary_chunks"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    model_key: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    used_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SummaryChunkMessage(Base):
    """Which messages a cached chunk read, so an edit or delete drops exactly the chunks it touches."""

    __tablename__ = "summary_chunk_messages"
    chunk_key: Mapped[str] = mapped_column(ForeignKey("summary_chunks.key", ondelete="CASCADE"), primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, index=True)


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(BigInteger, index=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    owner_name: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None]
    due_text: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="open")
    source_message_id: Mapped[int] = mapped_column(BigInteger)
    source_message_ids: Mapped[list[Any]] = mapped_column(default=list)
    # Stable identity across scans: the same commitment found twice is one task.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (
        UniqueConstraint("guild_id", "fingerprint", name="uq_tasks_guild_fingerprint"),
        Index("ix_tasks_guild_status", "guild_id", "status"),
    )


class TaskEvent(Base):
    __tablename__ = "task_events"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(server_default=func.now())


class DigestConfig(Base):
    __tablename__ = "digest_configs"
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True)
    target_channel_id: Mapped[int] = mapped_column(BigInteger)
    time_of_day: Mapped[str] = mapped_column(String(5))  # "HH:MM" in the guild's timezone (GuildSettings.timezone)
    source_channel_ids: Mapped[list[Any]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DigestPost(Base):
    """One row per posted digest: a restart or a misfire never posts the same day twice."""

    __tablename__ = "digest_posts"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    digest_date: Mapped[str] = mapped_column(String(10))  # local date, YYYY-MM-DD
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    posted_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (UniqueConstraint("guild_id", "digest_date", name="uq_digest_posts_guild_date"),)


class GuildModel(Base):
    """A guild's chosen model per task (set with /model switch)."""

    __tablename__ = "guild_models"
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True)
    task: Mapped[str] = mapped_column(String(32), primary_key=True)
    model_key: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ModelSwitchAudit(Base):
    __tablename__ = "model_switch_audit"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    task: Mapped[str] = mapped_column(String(32))
    old_key: Mapped[str | None] = mapped_column(String(100))
    new_key: Mapped[str] = mapped_column(String(100))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(server_default=func.now())


class SchedulerJob(Base):
    """APScheduler 3's SQLAlchemyJobStore table, created here so migrations stay the only schema source."""

    __tablename__ = "apscheduler_jobs"
    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
