"""Who may read what: the invoker's access to a channel, whether a digest's audience may see a source channel,
and the command context (`bot.commands.context`) built from discord.py's cache."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import discord
from discord import app_commands

from bot.commands.context import ChannelInfo, CommandContext

VIEW_CHANNEL = discord.Permissions(view_channel=True).value
ADMINISTRATOR = discord.Permissions(administrator=True).value


def can_read_history(channel: discord.abc.GuildChannel | discord.Thread | None, member: discord.Member | None) -> bool:
    """True when `member` may view `channel` and read its history (a missing channel or member reads as no)."""
    if channel is None or not isinstance(member, discord.Member):
        return False
    try:
        permissions = channel.permissions_for(member)
    except discord.ClientException:  # a thread whose parent is not cached
        return False
    if not (permissions.view_channel and permissions.read_message_history):
        return False
    if isinstance(channel, discord.Thread) and channel.is_private():
        # A private thread is readable by its members and by those who may manage threads.
        # Thread members as cached from the gateway; the bot's own membership is `thread.me`.
        joined = any(m.id == member.id for m in channel.members) or (channel.me is not None and channel.me.id == member.id)
        return permissions.manage_threads or channel.owner_id == member.id or joined
    return True


def bot_can_read(channel: discord.abc.GuildChannel | discord.Thread, guild: discord.Guild) -> bool:
    me = guild.me
    return me is not None and can_read_history(channel, me)


def bot_can_post(channel: discord.abc.GuildChannel | discord.Thread, guild: discord.Guild) -> bool:
    me = guild.me
    if me is None:
        return False
    permissions = channel.permissions_for(me)
    return permissions.view_channel and permissions.send_messages and permissions.embed_links


class DiscordGuildView:
    """`bot.commands.context.GuildView` over discord.py's cache of one guild, for one member (None: only the
    bot's own access is asked, as by a scheduled digest)."""

    def __init__(self, guild: discord.Guild, member: discord.Member | None) -> None:
        self._guild = guild
        self._member = member

    def _find(self, channel_id: int) -> discord.abc.GuildChannel | discord.Thread | None:
        return self._guild.get_channel_or_thread(channel_id)

    def channel(self, channel_id: int) -> ChannelInfo | None:
        found = self._find(channel_id)
        return _info(found) if found is not None else None

    def channels(self) -> list[ChannelInfo]:
        return [_info(c) for c in [*self._guild.channels, *self._guild.threads]]

    def member_can_read(self, channel_id: int) -> bool:
        return can_read_history(self._find(channel_id), self._member)

    def bot_can_read(self, channel_id: int) -> bool:
        found = self._find(channel_id)
        return found is not None and bot_can_read(found, self._guild)

    def bot_can_post(self, channel_id: int) -> bool:
        found = self._find(channel_id)
        return found is not None and bot_can_post(found, self._guild)

    def audience_may_see(self, source_id: int, target_id: int) -> bool:
        source, target = self._find(source_id), self._find(target_id)
        return source is not None and target is not None and digest_may_include(source, target)


def _info(channel: discord.abc.GuildChannel | discord.Thread) -> ChannelInfo:
    return ChannelInfo(
        id=channel.id,
        name=channel.name,
        is_text=isinstance(channel, discord.TextChannel),
        is_thread=isinstance(channel, discord.Thread),
    )


def member_context(guild: discord.Guild, user: discord.Member | discord.User, channel_id: int | None) -> CommandContext:
    """The context of a request by `user` in `guild` (from a slash command, a message or a button)."""
    member = user if isinstance(user, discord.Member) else guild.get_member(user.id)
    return CommandContext(
        user_id=user.id,
        guild_id=guild.id,
        channel_id=channel_id,
        manage_guild=member is not None and member.guild_permissions.manage_guild,
        guild=DiscordGuildView(guild, member),
        bot_id=guild.me.id if guild.me is not None else None,
    )


def interaction_context(interaction: discord.Interaction) -> CommandContext:
    """The context of a slash command; guild-only commands never run in DMs, and are refused if one does."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return member_context(interaction.guild, interaction.user, interaction.channel_id)


@dataclass(frozen=True, slots=True)
class Overwrite:
    allow: int = 0
    deny: int = 0


@dataclass(frozen=True, slots=True)
class ChannelAccess:
    """The view-relevant permission data of one channel, as plain numbers (threads use their parent's)."""

    everyone_role_id: int
    role_permissions: dict[int, int]  # role id -> guild-level permission bits (includes @everyone)
    everyone_overwrite: Overwrite = Overwrite()
    role_overwrites: dict[int, Overwrite] = field(default_factory=dict)
    member_overwrites: dict[int, Overwrite] = field(default_factory=dict)
    # Private threads, or anything whose audience is a member list rather than roles.
    members_only: bool = False


def can_view(access: ChannelAccess, role_ids: Iterable[int], member_id: int | None = None) -> bool:
    """Discord's permission resolution for VIEW_CHANNEL, for a member holding `role_ids` (plus @everyone)."""
    roles = {r for r in role_ids if r in access.role_permissions and r != access.everyone_role_id}
    base = access.role_permissions.get(access.everyone_role_id, 0)
    for role_id in roles:
        base |= access.role_permissions[role_id]
    if base & ADMINISTRATOR:
        return True
    base = (base & ~access.everyone_overwrite.deny) | access.everyone_overwrite.allow
    denies = allows = 0
    for role_id in roles:
        overwrite = access.role_overwrites.get(role_id)
        if overwrite is not None:
            denies |= overwrite.deny
            allows |= overwrite.allow
    base = (base & ~denies) | allows
    if member_id is not None and member_id in access.member_overwrites:
        overwrite = access.member_overwrites[member_id]
        base = (base & ~overwrite.deny) | overwrite.allow
    return bool(base & VIEW_CHANNEL)


def audience_may_see(
    source: ChannelAccess,
    target: ChannelAccess,
    *,
    member_roles: Mapping[int, Iterable[int]] | None = None,
) -> bool:
    """True when everyone who can see `target` can also see `source`.

    Checked for a member with no roles, each role alone, each role together with every role that
    restricts the source (the combinations that can hide the source while showing the target), and
    each member with an overwrite on either channel (`member_roles` gives their roles when known).
    """
    if source.members_only:
        return False
    if target.members_only:
        # A members-only target (a private thread) is read by people we cannot enumerate from roles.
        return False
    restricting = [role for role, ow in source.role_overwrites.items() if ow.deny & VIEW_CHANNEL]
    role_ids = [role for role in source.role_permissions if role != source.everyone_role_id]
    candidates: list[tuple[frozenset[int], int | None]] = [(frozenset(), None)]
    for role in role_ids:
        candidates.append((frozenset({role}), None))
        if restricting:
            candidates.append((frozenset({role, *restricting}), None))
            candidates.extend((frozenset({role, deny}), None) for deny in restricting)
    known_roles = member_roles or {}
    for overwritten_id in {*source.member_overwrites, *target.member_overwrites}:
        candidates.append((frozenset(known_roles.get(overwritten_id, ())), overwritten_id))
    for roles, member_id in candidates:
        if can_view(target, roles, member_id) and not can_view(source, roles, member_id):
            return False
    return True


def channel_access(channel: discord.abc.GuildChannel | discord.Thread) -> ChannelAccess:
    """Read a cached channel's permission data (a thread reads its parent's; a private thread is members-only)."""
    members_only = False
    if isinstance(channel, discord.Thread):
        members_only = channel.is_private()
        parent = channel.parent
        if parent is None:
            return ChannelAccess(everyone_role_id=channel.guild.id, role_permissions={}, members_only=True)
        channel = parent
    guild = channel.guild
    everyone = Overwrite()
    roles: dict[int, Overwrite] = {}
    members: dict[int, Overwrite] = {}
    for target, overwrite in channel.overwrites.items():
        allow, deny = overwrite.pair()
        entry = Overwrite(allow=allow.value, deny=deny.value)
        if isinstance(target, discord.Role):
            if target.is_default():
                everyone = entry
            else:
                roles[target.id] = entry
        else:
            members[target.id] = entry
    return ChannelAccess(
        everyone_role_id=guild.id,
        role_permissions={role.id: role.permissions.value for role in guild.roles},
        everyone_overwrite=everyone,
        role_overwrites=roles,
        member_overwrites=members,
        members_only=members_only,
    )


def digest_may_include(source: discord.abc.GuildChannel | discord.Thread, target: discord.abc.GuildChannel | discord.Thread) -> bool:
    """Whether a digest posted in `target` may summarize `source` without showing it to anyone who cannot read it."""
    if source.id == target.id:
        return True
    guild = target.guild
    source_access, target_access = channel_access(source), channel_access(target)
    member_roles: dict[int, list[int]] = {}
    for member_id in {*source_access.member_overwrites, *target_access.member_overwrites}:
        member = guild.get_member(member_id)
        if member is not None:
            member_roles[member_id] = [role.id for role in member.roles]
    return audience_may_see(source_access, target_access, member_roles=member_roles)
