"""What the bot said (BotMessage) and the test's side of one interaction (InteractionHandle), plus option building."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord

EPHEMERAL = 1 << 6
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
USER, CHANNEL, ROLE, MENTIONABLE = 6, 7, 8, 9


@dataclass
class BotMessage:
    """Something the bot sent: a channel post ("channel"), an interaction response ("response"),
    a follow-up ("followup") or an edit ("edit"). `body` is exactly what the bot sent; `message` is the
    message object the fake made from it."""

    kind: str
    channel_id: int
    body: dict[str, Any]
    message: dict[str, Any] | None = None

    @property
    def content(self) -> str:
        return self.body.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.body.get("embeds") or []

    @property
    def flags(self) -> int:
        return int(self.body.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.body.get("allowed_mentions")

    @property
    def id(self) -> int | None:
        return int(self.message["id"]) if self.message else None

    @property
    def text(self) -> str:
        """Content and every embed's visible text, one string, for `in` assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for item in embed.get("fields") or []:
                parts += [item.get("name") or "", item.get("value") or ""]
            parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)


@dataclass
class InteractionHandle:
    """The test's view of one INTERACTION_CREATE: what the bot answered, followed up and edited."""

    fake: FakeDiscord
    payload: dict[str, Any]
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return self.payload["token"]

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def user_id(self) -> int:
        return int(self.payload["member"]["user"]["id"])

    async def response(self, *, timeout: float = 5.0) -> dict[str, Any]:
        """The interaction callback body (`{"type": 4, "data": {...}}` and so on)."""
        await self.fake.wait_until(lambda: self.callbacks, timeout=timeout, what=f"callback for interaction {self.id}")
        return self.callbacks[0]

    async def reply(self, *, timeout: float = 5.0) -> BotMessage:
        """What the user ends up seeing: an immediate response, or after a deferral the first edit of the
        original response or the first follow-up, whichever comes first."""

        def visible() -> BotMessage | None:
            if not self.callbacks:
                return None
            first = self.callbacks[0]
            kind = int(first.get("type", 0))
            data = first.get("data") or {}
            if kind in (4, 7):
                return BotMessage("response", self.channel_id, data, self.original)
            if self.edits:
                flags = int((self.original or {}).get("flags", 0))
                return BotMessage("edit", self.channel_id, {"flags": flags & EPHEMERAL, **self.edits[0]}, self.original)
            if self.followups:
                return BotMessage("followup", self.channel_id, self.followups[0], self.messages[-1] if self.messages else None)
            return None

        return await self.fake.wait_until(visible, timeout=timeout, what=f"reply to interaction {self.id}")

    async def wait_followups(self, count: int = 1, *, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self.fake.wait_until(
            lambda: len(self.followups) >= count, timeout=timeout, what=f"{count} follow-up(s) for interaction {self.id}"
        )
        return self.followups

    async def choices(self, *, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The autocomplete choices the bot offered."""
        body = await self.response(timeout=timeout)
        if int(body.get("type", 0)) != 8:
            raise AssertionError(f"expected an autocomplete result (type 8), got {body}")
        return body["data"]["choices"]


def build_options(
    definition: dict[str, Any],
    path: list[str],
    values: dict[str, Any],
    *,
    focused: str | None,
    describe: Callable[[int, Any], tuple[Any, dict[str, dict[str, Any]]]],
) -> dict[str, Any]:
    """Interaction `data` for a synced command: subcommands nested by `path`, typed options, `resolved`."""
    data: dict[str, Any] = {}
    container = data
    node = definition
    for name in path:
        sub = next((o for o in node.get("options") or [] if o["name"] == name and o["type"] in (SUBCOMMAND, SUBCOMMAND_GROUP)), None)
        if sub is None:
            raise LookupError(f"/{definition['name']} has no subcommand {name!r}")
        entry: dict[str, Any] = {"name": name, "type": sub["type"]}
        container["options"] = [entry]
        container = entry
        node = sub
    if any(o["type"] in (SUBCOMMAND, SUBCOMMAND_GROUP) for o in node.get("options") or []):
        raise LookupError(f"/{definition['name']} {' '.join(path)} needs a subcommand")
    defined = {o["name"]: o for o in node.get("options") or []}
    options = []
    resolved: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        option = defined.get(name)
        if option is None:
            raise LookupError(f"the command has no option {name!r} (it has: {', '.join(defined) or 'none'})")
        entry = {"name": name, "type": option["type"]}
        if name == focused:
            entry.update(value=str(value), focused=True)
        else:
            raw, extra = describe(option["type"], value)
            entry["value"] = raw
            for kind, items in extra.items():
                resolved.setdefault(kind, {}).update(items)
        options.append(entry)
    missing = [n for n, o in defined.items() if o.get("required") and n not in values]
    if missing and focused is None:
        raise LookupError(f"Discord would not send this: required option(s) missing: {', '.join(missing)}")
    container["options"] = options
    if resolved:
        data["resolved"] = resolved
    return data


def describe_option_value(
    fake: FakeDiscord, guild_id: int, invoker_id: int, kind: int, value: Any
) -> tuple[Any, dict[str, dict[str, Any]]]:
    """The option's wire value and its `resolved` entries (users, members, channels, roles)."""
    if kind in (USER, MENTIONABLE) and int(value) in fake.users:
        user_id = int(value)
        extra: dict[str, dict[str, Any]] = {"users": {str(user_id): fake.users[user_id]}}
        if user_id in fake.guilds[guild_id].members:
            extra["members"] = {str(user_id): fake.member_payload(guild_id, user_id, with_user=False)}
        return str(user_id), extra
    if kind == CHANNEL:
        channel = fake.channel(int(value))
        # Discord puts the invoker's permissions in that channel here.
        permissions = fake.permissions_in(int(value), invoker_id)
        return str(value), {"channels": {str(value): {**channel, "permissions": str(permissions)}}}
    if kind in (ROLE, MENTIONABLE):
        return str(value), {"roles": {str(value): fake.guilds[guild_id].roles[int(value)]}}
    return value, {}
