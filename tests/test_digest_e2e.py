"""The daily digest end to end: /digest set|off|preview, the persistent APScheduler job posting at its time, exactly once across restarts."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from bot import digest as scheduled
from bot import scheduler as bot_scheduler
from bot.services.digest import MISFIRE_GRACE_S, DigestSchedule
from bot.storage.tables import DigestConfig, DigestPost, GuildModel, GuildSettings, Message
from tests.fixtures.discord import eventually

COGS = ("collector", "errors", "tasks", "digest")
ZONE = "Europe/Berlin"


def settings_for(settings):
    return dataclasses.replace(settings, user_cooldown_s=0.0)


def recent_schedule(minutes_ago: int = 2) -> DigestSchedule:
    """A daily time that passed `minutes_ago` minutes ago, in Berlin."""
    local = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).astimezone(DigestSchedule(0, 0, ZONE).zone)
    return DigestSchedule(hour=local.hour, minute=local.minute, timezone=ZONE)


async def stored(bot, ids: set[int]) -> bool:
    async with bot.sessions() as session:
        return ids <= set(await session.scalars(select(Message.id)))


async def posts(bot) -> list[tuple[str, int | None]]:
    async with bot.sessions() as session:
        return [(p.digest_date, p.message_id) for p in await session.scalars(select(DigestPost).order_by(DigestPost.id))]


async def _posts_are(bot, expected) -> bool:
    return await posts(bot) == expected


async def earlier_chat(fake, bot, server) -> dict[str, dict]:
    """Messages from half an hour ago (inside the digest's day), in #general and the mods-only #staff."""
    before = datetime.now(UTC) - timedelta(minutes=30)
    sent = {
        "plan": await fake.send_message(server.general, server.alice, "I'll write the release notes by Friday", at=before),
        "reply": await fake.send_message(server.general, server.bob, "great, the deploy is fixed too", at=before + timedelta(seconds=5)),
        "secret": await fake.send_message(server.staff, server.moderator, "I'll rotate the hunter2 password by Monday", at=before),
    }
    await eventually(lambda: stored(bot, {int(m["id"]) for m in sent.values()}))
    return sent


async def use_extractive(bot, guild_id: int) -> None:
    """The digest's summaries from the model that needs no weights (fast, no download)."""
    async with bot.sessions.begin() as session:
        session.add(GuildModel(guild_id=guild_id, task="summarization", model_key="extractive"))


async def set_digest(
    fake, server, schedule: DigestSchedule, *, target: int | None = None, sources: str | None = None, user: int | None = None
):
    options = {"channel": target or server.general, "time": schedule.time_text, "timezone": schedule.timezone}
    if sources is not None:
        options["sources"] = sources
    return await (await fake.interact(server.general, user or server.owner, "digest set", options)).reply()


def digest_messages(fake, channel: int):
    return [m for m in fake.posted_messages(channel) if m.embeds and "Daily digest" in (m.embeds[0].get("title") or "")]


async def test_digest_set_validates_and_schedules_a_persistent_cron_job(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        for options, expected in (
            ({"time": "25:00"}, "'25:00' is not a time: use 24-hour HH:MM, like 09:00 or 18:30."),
            ({"time": "9am"}, "'9am' is not a time"),
            ({"time": "09:00", "timezone": "Mars/Olympus"}, "'Mars/Olympus' is not a timezone: use an IANA name"),
            ({"time": "09:00", "sources": "#general #nope"}, "'#nope' is not a text channel of this server"),
        ):
            reply = await (
                await fake_discord.interact(server.general, server.owner, "digest set", {"channel": server.general, **options})
            ).reply()
            assert reply.ephemeral and reply.content.startswith(expected) and "\n" not in reply.content
        refused = await (
            await fake_discord.interact(server.general, server.moderator, "digest set", {"channel": server.general, "time": "09:00"})
        ).reply()
        assert refused.content == "You need the Manage Server permission for this."
        assert bot_scheduler.current_scheduler().get_job(scheduled.job_id(server.guild)) is None

        reply = await set_digest(fake_discord, server, DigestSchedule(7, 30, ZONE), sources="#general #staff")
        assert reply.ephemeral
        assert reply.content.startswith(f"Daily digest set: 07:30 {ZONE} in <#{server.general}>, reading <#{server.general}>.")
        assert f"Left out 1 channel(s) that not everyone in <#{server.general}> may read: <#{server.staff}>." in reply.content
        job = bot_scheduler.current_scheduler().get_job(scheduled.job_id(server.guild))
        assert isinstance(job.trigger, CronTrigger) and str(job.trigger.timezone) == ZONE
        assert job.misfire_grace_time == MISFIRE_GRACE_S and job.coalesce
        local_next = job.next_run_time.astimezone(DigestSchedule(0, 0, ZONE).zone)
        assert (local_next.hour, local_next.minute) == (7, 30)
        async with bot.sessions() as session:
            config = await session.get(DigestConfig, server.guild)
            assert (config.time_of_day, config.source_channel_ids) == ("07:30", [server.general, server.staff])
            assert (await session.get(GuildSettings, server.guild)).timezone == ZONE  # the server's one timezone


async def test_a_target_the_bot_cannot_post_in_is_refused(fake_discord, small_server, start_bot, bot_settings):
    read_only = fake_discord.add_channel(
        small_server.guild, "announcements", overwrites=[fake_discord.overwrite(fake_discord.bot_id, deny="send_messages", member=True)]
    )
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)):
        reply = await set_digest(fake_discord, small_server, DigestSchedule(9, 0, "UTC"), target=read_only)
        assert reply.content == f"I can't post in <#{read_only}>: give me View Channel, Send Messages and Embed Links there."


async def test_the_digest_posts_at_its_time_with_summaries_and_open_tasks_its_readers_may_see(
    fake_discord, small_server, start_bot, bot_settings
):
    server = small_server
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        sent = await earlier_chat(fake_discord, bot, server)
        await (await fake_discord.interact(server.general, server.alice, "tasks scan", {"window": "since 2h"})).reply()
        await (await fake_discord.interact(server.staff, server.moderator, "tasks scan", {"window": "since 2h"})).reply()
        await use_extractive(bot, server.guild)
        schedule = recent_schedule()
        await set_digest(fake_discord, server, schedule, sources="#general #staff")

        # Make the stored job due now and let the real scheduler run it.
        scheduler = bot_scheduler.current_scheduler()
        await asyncio.to_thread(scheduler.modify_job, scheduled.job_id(server.guild), next_run_time=datetime.now(UTC))
        [posted] = await fake_discord.wait_until(lambda: digest_messages(fake_discord, server.general), what="a digest")

        header, *sections = posted.embeds
        day = schedule.latest_fire(datetime.now(UTC)).date().isoformat()
        assert header["title"] == f"Daily digest · {day}"
        assert "1 channel with activity" in header["description"]
        assert "left out" in header["footer"]["text"]
        general, tasks = sections
        assert general["title"] == "#general"
        assert (
            f"/{server.general}/{sent['plan']['id']}" in general["description"]
            or f"/{server.general}/{sent['reply']['id']}" in general["description"]
        )
        assert tasks["title"] == "Open tasks" and "release notes" in tasks["description"].lower()
        assert "hunter2" not in posted.text and "rotate" not in posted.text.lower()  # #staff is mods-only
        assert posted.allowed_mentions == {"parse": []}
        await eventually(lambda: _posts_are(bot, [(day, posted.id)]))
        # The job is scheduled for the next day.
        assert scheduler.get_job(scheduled.job_id(server.guild)).next_run_time > datetime.now(UTC)


async def test_a_restart_between_scheduling_and_firing_posts_exactly_once(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    settings = settings_for(bot_settings)
    schedule = recent_schedule()
    missed = schedule.latest_fire(datetime.now(UTC))
    async with start_bot(cogs=COGS, settings=settings) as bot:
        await earlier_chat(fake_discord, bot, server)
        await use_extractive(bot, server.guild)
        await set_digest(fake_discord, server, schedule)
        scheduler = bot_scheduler.current_scheduler()
        # The bot goes down before the digest's time: the stored job still points at that moment.
        scheduler.pause()
        await asyncio.to_thread(scheduler.modify_job, scheduled.job_id(server.guild), next_run_time=missed)
    assert digest_messages(fake_discord, server.general) == []

    async with start_bot(cogs=COGS, settings=settings) as bot:
        # Back within the grace time: APScheduler runs the missed job and the on-ready catch-up also
        # looks; the day's claim lets exactly one of them post.
        await fake_discord.wait_until(lambda: digest_messages(fake_discord, server.general), what="the missed digest")
        await eventually(
            lambda: bot_scheduler.current_scheduler().get_job(scheduled.job_id(server.guild)).next_run_time > datetime.now(UTC)
        )
        await eventually(lambda: bot.get_cog("Digest")._catch_up_task is not None and bot.get_cog("Digest")._catch_up_task.done())
        assert len(await posts(bot)) == 1 and (await posts(bot))[0][1] is not None

    async with start_bot(cogs=COGS, settings=settings) as bot:
        await eventually(lambda: bot.get_cog("Digest")._catch_up_task is not None and bot.get_cog("Digest")._catch_up_task.done())
        assert await scheduled.post_digest(bot, server.guild) == scheduled.PostResult("already posted")
    assert len(digest_messages(fake_discord, server.general)) == 1


async def test_racing_runs_of_the_same_day_post_once(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        await earlier_chat(fake_discord, bot, small_server)
        await use_extractive(bot, small_server.guild)
        await set_digest(fake_discord, small_server, recent_schedule())
        results = await asyncio.gather(*(scheduled.post_digest(bot, small_server.guild) for _ in range(4)))
        assert sorted(r.status for r in results) == ["already posted"] * 3 + ["posted"]
        assert len(digest_messages(fake_discord, small_server.general)) == 1


async def test_a_failed_post_gives_the_day_back(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        await earlier_chat(fake_discord, bot, small_server)
        await use_extractive(bot, small_server.guild)
        await set_digest(fake_discord, small_server, recent_schedule())

        async def refuse(request, match, body):
            from tests.fakediscord import DiscordError

            raise DiscordError(403, 50013, "Missing Permissions")  # e.g. a moderator took the bot's rights away

        fake_discord.route("POST", rf"/channels/{small_server.general}/messages", refuse)
        assert await scheduled.run_scheduled_digest(small_server.guild) == "failed"
        assert await posts(bot) == []
        fake_discord._routes.pop(0)  # Discord is back
        assert (await scheduled.post_digest(bot, small_server.guild)).status == "posted"


async def test_silent_channels_are_skipped_and_a_quiet_day_says_so(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        await set_digest(fake_discord, small_server, recent_schedule())
        result = await scheduled.post_digest(bot, small_server.guild)
        assert result.status == "posted"
        [posted] = digest_messages(fake_discord, small_server.general)
        assert len(posted.embeds) == 1 and posted.embeds[0]["description"].startswith("A quiet day")


async def test_digest_off_removes_the_job_and_preview_shows_the_digest_privately(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        reply = await (await fake_discord.interact(server.general, server.owner, "digest preview")).reply()
        assert reply.content == "There is no daily digest here yet: set one with /digest set."
        await earlier_chat(fake_discord, bot, server)
        await set_digest(fake_discord, server, DigestSchedule(9, 0, "UTC"))
        handle = await fake_discord.interact(server.general, server.owner, "digest preview")
        reply = await handle.reply(timeout=30)
        assert handle.callbacks[0]["type"] == 5 and reply.ephemeral
        assert reply.embeds[0]["title"].startswith("Preview · Daily digest")
        assert digest_messages(fake_discord, server.general) == []  # nothing posted, nothing claimed
        assert await posts(bot) == []

        reply = await (await fake_discord.interact(server.general, server.owner, "digest off")).reply()
        assert reply.content == "Daily digest turned off."
        assert bot_scheduler.current_scheduler().get_job(scheduled.job_id(server.guild)) is None
        assert (await scheduled.post_digest(bot, server.guild)).status == "disabled"
        reply = await (await fake_discord.interact(server.general, server.owner, "digest off")).reply()
        assert reply.content == "There was no daily digest to turn off."


async def test_a_mods_only_target_may_digest_public_and_mods_only_channels(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        await earlier_chat(fake_discord, bot, server)
        await use_extractive(bot, server.guild)
        reply = await set_digest(fake_discord, server, recent_schedule(), target=server.staff, sources="#general #staff")
        assert "Left out" not in reply.content
        assert (await scheduled.post_digest(bot, server.guild)).status == "posted"
        [posted] = digest_messages(fake_discord, server.staff)
        assert [e["title"] for e in posted.embeds[1:3]] == ["#general", "#staff"]


async def test_a_digest_whose_model_is_unavailable_still_posts_representative_messages(fake_discord, small_server, start_bot, bot_settings):
    # The default summarizer (distilbart) is not downloaded here: the digest must not be lost to that.
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        sent = await earlier_chat(fake_discord, bot, small_server)
        await set_digest(fake_discord, small_server, recent_schedule())
        assert (await scheduled.post_digest(bot, small_server.guild)).status == "posted"
        [posted] = digest_messages(fake_discord, small_server.general)
        general = posted.embeds[1]
        assert general["title"] == "#general"
        assert any(f"/{small_server.general}/{sent[key]['id']}" in general["description"] for key in ("plan", "reply"))
        assert "distilbart was unavailable" in general["footer"]["text"] and "smolcord models pull distilbart" in general["footer"]["text"]


async def test_preview_is_refused_to_an_admin_who_cannot_read_the_digest_channel(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    admin = fake_discord.add_member(server.guild, "server-admin", permissions=["manage_guild"])
    async with start_bot(cogs=COGS, settings=settings_for(bot_settings)) as bot:
        await earlier_chat(fake_discord, bot, server)
        await set_digest(fake_discord, server, DigestSchedule(9, 0, "UTC"), target=server.staff, sources="#staff")
        reply = await (await fake_discord.interact(server.general, admin, "digest preview")).reply()
        assert reply.content == "You can only use channels you can read: pick another one."
        assert "hunter2" not in reply.text
