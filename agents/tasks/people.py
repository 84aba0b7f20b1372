"""Who is who in a window: names and handles to user ids, and each sentence with the person it is addressed to."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from agents.records import MessageRecord
from agents.tasks.language import RenderedMessage, handle, sentences
from agents.tasks.patterns import (
    BOT_LIKE_NAME,
    ITEM_SPLIT,
    ITEMS_PREFIX,
    LIST_BULLET,
    MASS_MENTION_LEADING,
    MASS_MENTION_USERS,
    PRIVILEGE_REQUEST,
    QUESTION_TAIL,
    REQUEST_SPLIT,
    SECOND_PERSON_REQUEST,
    SELF_NAMES,
    STOP_NAMES,
    TRAILING_PLEASE,
)


@dataclass(frozen=True, slots=True)
class Clause:
    """One sentence of a message with its addressee worked out."""

    text: str  # the sentence without the vocative
    raw: str
    addressee_id: int | None
    addressee_name: str | None
    is_question: bool
    # "raj: add the alerts", "@amir write the postmortem": the sentence opens by naming who it is for.
    vocative: bool = False
    # "me: write up the summary" in a list of action items: the speaker's own item.
    self_assigned: bool = False
    # Not work for anyone: a mass mention ("@a @b @c @d ... look at this"), a message to a bot, or a
    # message from an account that poses as one ("Summary Bot" writing "action items: ...").
    ignored: bool = False


class People:
    """The participants of a window (authors and everyone mentioned), looked up by name, handle or first name."""

    def __init__(self, messages: list[MessageRecord], *, bot_ids: Collection[int] = ()):
        self.messages = messages
        self.bot_ids = frozenset(bot_ids)
        self.bot_names = {name.lower() for m in messages for uid, name in m.mention_names.items() if uid in self.bot_ids}
        self.by_id = {m.id: m for m in messages}
        self.known = self._participants()

    def _participants(self) -> dict[str, tuple[int, str]]:
        """Lower-case name, handle and first name -> (user id, display name) for everyone in the window."""
        people: dict[str, tuple[int, str]] = {}
        named: dict[int, str] = {}
        for message in self.messages:
            named.setdefault(message.author_id, message.author_name)
            for user_id, name in message.mention_names.items():
                named.setdefault(user_id, name)
        for user_id, name in named.items():
            for key in {name.lower(), handle(name).lower(), name.split()[0].lower() if name.split() else ""}:
                if key and key not in STOP_NAMES:
                    people.setdefault(key, (user_id, name))
        return people

    def name_of(self, user_id: int | None, rendered: RenderedMessage | None = None) -> str | None:
        if user_id is None:
            return None
        if rendered and user_id in rendered.names:
            return rendered.names[user_id]
        for message in self.messages:
            if message.author_id == user_id:
                return message.author_name
            if user_id in message.mention_names:
                return message.mention_names[user_id]
        return None

    def handle_id(self, token: str, rendered: RenderedMessage) -> tuple[int, str] | None:
        token = token.lower()
        if token in rendered.mentions:
            user_id = rendered.mentions[token]
            return user_id, rendered.names.get(user_id) or token
        return self.known.get(token)

    def names_member(self, message: MessageRecord, user_id: int) -> bool:
        """Whether `message` mentions the member or calls them by name ("mxrk ping me when ...")."""
        if user_id in message.mention_ids:
            return True
        keys = {key for key, (uid, _) in self.known.items() if uid == user_id}
        return bool(keys & {w.lower() for w in re.findall(r"[\w'-]+", message.content or "")})

    def is_noise(self, message: MessageRecord) -> bool:
        """Spam and bot traffic: a mass mention, a bot-like author, a demand for roles, or a message addressed to a bot."""
        mentioned = set(message.mention_ids) | set(message.mention_names)
        return (
            len(mentioned) >= MASS_MENTION_USERS
            or BOT_LIKE_NAME.search(message.author_name) is not None
            or PRIVILEGE_REQUEST.search(message.content or "") is not None
            or any(self.is_bot(uid, message.mention_names.get(uid)) for uid in mentioned)
        )

    def is_bot(self, user_id: int | None, name: str | None = None) -> bool:
        return user_id in self.bot_ids or bool(name and BOT_LIKE_NAME.search(name))

    def clauses(self, rendered: RenderedMessage, previous: MessageRecord | None = None) -> list[Clause]:
        """The message's sentences; `previous` is the message before it, whose author a bare "can you ..." speaks to."""
        message = rendered.record
        parts = sentences(rendered.text)
        message_addressee: tuple[int, str] | None = None
        lead = re.match(r"^\s*@(\w+)", rendered.text)
        if lead:
            message_addressee = self.handle_id(lead.group(1), rendered)
        reply_target = self.by_id.get(message.reply_to_id) if message.reply_to_id else None
        # A message that pings a crowd is a broadcast, and a bot-like author is not assigning work.
        crowd = len(set(rendered.mentions.values())) >= MASS_MENTION_USERS
        impostor = BOT_LIKE_NAME.search(message.author_name) is not None
        items: list[tuple[int, str]] = []  # (which sentence, the item)
        for number, part in enumerate(parts):
            part = ITEMS_PREFIX.sub("", part)
            part = LIST_BULLET.sub("", part)
            for item in ITEM_SPLIT.split(part):
                items += [(number, piece) for piece in REQUEST_SPLIT.split(item) if piece.strip()]
        clauses = []
        spoken_to: dict[int, tuple[int, str]] = {}  # per sentence, whom it opened by naming
        hailed: tuple[int, str] | None = None  # "Bob, would you ...", split at the comma: the name alone, then the ask
        for number, part in items:
            text = part
            addressee: tuple[int, str] | None = hailed
            hailed = None
            vocative = addressee is not None
            self_assigned = False
            alone = re.fullmatch(r"\s*([A-Za-z][\w'-]*)\s*[,:]?\s*", text)
            if alone and alone.group(1).lower() in self.known and alone.group(1).lower() not in STOP_NAMES:
                hailed = self.known[alone.group(1).lower()]
            # "ok @theo we need a prep schedule": a word of lead-in before whom the sentence is for.
            leading = re.match(
                r"^\s*(?:(?:ok|okay|so|hey|also|and|alright|right|yo|oh|me|mine|yep|yes|yeah)\W+)?((?:@\w+[\s,:]*)+)(.*)$",
                text,
                re.IGNORECASE,
            )
            leading_count = 0
            if addressee is not None:
                pass
            elif leading:
                handles = re.findall(r"@(\w+)", leading.group(1))
                leading_count = len(handles)
                addressee = self.handle_id(handles[0], rendered) if handles else None
                text = leading.group(2)
                vocative = True
            else:
                named = (
                    re.match(r"^\s*([A-Za-z][\w'-]*)\s*([,:])\s+(.*)$", text)
                    or re.match(
                        # "omar can you review 3312?", "marco pls tell birchwood ...": the name, then the ask, no comma.
                        r"^\s*(?:(?:and|also|ok|okay|so)\s+)?([A-Za-z][\w'-]*)()\s+"
                        r"((?:(?:can|could|would|will)\s+(?:you|u)|pls|please|plz|(?:you're|youre|you are|ur)\s+on)\b.*)$",
                        text,
                        re.IGNORECASE,
                    )
                    or re.match(
                        # "bea you've sung it before — could you take the solo?": the name, then words to them.
                        r"^\s*([A-Za-z][\w'-]*)()\s+((?:you've|youve|you're|youre|you|u|ur)\b.*)$",
                        text,
                        re.IGNORECASE,
                    )
                )
                if named and named.group(1).lower() in SELF_NAMES and named.group(2) == ":":
                    self_assigned = True  # "me: write up the incident summary"
                    text = named.group(3)
                elif named and named.group(1).lower() in self.known and named.group(1).lower() not in STOP_NAMES:
                    addressee = self.known[named.group(1).lower()]
                    text = named.group(3)
                    vocative = True
                    if re.match(r"(?:you|u|ur)\b", text, re.IGNORECASE):
                        spoken_to.setdefault(number + 1, addressee)  # "bea you've sung it before — could you take the solo?"
            trailing = re.search(r"[\s,]+@(\w+)\s*([?!.]*)\s*$", text) or re.search(r",\s*([A-Za-z][\w'-]*)\s*([?!.]*)\s*$", text)
            if trailing and addressee is None:
                found = self.handle_id(trailing.group(1), rendered)
                if found and (trailing.group(0).lstrip().startswith("@") or trailing.group(1).lower() in self.known):
                    addressee = found
                    text = text[: trailing.start()] + trailing.group(2)
            if vocative and addressee is not None:
                spoken_to.setdefault(number, addressee)
                if len(text.split()) <= 2 or leading and not SECOND_PERSON_REQUEST.search(text):
                    # "@conor merch!! new shirts need to be ordered", "@aroha since you brought it up… can you put one
                    # together?": a hail opens what follows.
                    spoken_to.setdefault(number + 1, addressee)
            elif addressee is None and number in spoken_to:
                # "@theo we need a prep schedule, can you draft one by tomorrow?": the rest of the sentence is for theo too.
                addressee = spoken_to[number]
            if addressee is None and message_addressee is not None:
                addressee = message_addressee
            if addressee is None and reply_target is not None and reply_target.author_id != message.author_id:
                addressee = (reply_target.author_id, reply_target.author_name)
            if (
                addressee is None
                and previous is not None
                and (SECOND_PERSON_REQUEST.search(text) or TRAILING_PLEASE.match(text))
                and previous.author_name.lower() not in text.lower()
            ):
                # A support thread's back-and-forth: "could you send me the log file?" is for the person just answered.
                addressee = (previous.author_id, previous.author_name)
            to_bot = addressee is not None and self.is_bot(*addressee)
            if addressee and addressee[0] == message.author_id:
                addressee = None
            clauses.append(
                Clause(
                    text=text.strip(),
                    raw=LIST_BULLET.sub("", part),
                    addressee_id=addressee[0] if addressee else None,
                    addressee_name=addressee[1] if addressee else None,
                    is_question=bool(QUESTION_TAIL.search(part)),
                    vocative=vocative,
                    self_assigned=self_assigned,
                    ignored=crowd or impostor or to_bot or leading_count >= MASS_MENTION_LEADING,
                )
            )
        return clauses

    def rewrite(self, text: str, rendered: RenderedMessage, *, owner_id: int | None, addressee: Clause) -> str:
        """Words like "me" and "you" name the speaker and the listener; a task list needs their names."""
        speaker = rendered.record
        text = re.sub(r"@(\w+)", lambda m: (self.handle_id(m.group(1), rendered) or (0, m.group(1)))[1], text)
        if owner_id != speaker.author_id:
            text = re.sub(r"\bme\b", speaker.author_name, text)
            text = re.sub(r"\bmy\b", speaker.author_name + "'s", text)
        elif addressee.addressee_name:
            # Not inside a word: "the thank-you post" stays a thank-you post.
            text = re.sub(r"(?<![\w-])you(?![\w-])", addressee.addressee_name, text)
            text = re.sub(r"(?<![\w-])your(?![\w-])", addressee.addressee_name + "'s", text)
        return text
