"""A loopback Discord: REST under /api/v10 and a JSON gateway, with state and recording for end-to-end tests."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakediscord import payloads as P
from tests.fakediscord.interactions import BotMessage, InteractionHandle, build_options, describe_option_value

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MAX_CONTENT = 2000
# discord.py 2.7 builds a whole Message from every MESSAGE_UPDATE and raises (stopping the client) without these.
PARTIAL_UPDATE_KEYS = ("id", "channel_id", "guild_id", "type", "content", "author")
# Files of a multipart request, for the route handlers (RequestKey exists from aiohttp 3.12).
FILES: Any = web.RequestKey("files", list) if hasattr(web, "RequestKey") else "files"

Handler = Callable[["web.Request", "re.Match[str]", Any], Awaitable["web.StreamResponse"]]


class DiscordError(Exception):
    """Becomes a Discord-shaped JSON error response."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


@dataclass
class RecordedRequest:
    """One REST call the bot made. `path` is relative to /api/v10; `json` is the parsed body (or payload_json)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[dict[str, Any]]
    headers: dict[str, str]
    status: int = 0
    at: float = field(default_factory=time.perf_counter)  # when it arrived (same clock in every process on Linux)


@dataclass
class FakeMember:
    user_id: int
    roles: list[int]
    nick: str | None
    joined_at: datetime


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    created: datetime
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    threads: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    bot_role_id: int = 0


class GatewaySession:
    """One websocket connection from a bot."""

    def __init__(self, ws: web.WebSocketResponse, session_id: str) -> None:
        self.ws = ws
        self.session_id = session_id
        self.seq = 0
        self.intents = 0
        self.ready = False
        self.heartbeats = 0
        self.identify: dict[str, Any] | None = None
        self.shard: tuple[int, int] | None = None  # IDENTIFY's [shard_id, shard_count]; None: unsharded
        self._lock = asyncio.Lock()

    def holds(self, guild_id: int) -> bool:
        """Whether this connection gets the guild's events: Discord's rule, (guild_id >> 22) % count == id."""
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        return (guild_id >> 22) % shard_count == shard_id

    async def send(self, op: int, d: Any = None, t: str | None = None) -> None:
        async with self._lock:
            if self.ws.closed:
                return
            if op == 0:
                self.seq += 1
                frame = {"op": 0, "d": d, "s": self.seq, "t": t}
            else:
                frame = {"op": op, "d": d, "s": None, "t": None}
            # Plain text JSON frames: discord.py asks for zlib-stream but reads text frames as they are.
            try:
                await self.ws.send_str(json.dumps(frame))
            except ConnectionResetError:
                self.ready = False  # the bot went away mid-send (a crash): the event is lost, as on Discord


class FakeDiscord:
    """State (guilds, channels, members, messages), a REST API and a gateway on 127.0.0.1.

    Set up state with the synchronous `add_*` methods (before or after the bot connects); make things
    happen with the `async` methods, which also dispatch the gateway events a real Discord would.
    """

    def __init__(self, *, bot_name: str = "smolcord", heartbeat_interval_ms: int = 41250) -> None:
        self.ids = P.Snowflakes()
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.host = "127.0.0.1"
        self.port = 0
        self.application_id = self.ids.next()
        self.bot_id = self.application_id  # Discord gives the bot user the application's id
        self.users: dict[int, dict[str, Any]] = {}
        self.users[self.bot_id] = P.user_payload(self.bot_id, bot_name, bot=True)
        self.app_owner_id = self.add_user("owner")
        self.guilds: dict[int, FakeGuild] = {}
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}
        self.global_commands: dict[str, dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[str, dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, str], int] = {}
        self.requests: list[RecordedRequest] = []
        self.bot_messages: list[BotMessage] = []
        self.errors: list[str] = []
        self.sessions: list[GatewaySession] = []
        self.resumes = 0  # successful RESUMEs
        self.interactions: dict[int, InteractionHandle] = {}
        self._interactions_by_token: dict[str, InteractionHandle] = {}
        self.valid_token: str | None = None  # when set, any other token gets 401 (LoginFailure)
        self.identify_close_code: int | None = None  # e.g. 4014 to refuse the message content intent
        self.recommended_shards = 1  # what GET /gateway/bot answers
        self._changed = asyncio.Event()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._rate_limits: list[tuple[re.Pattern[str], int, float, list[float]]] = []
        self.rate_limited = 0  # 429s answered
        self._runner: web.AppRunner | None = None
        self._install_routes()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    # ------------------------------------------------------------------ state setup
    def add_user(self, name: str, *, bot: bool = False, global_name: str | None = None, user_id: int | None = None) -> int:
        user_id = user_id or self.ids.next()
        self.users[user_id] = P.user_payload(user_id, name, bot=bot, global_name=global_name)
        return user_id

    def add_guild(
        self,
        name: str = "Test Server",
        *,
        owner_id: int | None = None,
        guild_id: int | None = None,
        everyone_permissions: P.Permissions = P.EVERYONE_DEFAULT,
        bot_permissions: P.Permissions = None,
    ) -> int:
        """A guild with an @everyone role, the bot as a member (with its managed role) and an owner.

        `bot_permissions` go on the bot's managed role (default: nothing beyond @everyone).
        """
        guild_id = guild_id or self.ids.next()
        now = datetime.now(UTC)
        owner_id = owner_id or self.app_owner_id
        guild = FakeGuild(id=guild_id, name=name, owner_id=owner_id, created=now)
        guild.roles[guild_id] = P.role_payload(guild_id, "@everyone", permissions=P.permission_bits(everyone_permissions), position=0)
        self.guilds[guild_id] = guild
        bot_role = self.add_role(guild_id, self.users[self.bot_id]["username"], permissions=bot_permissions, managed=True)
        guild.bot_role_id = bot_role
        guild.members[self.bot_id] = FakeMember(self.bot_id, [bot_role], None, now)
        guild.members.setdefault(owner_id, FakeMember(owner_id, [], None, now))
        return guild_id

    def add_role(self, guild_id: int, name: str, *, permissions: P.Permissions = None, managed: bool = False) -> int:
        guild = self.guilds[guild_id]
        role_id = self.ids.next()
        guild.roles[role_id] = P.role_payload(
            role_id,
            name,
            permissions=P.permission_bits(permissions),
            position=len(guild.roles),
            managed=managed,
            bot_id=self.bot_id if managed else None,
        )
        return role_id

    def add_member(
        self,
        guild_id: int,
        name: str = "member",
        *,
        roles: Iterable[int] = (),
        nick: str | None = None,
        permissions: P.Permissions = None,
        bot: bool = False,
        user_id: int | None = None,
        global_name: str | None = None,
    ) -> int:
        """Add a user to a guild (creating the user unless `user_id` names an existing one).

        `permissions` is a shortcut: it creates a role holding exactly those permissions for this member.
        """
        guild = self.guilds[guild_id]
        if user_id is None or user_id not in self.users:
            user_id = self.add_user(name, bot=bot, global_name=global_name, user_id=user_id)
        role_ids = list(roles)
        if permissions is not None:
            role_ids.append(self.add_role(guild_id, f"{name}-role", permissions=permissions))
        guild.members[user_id] = FakeMember(user_id, role_ids, nick, datetime.now(UTC))
        return user_id

    def set_roles(self, guild_id: int, user_id: int, roles: Iterable[int]) -> None:
        self.guilds[guild_id].members[user_id].roles = list(roles)

    def add_channel(
        self,
        guild_id: int,
        name: str = "general",
        *,
        kind: str = "text",
        overwrites: Iterable[dict[str, Any]] = (),
        visible_to: Iterable[int] | None = None,
        category_id: int | None = None,
        topic: str | None = None,
        channel_id: int | None = None,
    ) -> int:
        """A guild channel. `visible_to` makes it private: @everyone loses view_channel, those ids (roles or members) get it."""
        guild = self.guilds[guild_id]
        channel_id = channel_id or self.ids.next()
        rules = list(overwrites)
        if visible_to is not None:
            rules.append(self.overwrite(guild_id, deny="view_channel"))
            for target in visible_to:
                rules.append(self.overwrite(target, allow="view_channel", member=target not in guild.roles))
        guild.channels[channel_id] = P.channel_payload(
            channel_id,
            guild_id,
            name,
            kind=kind,
            position=len(guild.channels),
            overwrites=rules,
            category_id=category_id,
            topic=topic,
        )
        self.messages[channel_id] = {}
        return channel_id

    @staticmethod
    def overwrite(target_id: int, *, allow: P.Permissions = None, deny: P.Permissions = None, member: bool = False) -> dict[str, Any]:
        """A permission overwrite for add_channel/set_overwrites (a role unless member=True)."""
        return P.overwrite_payload(target_id, member=member, allow=allow, deny=deny)

    def set_overwrites(self, channel_id: int, overwrites: Iterable[dict[str, Any]]) -> None:
        self.channel(channel_id)["permission_overwrites"] = list(overwrites)

    def add_thread(
        self,
        parent_id: int,
        name: str = "thread",
        *,
        owner_id: int | None = None,
        private: bool = False,
        archived: bool = False,
        thread_id: int | None = None,
    ) -> int:
        guild = self.guild_of(parent_id)
        thread_id = thread_id or self.ids.next()
        guild.threads[thread_id] = P.thread_payload(
            thread_id,
            guild.id,
            parent_id,
            name,
            owner_id=owner_id or guild.owner_id,
            private=private,
            archived=archived,
            created=datetime.now(UTC),
        )
        self.messages[thread_id] = {}
        return thread_id

    def add_history(self, channel_id: int, messages: Iterable[dict[str, Any] | tuple[int, str]]) -> list[dict[str, Any]]:
        """Put messages in a channel's history without dispatching them (sent while the bot was away).

        Each item is `(author_id, content)` or a dict with author, content and optionally at (datetime),
        reply_to (message id), attachments, embeds.
        """
        created = []
        for item in messages:
            spec = {"author": item[0], "content": item[1]} if isinstance(item, tuple) else dict(item)
            message = self._new_message(channel_id, spec.pop("author"), spec.pop("content", ""), **spec)
            self.messages[channel_id][int(message["id"])] = message
            created.append(message)
        return created

    def edit_in_history(self, channel_id: int, message_id: int, content: str) -> dict[str, Any]:
        """Edit a message without dispatching MESSAGE_UPDATE (edited while the bot was away)."""
        stored = self.messages[channel_id][message_id]
        rebuilt = self._new_message(channel_id, int(stored["author"]["id"]), content, message_id=message_id)
        stored.update(
            content=content, mentions=rebuilt["mentions"], mention_roles=rebuilt["mention_roles"], edited_timestamp=P.iso(datetime.now(UTC))
        )
        return stored

    def delete_from_history(self, channel_id: int, message_ids: Iterable[int]) -> None:
        """Delete messages without dispatching MESSAGE_DELETE (deleted while the bot was away)."""
        for message_id in message_ids:
            self.messages[channel_id].pop(message_id, None)

    def archive_thread(self, thread_id: int, *, at: datetime | None = None) -> None:
        """Archive a thread without dispatching THREAD_UPDATE (archived while the bot was away)."""
        metadata = self.channel(thread_id)["thread_metadata"]
        metadata["archived"] = True
        metadata["archive_timestamp"] = P.iso(at or datetime.now(UTC))

    def limit_rate(self, path_regex: str, *, requests: int, per_seconds: float) -> None:
        """Answer 429 (with `retry_after`, as Discord does) to matching requests beyond `requests` per `per_seconds`."""
        self._rate_limits.append((re.compile(path_regex), requests, per_seconds, []))

    # ------------------------------------------------------------------ lookups
    def guild_of(self, channel_id: int) -> FakeGuild:
        for guild in self.guilds.values():
            if channel_id in guild.channels or channel_id in guild.threads:
                return guild
        raise KeyError(f"no channel {channel_id}")

    def channel(self, channel_id: int) -> dict[str, Any]:
        guild = self.guild_of(channel_id)
        return guild.channels.get(channel_id) or guild.threads[channel_id]

    def is_thread(self, channel_id: int) -> bool:
        return self.channel(channel_id)["type"] in P.THREAD_TYPES

    def history(self, channel_id: int) -> list[dict[str, Any]]:
        """The channel's messages, oldest first, as the fake holds them (gateway shape)."""
        return [self.messages[channel_id][i] for i in sorted(self.messages[channel_id])]

    def member_payload(self, guild_id: int, user_id: int, *, with_user: bool = True, channel_id: int | None = None) -> dict[str, Any]:
        member = self.guilds[guild_id].members[user_id]
        return P.member_payload(
            self.users[user_id] if with_user else None,
            roles=member.roles,
            nick=member.nick,
            joined_at=member.joined_at,
            permissions=self.permissions_in(channel_id, user_id) if channel_id is not None else None,
        )

    def display_name(self, guild_id: int, user_id: int) -> str:
        member = self.guilds[guild_id].members.get(user_id)
        user = self.users[user_id]
        return (member.nick if member else None) or user.get("global_name") or user["username"]

    # ------------------------------------------------------------------ permissions (Discord's algorithm)
    def base_permissions(self, guild_id: int, user_id: int) -> int:
        guild = self.guilds[guild_id]
        if user_id == guild.owner_id:
            return P.ALL_PERMISSIONS
        bits = int(guild.roles[guild_id]["permissions"])
        member = guild.members.get(user_id)
        for role_id in member.roles if member else []:
            bits |= int(guild.roles[role_id]["permissions"])
        if bits & P.ADMINISTRATOR:
            return P.ALL_PERMISSIONS
        return bits

    def permissions_in(self, channel_id: int, user_id: int) -> int:
        guild = self.guild_of(channel_id)
        bits = self.base_permissions(guild.id, user_id)
        if bits == P.ALL_PERMISSIONS:
            return bits
        channel = self.channel(channel_id)
        if channel["type"] in P.THREAD_TYPES:
            channel = guild.channels[int(channel["parent_id"])]
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(guild.id)
        if everyone:
            bits = (bits & ~int(everyone["deny"])) | int(everyone["allow"])
        member = guild.members.get(user_id)
        allow = deny = 0
        for role_id in member.roles if member else []:
            rule = overwrites.get(role_id)
            if rule and rule["type"] == 0:
                allow |= int(rule["allow"])
                deny |= int(rule["deny"])
        bits = (bits & ~deny) | allow
        own = overwrites.get(user_id)
        if own and own["type"] == 1:
            bits = (bits & ~int(own["deny"])) | int(own["allow"])
        if not bits & P.VIEW_CHANNEL:
            return 0
        # Implicit denials: who cannot send cannot embed, attach or mention everyone either.
        thread = self.channel(channel_id)["type"] in P.THREAD_TYPES
        sending = P.SEND_MESSAGES_IN_THREADS if thread else P.SEND_MESSAGES
        if not bits & sending:
            bits &= ~P.IMPLIED_BY_SENDING
        if channel["type"] in P.TEXT_LIKE_TYPES:
            bits &= ~P.VOICE_PERMISSIONS
        return bits

    def can(self, user_id: int, channel_id: int, *names: str) -> bool:
        needed = P.permission_bits(list(names))
        return self.permissions_in(channel_id, user_id) & needed == needed

    # ------------------------------------------------------------------ messages
    def _new_message(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        *,
        at: datetime | None = None,
        reply_to: int | None = None,
        attachments: Iterable[str | dict[str, Any]] = (),
        embeds: Iterable[dict[str, Any]] = (),
        mention_author: bool = True,
        message_type: int | None = None,
        flags: int = 0,
        components: list[dict[str, Any]] | None = None,
        interaction_metadata: dict[str, Any] | None = None,
        message_id: int | None = None,
        mentions: Iterable[int] = (),
    ) -> dict[str, Any]:
        guild = self.guild_of(channel_id)
        message_id = message_id or self.ids.next(at)
        mentioned = [int(m) for m in P.USER_MENTION.findall(content)] + [int(m) for m in mentions]
        referenced = None
        if reply_to is not None:
            referenced = self.messages[channel_id].get(reply_to)
            if referenced is None:
                raise DiscordError(400, 50035, "Invalid Form Body", {"message_reference": "Unknown message"})
            if mention_author and int(referenced["author"]["id"]) not in mentioned:
                mentioned.append(int(referenced["author"]["id"]))
        mentions = []
        for user_id in dict.fromkeys(mentioned):
            if user_id not in self.users:
                continue
            user = dict(self.users[user_id])
            if user_id in guild.members:
                user["member"] = self.member_payload(guild.id, user_id, with_user=False)
            mentions.append(user)
        role_mentions = [int(r) for r in P.ROLE_MENTION.findall(content) if int(r) in guild.roles]
        files = []
        for item in attachments:
            if isinstance(item, str):
                files.append(P.attachment_payload(self.ids.next(), item))
            else:
                files.append(item)
        message = P.message_payload(
            message_id=message_id,
            channel_id=channel_id,
            guild_id=guild.id,
            author=self.users[author_id],
            content=content,
            timestamp=P.snowflake_time(message_id),
            mentions=mentions,
            mention_roles=role_mentions,
            mention_everyone=("@everyone" in content or "@here" in content) and self.can(author_id, channel_id, "mention_everyone"),
            attachments=files,
            embeds=list(embeds),
            referenced={k: v for k, v in referenced.items() if k != "referenced_message"} if referenced else None,
            message_type=message_type,
            flags=flags,
            components=components,
            interaction_metadata=interaction_metadata,
            application_id=self.application_id if interaction_metadata else None,
        )
        if author_id in guild.members:
            message["member"] = self.member_payload(guild.id, author_id, with_user=False)
        return message

    async def send_message(self, channel_id: int, author_id: int, content: str = "", **options: Any) -> dict[str, Any]:
        """A user posts: stored in history and dispatched as MESSAGE_CREATE. Returns the message payload.

        Options: reply_to (message id), mention_author, attachments (filenames or dicts), embeds, at (datetime),
        mentions (extra user ids). `<@id>` in the content becomes a mention, as on Discord.
        """
        message = self._new_message(channel_id, author_id, content, **options)
        self.messages[channel_id][int(message["id"])] = message
        await self.dispatch_message("MESSAGE_CREATE", message)
        return message

    async def send_burst(self, channel_id: int, author_id: int, contents: Iterable[str], *, yield_every: int = 1) -> list[dict[str, Any]]:
        """Many messages back to back, as fast as the socket takes them (yielding to the loop between sends)."""
        sent = []
        for index, content in enumerate(contents, 1):
            sent.append(await self.send_message(channel_id, author_id, content))
            if index % yield_every == 0:
                await asyncio.sleep(0)
        return sent

    async def edit_message(self, channel_id: int, message_id: int, *, partial: bool = False, **changes: Any) -> dict[str, Any]:
        """Change a message and dispatch MESSAGE_UPDATE.

        `changes`: content, embeds, attachments (filenames or dicts). With partial=True the event carries only
        the changed fields plus what discord.py 2.7 cannot parse an update without (PARTIAL_UPDATE_KEYS) and
        no edited_timestamp, like a link-preview update; otherwise it is the full message, as Discord sends today.
        """
        stored = self.messages[channel_id][message_id]
        update: dict[str, Any] = {}
        if "content" in changes:
            update["content"] = changes["content"]
            rebuilt = self._new_message(channel_id, int(stored["author"]["id"]), changes["content"], message_id=message_id)
            update["mentions"] = rebuilt["mentions"]
            update["mention_roles"] = rebuilt["mention_roles"]
        if "embeds" in changes:
            update["embeds"] = list(changes["embeds"])
        if "attachments" in changes:
            update["attachments"] = [P.attachment_payload(self.ids.next(), a) if isinstance(a, str) else a for a in changes["attachments"]]
        unknown = set(changes) - {"content", "embeds", "attachments"}
        if unknown:
            raise TypeError(f"edit_message cannot change {sorted(unknown)}")
        if not partial:
            update["edited_timestamp"] = P.iso(datetime.now(UTC))
        stored.update(update)
        if partial:
            event = {key: stored[key] for key in PARTIAL_UPDATE_KEYS} | update
        else:
            event = stored
        await self.dispatch_message("MESSAGE_UPDATE", event)
        return stored

    async def delete_message(self, channel_id: int, message_id: int) -> None:
        guild = self.guild_of(channel_id)
        self.messages[channel_id].pop(message_id, None)
        await self.dispatch_to_viewers(
            channel_id, "MESSAGE_DELETE", {"id": str(message_id), "channel_id": str(channel_id), "guild_id": str(guild.id)}
        )

    async def bulk_delete(self, channel_id: int, message_ids: Iterable[int]) -> None:
        guild = self.guild_of(channel_id)
        ids = list(message_ids)
        for message_id in ids:
            self.messages[channel_id].pop(message_id, None)
        await self.dispatch_to_viewers(
            channel_id, "MESSAGE_DELETE_BULK", {"ids": [str(i) for i in ids], "channel_id": str(channel_id), "guild_id": str(guild.id)}
        )

    # ------------------------------------------------------------------ channels, threads, guilds
    async def create_channel(self, guild_id: int, name: str, **options: Any) -> int:
        """add_channel, then CHANNEL_CREATE to connected bots."""
        channel_id = self.add_channel(guild_id, name, **options)
        await self.dispatch("CHANNEL_CREATE", self.channel(channel_id))
        return channel_id

    async def create_thread(self, parent_id: int, name: str, **options: Any) -> int:
        """add_thread, then THREAD_CREATE (newly_created) to connected bots."""
        thread_id = self.add_thread(parent_id, name, **options)
        await self.dispatch("THREAD_CREATE", {**self.channel(thread_id), "newly_created": True})
        return thread_id

    async def update_channel(self, channel_id: int) -> None:
        """Dispatch CHANNEL_UPDATE with the channel's current state (after set_overwrites, say)."""
        await self.dispatch("CHANNEL_UPDATE", self.channel(channel_id))

    async def delete_channel(self, channel_id: int) -> None:
        """Delete a channel (CHANNEL_DELETE; its threads go silently, as on Discord) or a thread (THREAD_DELETE)."""
        guild = self.guild_of(channel_id)
        if channel_id in guild.threads:
            thread = guild.threads.pop(channel_id)
            self.messages.pop(channel_id, None)
            await self.dispatch(
                "THREAD_DELETE", {"id": thread["id"], "guild_id": str(guild.id), "parent_id": thread["parent_id"], "type": thread["type"]}
            )
            return
        channel = guild.channels.pop(channel_id)
        self.messages.pop(channel_id, None)
        for thread_id in [t for t, data in guild.threads.items() if int(data["parent_id"]) == channel_id]:
            guild.threads.pop(thread_id)
            self.messages.pop(thread_id, None)
        await self.dispatch("CHANNEL_DELETE", channel)

    async def announce_guild(self, guild_id: int) -> None:
        """GUILD_CREATE for a guild added after the bot connected (the bot joined it)."""
        for session in self._ready_sessions(guild_id):
            await session.send(0, self.guild_create_payload(guild_id, session), "GUILD_CREATE")
        self._notify()

    async def request_reconnect(self) -> None:
        """Send RECONNECT (op 7) to every connected bot, as Discord does before moving a session; the bot
        reconnects and RESUMEs. Events dispatched before it is back are not replayed: wait for `resumes`."""
        for session in self._ready_sessions():
            session.ready = False
            await session.send(7)
        self._notify()

    async def remove_guild(self, guild_id: int) -> None:
        """The bot was kicked or the guild deleted: GUILD_DELETE without `unavailable`."""
        guild = self.guilds.pop(guild_id)
        for channel_id in [*guild.channels, *guild.threads]:
            self.messages.pop(channel_id, None)
        await self.dispatch("GUILD_DELETE", {"id": str(guild_id)})

    def guild_payload(self, guild_id: int) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": list(guild.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "approximate_member_count": len(guild.members),
        }

    def guild_create_payload(self, guild_id: int, session: GatewaySession | None = None) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        members_intent = bool(session and session.intents & (1 << 1))
        # Without the members intent Discord sends only the bot's own member.
        member_ids = list(guild.members) if members_intent else [self.bot_id]
        return {
            **self.guild_payload(guild_id),
            "joined_at": P.iso(guild.members[self.bot_id].joined_at),
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "voice_states": [],
            "members": [self.member_payload(guild_id, user_id) for user_id in member_ids],
            "channels": [{k: v for k, v in c.items() if k != "guild_id"} for c in guild.channels.values()],
            "threads": [t for t in guild.threads.values() if not t["thread_metadata"]["archived"]],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # ------------------------------------------------------------------ gateway dispatch
    def _ready_sessions(self, guild_id: int | None = None) -> list[GatewaySession]:
        """Identified connections; with `guild_id`, only those whose shard holds that guild."""
        return [s for s in self.sessions if s.ready and not s.ws.closed and (guild_id is None or s.holds(guild_id))]

    @staticmethod
    def _event_guild(event: str, data: dict[str, Any]) -> int | None:
        """The guild an event belongs to (its shard gets it), None for one every connection gets."""
        if data.get("guild_id"):
            return int(data["guild_id"])
        if event.startswith("GUILD_") and data.get("id"):
            return int(data["id"])
        return None

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH event to every connected, identified bot (for a guild's event, those of its shard)."""
        for session in self._ready_sessions(self._event_guild(event, data)):
            await session.send(0, data, event)
        self._notify()

    async def dispatch_to_viewers(self, channel_id: int, event: str, data: dict[str, Any]) -> None:
        # Discord only tells a bot about channels it can see.
        if self.can(self.bot_id, channel_id, "view_channel"):
            await self.dispatch(event, data)

    async def dispatch_message(self, event: str, message: dict[str, Any]) -> None:
        channel_id = int(message["channel_id"])
        if not self.can(self.bot_id, channel_id, "view_channel"):
            return
        for session in self._ready_sessions(self._event_guild(event, message)):
            await session.send(0, self._as_seen_by(session, message), event)
        self._notify()

    def _as_seen_by(self, session: GatewaySession, message: dict[str, Any]) -> dict[str, Any]:
        if session.intents & P.INTENT_MESSAGE_CONTENT:
            return message
        author_id = int(message.get("author", {}).get("id", 0))
        mentions_bot = any(int(m["id"]) == self.bot_id for m in message.get("mentions", []))
        if author_id == self.bot_id or mentions_bot:
            return message
        # Without the Message Content intent Discord blanks the content of other people's messages.
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        session = GatewaySession(ws, secrets.token_hex(16))
        self.sessions.append(session)
        await session.send(10, {"heartbeat_interval": self.heartbeat_interval_ms})
        try:
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                await self._gateway_op(session, message.get("op"), message.get("d"))
        finally:
            session.ready = False
            self._notify()
        return ws

    async def _gateway_op(self, session: GatewaySession, op: int | None, data: Any) -> None:
        if op == 1:
            session.heartbeats += 1
            await session.send(11)
        elif op == 2:
            session.identify = data
            if self.identify_close_code is not None:
                await session.ws.close(code=self.identify_close_code)
                return
            if self.valid_token is not None and data.get("token") != self.valid_token:
                await session.ws.close(code=4004)
                return
            session.intents = int(data.get("intents", 0))
            shard = data.get("shard")
            if shard is not None:
                shard_id, shard_count = int(shard[0]), int(shard[1])
                if shard_count < 1 or not 0 <= shard_id < shard_count:
                    await session.ws.close(code=4010)  # Discord: invalid shard
                    return
                session.shard = (shard_id, shard_count)
            session.ready = True
            await session.send(0, self._ready_payload(session), "READY")
            for guild_id in [g for g in self.guilds if session.holds(g)]:
                await session.send(0, self.guild_create_payload(guild_id, session), "GUILD_CREATE")
            self._notify()
        elif op == 6:
            previous = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
            if previous is None:
                await session.send(9, False)
                return
            session.session_id, session.seq, session.intents = previous.session_id, int(data.get("seq") or 0), previous.intents
            session.shard = previous.shard
            session.ready = True
            self.resumes += 1
            await session.send(0, {}, "RESUMED")
            self._notify()
        elif op == 8:
            guild_id = int(data["guild_id"])
            members = [self.member_payload(guild_id, u) for u in self.guilds[guild_id].members]
            await session.send(
                0,
                {
                    "guild_id": str(guild_id),
                    "members": members,
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "not_found": [],
                    "nonce": data.get("nonce"),
                },
                "GUILD_MEMBERS_CHUNK",
            )

    def _ready_payload(self, session: GatewaySession) -> dict[str, Any]:
        return {
            "v": 10,
            "user": {**self.users[self.bot_id], "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds if session.holds(g)],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            **({"shard": list(session.shard)} if session.shard is not None else {}),
        }

    # ------------------------------------------------------------------ interactions
    async def interact(
        self,
        channel_id: int,
        user_id: int,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        focused: str | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """A user runs a slash command the bot synced, e.g. `interact(ch, alice, "privacy optout")`.

        `command` is the full path ("group sub"); `options` maps option names to values (users, channels and
        roles by id). With `focused` set it is an autocomplete request for that option instead.
        """
        guild = self.guild_of(channel_id)
        definition = self.find_command(guild.id, command.split()[0])
        data = build_options(
            definition,
            command.split()[1:],
            options or {},
            focused=focused,
            describe=lambda kind, value: describe_option_value(self, guild.id, user_id, kind, value),
        )
        data["id"] = definition["id"]
        data["name"] = definition["name"]
        data["type"] = definition.get("type", 1)
        if definition.get("guild_id"):
            data["guild_id"] = definition["guild_id"]
        return await self._interaction(4 if focused else 2, channel_id, user_id, data, locale=locale)

    async def click(
        self, message: dict[str, Any], user_id: int, custom_id: str, *, component_type: int = 2, values: list[str] | None = None
    ) -> InteractionHandle:
        """A user presses a button (or picks from a select, with `values`) on a message the bot sent."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return await self._interaction(3, int(message["channel_id"]), user_id, data, message=message)

    def find_command(self, guild_id: int, name: str) -> dict[str, Any]:
        definition = self.guild_commands.get(guild_id, {}).get(name) or self.global_commands.get(name)
        if definition is None:
            synced = sorted([*self.global_commands, *self.guild_commands.get(guild_id, {})])
            raise LookupError(f"the bot has not synced a command named {name!r} (synced: {', '.join(synced) or 'none'})")
        return definition

    async def _interaction(
        self,
        kind: int,
        channel_id: int,
        user_id: int,
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        guild = self.guild_of(channel_id)
        interaction_id = self.ids.next()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(24)
        channel = {**self.channel(channel_id), "permissions": str(self.permissions_in(channel_id, user_id))}
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_id": str(guild.id),
            "channel": channel,
            "channel_id": str(channel_id),
            "member": self.member_payload(guild.id, user_id, channel_id=channel_id),
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions_in(channel_id, self.bot_id)),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        handle = InteractionHandle(self, payload)
        self.interactions[interaction_id] = handle
        self._interactions_by_token[token] = handle
        await self.dispatch("INTERACTION_CREATE", payload)
        return handle

    # ------------------------------------------------------------------ waiting and recording
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], Any], *, timeout: float = 5.0, what: str = "a condition") -> Any:
        """Wait until predicate() is truthy (re-checked whenever the fake records something); returns its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fake Discord: no {what} within {timeout}s")
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.25))
            except TimeoutError:
                pass

    def find_requests(self, method: str, path_regex: str, *, since: int = 0) -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        return [r for r in self.requests[since:] if r.method == method.upper() and pattern.search(r.path)]

    async def wait_for_request(self, method: str, path_regex: str, *, since: int = 0, timeout: float = 5.0) -> RecordedRequest:
        """The first recorded request matching (from index `since` of `fake.requests`; pass `len(fake.requests)`
        taken before the action to see only new ones), waiting for it if need be."""
        found = await self.wait_until(
            lambda: self.find_requests(method, path_regex, since=since), timeout=timeout, what=f"{method} {path_regex} request"
        )
        return found[0]

    def posted_messages(self, channel_id: int | None = None) -> list[BotMessage]:
        """What the bot posted with POST /channels/{id}/messages, in order."""
        return [m for m in self.bot_messages if m.kind == "channel" and (channel_id is None or m.channel_id == channel_id)]

    async def wait_for_posted(self, channel_id: int | None = None, *, count: int = 1, timeout: float = 5.0) -> list[BotMessage]:
        return await self.wait_until(
            lambda: (lambda found: found if len(found) >= count else None)(self.posted_messages(channel_id)),
            timeout=timeout,
            what=f"{count} posted message(s)",
        )

    # ------------------------------------------------------------------ REST plumbing
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Add or override a REST route (regex on the path after /api/v10); tried before the built-in ones."""
        self._routes.insert(0, (method.upper(), re.compile(pattern + "$"), handler))

    def _on(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append((method, re.compile(pattern + "$"), handler))
            return handler

        return register

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        recorded = RecordedRequest(request.method, path, dict(request.query), body, files, dict(request.headers))
        try:
            limited = self._rate_limited(path)
            response = limited if limited is not None else await self._handle(request, path, body, files)
        except DiscordError as exc:
            response = json_response(
                {"message": exc.message, "code": exc.code, **({"errors": exc.errors} if exc.errors else {})}, status=exc.status
            )
        except Exception as exc:  # a bug in the fake or a test: answer 400 so discord.py does not retry for 25 s
            log.exception("fake Discord failed on %s %s", request.method, path)
            self.errors.append(f"{request.method} {path}: {exc!r}")
            response = json_response({"message": f"fake Discord error: {exc!r}", "code": 0}, status=400)
        recorded.status = response.status
        self.requests.append(recorded)
        self._notify()
        return response

    def _rate_limited(self, path: str) -> web.Response | None:
        now = asyncio.get_running_loop().time()
        for pattern, allowed, window, times in self._rate_limits:
            if not pattern.search(path):
                continue
            times[:] = [t for t in times if now - t < window]
            if len(times) >= allowed:
                retry_after = round(window - (now - times[0]), 3)
                self.rate_limited += 1
                # discord.py treats a 429 without `Via` as a Cloudflare ban; Discord's own carry it.
                return web.Response(
                    body=json.dumps({"message": "You are being rate limited.", "retry_after": retry_after, "global": False}).encode(),
                    status=429,
                    headers={
                        "Content-Type": "application/json",
                        "Via": "1.1 google",
                        "Retry-After": str(retry_after),
                        "X-RateLimit-Scope": "user",
                    },
                )
            times.append(now)
        return None

    async def _handle(self, request: web.Request, path: str, body: Any, files: list[dict[str, Any]]) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        needs_auth = not (path.startswith("/interactions/") or path.startswith("/webhooks/"))
        if needs_auth and self.valid_token is not None and auth != f"Bot {self.valid_token}":
            raise DiscordError(401, 0, "401: Unauthorized")
        for method, pattern, handler in self._routes:
            match = pattern.match(path)
            if match and method == request.method:
                request[FILES] = files
                return await handler(request, match, body)
        raise DiscordError(404, 0, "404: Not Found")

    def _install_routes(self) -> None:
        on = self._on
        ID = r"(\d+)"

        @on("GET", "/gateway")
        async def gateway(request, match, body):
            return json_response({"url": self.gateway_url})

        @on("GET", "/gateway/bot")
        async def gateway_bot(request, match, body):
            return json_response(
                {
                    "url": self.gateway_url,
                    "shards": self.recommended_shards,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
                }
            )

        @on("GET", "/users/@me")
        async def me(request, match, body):
            return json_response({**self.users[self.bot_id], "verified": True, "mfa_enabled": False, "email": None})

        @on("GET", f"/users/{ID}")
        async def user(request, match, body):
            return json_response(self._user(int(match[1])))

        @on("GET", "/oauth2/applications/@me")
        async def application(request, match, body):
            return json_response(self._application())

        @on("GET", "/applications/@me")
        async def application_me(request, match, body):
            return json_response(self._application())

        @on("PUT", f"/applications/{ID}/commands")
        async def sync_global(request, match, body):
            self.global_commands = {c["name"]: self._register_command(c, None) for c in body}
            return json_response(list(self.global_commands.values()))

        @on("GET", f"/applications/{ID}/commands")
        async def list_global(request, match, body):
            return json_response(list(self.global_commands.values()))

        @on("PUT", f"/applications/{ID}/guilds/{ID}/commands")
        async def sync_guild(request, match, body):
            guild_id = int(match[2])
            self.guild_commands[guild_id] = {c["name"]: self._register_command(c, guild_id) for c in body}
            return json_response(list(self.guild_commands[guild_id].values()))

        @on("GET", f"/applications/{ID}/guilds/{ID}/commands")
        async def list_guild(request, match, body):
            return json_response(list(self.guild_commands.get(int(match[2]), {}).values()))

        @on("GET", f"/channels/{ID}")
        async def get_channel(request, match, body):
            channel_id = self._visible_channel(int(match[1]))
            return json_response(self.channel(channel_id))

        @on("GET", f"/channels/{ID}/messages")
        async def history(request, match, body):
            channel_id = self._visible_channel(int(match[1]))
            return json_response(self._history(channel_id, request.query))

        @on("GET", f"/channels/{ID}/messages/{ID}")
        async def get_message(request, match, body):
            channel_id = self._visible_channel(int(match[1]))
            message = self.messages[channel_id].get(int(match[2]))
            if message is None or not self.can(self.bot_id, channel_id, "read_message_history"):
                raise DiscordError(404, 10008, "Unknown Message")
            return json_response(P.strip_for_rest(message))

        @on("POST", f"/channels/{ID}/messages")
        async def create_message(request, match, body):
            channel_id = self._visible_channel(int(match[1]))
            permission = "send_messages_in_threads" if self.is_thread(channel_id) else "send_messages"
            if not self.can(self.bot_id, channel_id, permission):
                raise DiscordError(403, 50013, "Missing Permissions")
            message = self._message_from_body(channel_id, body or {}, request[FILES])
            self.messages[channel_id][int(message["id"])] = message
            self.bot_messages.append(BotMessage("channel", channel_id, body or {}, message))
            await self.dispatch_message("MESSAGE_CREATE", message)
            return json_response(P.strip_for_rest(message))

        @on("PATCH", f"/channels/{ID}/messages/{ID}")
        async def edit_message(request, match, body):
            channel_id = self._visible_channel(int(match[1]))
            message = self.messages[channel_id].get(int(match[2]))
            if message is None:
                raise DiscordError(404, 10008, "Unknown Message")
            if int(message["author"]["id"]) != self.bot_id:
                raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
            self._apply_edit_body(message, body or {})
            self.bot_messages.append(BotMessage("edit", channel_id, body or {}, message))
            await self.dispatch_message("MESSAGE_UPDATE", message)
            return json_response(P.strip_for_rest(message))

        @on("DELETE", f"/channels/{ID}/messages/{ID}")
        async def delete_message(request, match, body):
            channel_id = self._visible_channel(int(match[1]))
            message = self.messages[channel_id].get(int(match[2]))
            if message is None:
                raise DiscordError(404, 10008, "Unknown Message")
            if int(message["author"]["id"]) != self.bot_id and not self.can(self.bot_id, channel_id, "manage_messages"):
                raise DiscordError(403, 50013, "Missing Permissions")
            await self.delete_message(channel_id, int(match[2]))
            return web.Response(status=204)

        @on("POST", f"/channels/{ID}/messages/bulk-delete")
        async def bulk_delete(request, match, body):
            channel_id = self._visible_channel(int(match[1]))
            if not self.can(self.bot_id, channel_id, "manage_messages"):
                raise DiscordError(403, 50013, "Missing Permissions")
            await self.bulk_delete(channel_id, [int(i) for i in body["messages"]])
            return web.Response(status=204)

        @on("POST", f"/channels/{ID}/typing")
        async def typing(request, match, body):
            self._visible_channel(int(match[1]))
            return web.Response(status=204)

        @on("PUT", f"/channels/{ID}/messages/{ID}/reactions/([^/]+)/@me")
        async def react(request, match, body):
            self._visible_channel(int(match[1]))
            return web.Response(status=204)

        @on("GET", f"/guilds/{ID}")
        async def guild(request, match, body):
            return json_response(self.guild_payload(self._guild(int(match[1])).id))

        @on("GET", f"/guilds/{ID}/channels")
        async def guild_channels(request, match, body):
            return json_response(list(self._guild(int(match[1])).channels.values()))

        @on("GET", f"/guilds/{ID}/roles")
        async def guild_roles(request, match, body):
            return json_response(list(self._guild(int(match[1])).roles.values()))

        @on("GET", f"/guilds/{ID}/threads/active")
        async def active_threads(request, match, body):
            guild = self._guild(int(match[1]))
            return json_response({"threads": [t for t in guild.threads.values() if not t["thread_metadata"]["archived"]], "members": []})

        @on("GET", f"/channels/{ID}/threads/archived/(public|private)")
        async def archived_threads(request, match, body):
            parent_id = self._visible_channel(int(match[1]))
            private = match[2] == "private"
            if not self.can(self.bot_id, parent_id, "read_message_history") or (
                private and not self.can(self.bot_id, parent_id, "manage_threads")
            ):
                raise DiscordError(403, 50013, "Missing Permissions")
            guild = self.guild_of(parent_id)
            threads = [
                t
                for t in guild.threads.values()
                if int(t["parent_id"]) == parent_id and t["thread_metadata"]["archived"] and (t["type"] == 12) == private
            ]
            threads.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
            if "before" in request.query:
                threads = [t for t in threads if t["thread_metadata"]["archive_timestamp"] < request.query["before"]]
            limit = int(request.query.get("limit", 50))
            return json_response({"threads": threads[:limit], "members": [], "has_more": len(threads) > limit})

        @on("GET", f"/guilds/{ID}/members/{ID}")
        async def guild_member(request, match, body):
            guild = self._guild(int(match[1]))
            if int(match[2]) not in guild.members:
                raise DiscordError(404, 10007, "Unknown Member")
            return json_response(self.member_payload(guild.id, int(match[2])))

        @on("GET", f"/guilds/{ID}/members")
        async def guild_members(request, match, body):
            guild = self._guild(int(match[1]))
            after = int(request.query.get("after", 0))
            limit = int(request.query.get("limit", 1))
            ids = sorted(u for u in guild.members if u > after)[:limit]
            return json_response([self.member_payload(guild.id, u) for u in ids])

        @on("DELETE", f"/users/@me/guilds/{ID}")
        async def leave_guild(request, match, body):
            await self.remove_guild(self._guild(int(match[1])).id)
            return web.Response(status=204)

        @on("POST", r"/interactions/(\d+)/([^/]+)/callback")
        async def callback(request, match, body):
            handle = self.interactions.get(int(match[1]))
            if handle is None or handle.token != match[2]:
                raise DiscordError(404, 10062, "Unknown interaction")
            if handle.callbacks:
                raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
            return json_response(await self._interaction_callback(handle, body or {}, request[FILES]))

        @on("POST", r"/webhooks/(\d+)/([^/]+)")
        async def followup(request, match, body):
            handle = self._handle_for_token(match[2])
            if not handle.callbacks:
                raise DiscordError(404, 10015, "Unknown Webhook")
            message = self._interaction_message(handle, body or {}, request[FILES])
            handle.followups.append(body or {})
            self.bot_messages.append(BotMessage("followup", handle.channel_id, body or {}, message))
            await self._publish_interaction_message(message, created=True)
            if request.query.get("wait", "false").lower() in ("1", "true"):
                return json_response(P.strip_for_rest(message))
            return web.Response(status=204)

        @on("GET", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)")
        async def get_webhook_message(request, match, body):
            return json_response(P.strip_for_rest(self._webhook_message(self._handle_for_token(match[2]), match[3])))

        @on("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)")
        async def edit_webhook_message(request, match, body):
            handle = self._handle_for_token(match[2])
            message = self._webhook_message(handle, match[3])
            self._apply_edit_body(message, body or {}, files=request[FILES])
            message["flags"] = int(message.get("flags", 0)) & ~LOADING
            handle.edits.append(body or {})
            self.bot_messages.append(BotMessage("edit", handle.channel_id, body or {}, message))
            await self._publish_interaction_message(message, created=False)
            return json_response(P.strip_for_rest(message))

        @on("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)")
        async def delete_webhook_message(request, match, body):
            handle = self._handle_for_token(match[2])
            message = self._webhook_message(handle, match[3])
            handle.deleted.append(int(message["id"]))
            if not int(message.get("flags", 0)) & EPHEMERAL:
                await self.delete_message(handle.channel_id, int(message["id"]))
            return web.Response(status=204)

    # ------------------------------------------------------------------ REST helpers
    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id not in self.users:
            raise DiscordError(404, 10013, "Unknown User")
        return self.users[user_id]

    def _guild(self, guild_id: int) -> FakeGuild:
        guild = self.guilds.get(guild_id)
        if guild is None or self.bot_id not in guild.members:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild

    def _visible_channel(self, channel_id: int) -> int:
        try:
            self.channel(channel_id)
        except KeyError:
            raise DiscordError(404, 10003, "Unknown Channel") from None
        if not self.can(self.bot_id, channel_id, "view_channel"):
            raise DiscordError(403, 50001, "Missing Access")
        return channel_id

    def _application(self) -> dict[str, Any]:
        bot = self.users[self.bot_id]
        return {
            "id": str(self.application_id),
            "name": bot["username"],
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": bot,
            "owner": self.users[self.app_owner_id],
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "interactions_endpoint_url": None,
            "install_params": None,
            "tags": [],
        }

    def _register_command(self, command: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        key = (guild_id, command["name"])
        command_id = self._command_ids.setdefault(key, self.ids.next())
        registered = {
            "type": 1,
            "default_member_permissions": None,
            "nsfw": False,
            "description": "",
            "options": [],
            **command,
            "id": str(command_id),
            "application_id": str(self.application_id),
            "version": str(command_id),
        }
        if guild_id is not None:
            registered["guild_id"] = str(guild_id)
        return registered

    def _history(self, channel_id: int, query: Any) -> list[dict[str, Any]]:
        """GET /channels/{id}/messages as Discord answers it: newest first whatever the cursor, at most 100.

        `before`: the newest `limit` messages older than it; `after`: the oldest `limit` messages newer than it
        (still returned newest first; discord.py reverses them); `around`: a window centred on it.
        """
        if not self.can(self.bot_id, channel_id, "read_message_history"):
            return []  # Discord answers an empty page, not an error
        limit = max(1, min(100, int(query.get("limit", 50))))
        ids = sorted(self.messages[channel_id])
        if "around" in query:
            around = int(query["around"])
            older = [i for i in ids if i < around][-(limit // 2) :] if limit // 2 else []
            newer = [i for i in ids if i >= around][: limit - len(older)]
            chosen = older + newer
        elif "before" in query:
            chosen = [i for i in ids if i < int(query["before"])][-limit:]
        elif "after" in query:
            chosen = [i for i in ids if i > int(query["after"])][:limit]
        else:
            chosen = ids[-limit:]
        return [P.strip_for_rest(self.messages[channel_id][i]) for i in reversed(chosen)]

    def _validate_message_body(self, body: dict[str, Any], files: list[dict[str, Any]], *, creating: bool) -> None:
        content = body.get("content")
        if content is not None and len(content) > MAX_CONTENT:
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}},
            )
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            raise DiscordError(400, 50035, "Invalid Form Body", {"embeds": "at most 10"})
        total = 0
        for embed in embeds:
            for key, limit in (("title", 256), ("description", 4096)):
                if len(embed.get(key) or "") > limit:
                    raise DiscordError(400, 50035, "Invalid Form Body", {"embeds": f"{key} longer than {limit}"})
                total += len(embed.get(key) or "")
            for item in embed.get("fields") or []:
                if len(item.get("name") or "") > 256 or len(item.get("value") or "") > 1024:
                    raise DiscordError(400, 50035, "Invalid Form Body", {"embeds": "field too long"})
                total += len(item.get("name") or "") + len(item.get("value") or "")
            total += len((embed.get("footer") or {}).get("text") or "")
        if total > 6000:
            raise DiscordError(400, 50035, "Invalid Form Body", {"embeds": "more than 6000 characters in total"})
        if creating and not (content or embeds or files or body.get("sticker_ids") or body.get("components") or body.get("poll")):
            raise DiscordError(400, 50006, "Cannot send an empty message")

    def _message_from_body(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[dict[str, Any]],
        *,
        interaction: InteractionHandle | None = None,
        loading: bool = False,
    ) -> dict[str, Any]:
        if not loading:
            self._validate_message_body(body, files, creating=True)
        reference = body.get("message_reference") or {}
        reply_to = int(reference["message_id"]) if reference.get("message_id") else None
        if reply_to is not None and reply_to not in self.messages.get(channel_id, {}):
            if reference.get("fail_if_not_exists", True):
                raise DiscordError(400, 50035, "Invalid Form Body", {"message_reference": "Unknown message"})
            reply_to = None
        flags = int(body.get("flags") or 0) | (LOADING if loading else 0)
        metadata = None
        message_type = None
        if interaction is not None:
            metadata = {
                "id": interaction.payload["id"],
                "type": interaction.payload["type"],
                "user": self.users[interaction.user_id],
                "authorizing_integration_owners": interaction.payload["authorizing_integration_owners"],
            }
            message_type = 20 if interaction.payload["type"] == 2 else 0
        attachments = [
            P.attachment_payload(self.ids.next(), f["filename"], size=len(f["data"]), content_type=f.get("content_type")) for f in files
        ]
        message = self._new_message(
            channel_id,
            self.bot_id,
            body.get("content") or "",
            reply_to=reply_to,
            mention_author=bool((body.get("allowed_mentions") or {}).get("replied_user", True)),
            attachments=attachments,
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            flags=flags,
            interaction_metadata=metadata,
            message_type=message_type,
        )
        return message

    def _apply_edit_body(self, message: dict[str, Any], body: dict[str, Any], *, files: list[dict[str, Any]] = ()) -> None:
        self._validate_message_body(body, list(files), creating=False)
        channel_id = int(message["channel_id"])
        if "content" in body:
            rebuilt = self._new_message(channel_id, int(message["author"]["id"]), body["content"] or "", message_id=int(message["id"]))
            message.update(content=body["content"] or "", mentions=rebuilt["mentions"], mention_roles=rebuilt["mention_roles"])
        for key in ("embeds", "components"):
            if key in body:
                message[key] = body[key] or []
        if "attachments" in body or files:
            message["attachments"] = [P.attachment_payload(self.ids.next(), f["filename"], size=len(f["data"])) for f in files]
        if int(message["author"]["id"]) == self.bot_id and not int(message.get("flags", 0)) & LOADING:
            message["edited_timestamp"] = P.iso(datetime.now(UTC))

    def _handle_for_token(self, token: str) -> InteractionHandle:
        handle = self._interactions_by_token.get(token)
        if handle is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        return handle

    def _webhook_message(self, handle: InteractionHandle, which: str) -> dict[str, Any]:
        if which == "@original":
            if handle.original is None:
                raise DiscordError(404, 10008, "Unknown Message")
            return handle.original
        for message in handle.messages:
            if message["id"] == which:
                return message
        raise DiscordError(404, 10008, "Unknown Message")

    def _interaction_message(
        self, handle: InteractionHandle, body: dict[str, Any], files: list[dict[str, Any]], *, loading: bool = False
    ) -> dict[str, Any]:
        message = self._message_from_body(handle.channel_id, body, files, interaction=handle, loading=loading)
        handle.messages.append(message)
        return message

    async def _publish_interaction_message(self, message: dict[str, Any], *, created: bool) -> None:
        # Ephemeral messages exist only for the user who ran the command: no event, no channel history.
        if int(message.get("flags", 0)) & EPHEMERAL:
            return
        channel_id = int(message["channel_id"])
        self.messages[channel_id][int(message["id"])] = message
        await self.dispatch_message("MESSAGE_CREATE" if created else "MESSAGE_UPDATE", message)

    async def _interaction_callback(self, handle: InteractionHandle, body: dict[str, Any], files: list[dict[str, Any]]) -> dict[str, Any]:
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        handle.callbacks.append(body)
        interaction = {"id": handle.payload["id"], "type": handle.payload["type"]}
        resource: dict[str, Any] | None = None
        if kind in (4, 5):
            message = self._interaction_message(handle, data, files, loading=kind == 5)
            handle.original = message
            self.bot_messages.append(BotMessage("response", handle.channel_id, data, message))
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool(int(message["flags"]) & EPHEMERAL),
            )
            await self._publish_interaction_message(message, created=True)
            resource = {"type": kind, "message": P.strip_for_rest(message)}
        elif kind in (6, 7):
            message = handle.payload.get("message")
            if message is not None:
                handle.original = self.messages.get(handle.channel_id, {}).get(int(message["id"]), message)
                if kind == 7:
                    self._apply_edit_body(handle.original, data, files=files)
                    self.bot_messages.append(BotMessage("edit", handle.channel_id, data, handle.original))
                    await self.dispatch_message("MESSAGE_UPDATE", handle.original)
                interaction.update(response_message_id=handle.original["id"])
                resource = {"type": kind, "message": P.strip_for_rest(handle.original)}
        elif kind in (8, 9):
            resource = None
        else:
            raise DiscordError(400, 50035, "Invalid Form Body", {"type": f"unknown callback type {kind}"})
        result: dict[str, Any] = {"interaction": interaction}
        if resource is not None:
            result["resource"] = resource
        return result


def json_response(data: Any, *, status: int = 200) -> web.Response:
    # Exactly `application/json`: discord.py compares the header verbatim (no charset suffix) before parsing.
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


async def _read_body(request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
    if not request.body_exists:
        return None, []
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("multipart/"):
        body: Any = None
        files: list[dict[str, Any]] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            elif part.filename:
                files.append(
                    {
                        "field": part.name,
                        "filename": part.filename,
                        "data": await part.read(),
                        "content_type": part.headers.get("Content-Type"),
                    }
                )
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []
