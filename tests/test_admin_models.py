"""Switching a guild's model: loaded and warmed first, persisted per guild, every attempt audited, failures change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cogs.errors import describe_error
from bot.services.errors import InvalidInput
from bot.services.models import ModelSwitchFailed, active_model_key, switch_model
from bot.storage import db
from bot.storage.tables import GuildModel, ModelSwitchAudit
from tests.fixtures.models import TINY_BART_KEY, model_manager_with

GUILD = 41
ADMIN = 42


@pytest.fixture
async def sessions(database_url):
    engine = db.create_engine(database_url)
    yield db.session_factory(engine)
    await engine.dispose()


async def audit_rows(sessions):
    async with sessions() as session:
        rows = await session.scalars(select(ModelSwitchAudit).order_by(ModelSwitchAudit.id))
        return [(r.task, r.old_key, r.new_key, r.succeeded, r.error) for r in rows]


async def test_switch_loads_the_model_then_persists_the_choice(sessions, tiny_registry):
    async with sessions() as session:
        assert await active_model_key(session, GUILD, "summarization", tiny_registry.registry) == TINY_BART_KEY
    result = await switch_model(sessions, tiny_registry, guild_id=GUILD, user_id=ADMIN, task="summarization", key="extractive")
    assert (result.old_key, result.new_key) == (TINY_BART_KEY, "extractive")
    result = await switch_model(sessions, tiny_registry, guild_id=GUILD, user_id=ADMIN, task="summarization", key="TINY-BART")
    assert (result.old_key, result.new_key) == ("extractive", TINY_BART_KEY)
    assert result.memory_mb and result.memory_mb > 0
    assert any(row["key"] == TINY_BART_KEY and row["state"] == "loaded" for row in tiny_registry.status())
    async with sessions() as session:
        assert await active_model_key(session, GUILD, "summarization", tiny_registry.registry) == TINY_BART_KEY
        # other guilds keep the default
        assert await active_model_key(session, GUILD + 1, "summarization", tiny_registry.registry) == TINY_BART_KEY
        choice = await session.get(GuildModel, (GUILD, "summarization"))
        assert choice.updated_by == ADMIN
    assert await audit_rows(sessions) == [
        ("summarization", TINY_BART_KEY, "extractive", True, None),
        ("summarization", "extractive", TINY_BART_KEY, True, None),
    ]


async def test_unknown_key_is_refused_with_the_valid_keys_and_audited(sessions, tiny_registry):
    with pytest.raises(InvalidInput) as caught:
        await switch_model(sessions, tiny_registry, guild_id=GUILD, user_id=ADMIN, task="summarization", key="gpt-17")
    message = describe_error(caught.value).message
    assert "gpt-17" in message and "extractive" in message and "\n" not in message
    [row] = await audit_rows(sessions)
    assert row[:4] == ("summarization", TINY_BART_KEY, "gpt-17", False) and "gpt-17" in row[4]
    async with sessions() as session:
        assert await session.get(GuildModel, (GUILD, "summarization")) is None


async def test_a_model_that_fails_to_load_keeps_the_old_choice(sessions, tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "bart", "is_encoder_decoder": true}')  # no weights, no tokenizer
    manager = model_manager_with(tmp_path, {"summarization": {"broken": broken}})
    try:
        await switch_model(sessions, manager, guild_id=GUILD, user_id=ADMIN, task="summarization", key="extractive")
        with pytest.raises(ModelSwitchFailed) as caught:
            await switch_model(sessions, manager, guild_id=GUILD, user_id=ADMIN, task="summarization", key="broken")
        message = describe_error(caught.value).message
        assert message.startswith("Could not load `broken`") and "Still using `extractive`" in message
        assert "\n" not in message and "Traceback" not in message
        async with sessions() as session:
            assert await active_model_key(session, GUILD, "summarization", manager.registry) == "extractive"
        rows = await audit_rows(sessions)
        assert rows[-1][:4] == ("summarization", "extractive", "broken", False) and rows[-1][4]
    finally:
        await manager.close()


async def test_unknown_task_is_invalid_input(sessions, tiny_registry):
    with pytest.raises(InvalidInput):
        await switch_model(sessions, tiny_registry, guild_id=GUILD, user_id=ADMIN, task="dreaming", key="x")
