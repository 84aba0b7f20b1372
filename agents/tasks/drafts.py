"""What the rules know so far while they read a window: the task drafts, where they are in it, and the small operations every stage shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from agents.records import MessageRecord
from agents.tasks.dates import Due
from agents.tasks.language import base_form, content_stems, ticket_numbers, verb_group, words
from agents.tasks.patterns import CONTEXT_NOTE, FANTASY_WORDS, MARKET_CHANNEL_WORDS, VERB_MODIFIERS
from agents.tasks.records import TaskChange


@dataclass
class Draft:
    kind: str  # "commitment" | "request"
    text: str
    owner_id: int | None
    owner_name: str | None
    requester_id: int | None
    due: Due | None
    sources: list[int]
    created_index: int
    said_at: datetime
    evidence: str
    status: str = "open"
    tentative: bool = False
    refused: bool = False
    answered: bool = False
    last_index: int = 0
    changes: list[TaskChange] = field(default_factory=list)
    # How the owner said they would do it, when they took the task on in their own words: more words to
    # recognise its completion by ("I'll ask the host" for "check if the cottage has wifi").
    also: list[str] = field(default_factory=list)

    @property
    def acts(self) -> frozenset[str]:
        """The task's verb group, with those of the words it was taken on in."""
        groups = [verb_group(self.verb)] + [verb_group(words(text)[0]) for text in self.also if words(text)]
        return frozenset().union(*groups)

    @property
    def plain_text(self) -> str:
        """The task's words without the "(re: ...)" note of what "it" was."""
        return self.text.split(CONTEXT_NOTE, 1)[0]

    def names_ticket(self, numbers: set[str]) -> bool:
        """Whether the task's own words name one of these ticket numbers ("Start PAY-412" for {"412"})."""
        return bool(numbers) and bool(numbers & ticket_numbers(self.plain_text))

    @property
    def verb(self) -> str:
        tokens = [t for t in words(self.text)[:3] if t not in VERB_MODIFIERS]
        # "batch-merge" is a kind of merge.
        return tokens[0].rsplit("-", 1)[-1] if tokens else ""

    @property
    def given_up(self) -> bool:
        """Its owner gave it back ("can someone cover the lobby?"): waiting for a new owner."""
        return bool(self.changes) and self.changes[-1].kind == "released"

    @property
    def live(self) -> bool:
        return self.status == "open" and not self.refused

    def changed_by(self, message_id: int) -> bool:
        """Whether its latest change (done, cancelled, handed over ...) came from that message."""
        return bool(self.changes) and self.changes[-1].message_id == message_id


class Board:
    """The window's messages in reading order and the drafts found so far."""

    def __init__(self, messages: list[MessageRecord], tz: ZoneInfo, *, loose: bool = False):
        self.tz = tz
        # Loose: also keep suggestions and hedged commitments, marked tentative, for a model to judge.
        self.loose = loose
        self.messages = messages
        self.by_id = {m.id: m for m in messages}
        self.drafts: list[Draft] = []
        self.index = 0
        # A deadline said once for all the work ("copy deadline is wednesday 6pm for everything"): new tasks without
        # their own take it.
        self.default_due: Due | None = None
        chatter = sum(bool(set(words(m.content or "")) & MARKET_CHANNEL_WORDS) for m in messages)
        self.market_channel = len(messages) >= 8 and chatter >= 0.2 * len(messages)
        # A fantasy league channel: lineup talk in several messages.
        self.fantasy_channel = sum(bool(set(words(m.content or "")) & FANTASY_WORDS) for m in messages) >= 3

    def open_drafts(self, owner_id: int | None = None) -> list[Draft]:
        return [d for d in self.drafts if d.live and (owner_id is None or d.owner_id == owner_id)]

    def overlap(self, draft: Draft, text: str, *, with_verbs: bool = True, context: bool = True) -> int:
        """Words `text` shares with the task; `context=False` leaves out the "(re: ...)" note of what "it" was."""
        ignore = {"take", "over", "instead", "done", "finish", "merged", "merg", "ship", "shipped", "fix", "fixed", "one", "ones"}
        task_text = draft.text if context else draft.plain_text
        task_stems = (content_stems(" ".join([task_text, *draft.also]))) - ignore
        text_stems = content_stems(text) - ignore
        count = len(task_stems & text_stems)
        if with_verbs and draft.verb:
            group = verb_group(draft.verb)
            if any(base_form(token) in group or token in group for token in words(text)):
                count += 1
        return count

    def just_said_to(self, message: MessageRecord, names_member: Callable[[MessageRecord, int], bool]) -> MessageRecord | None:
        """The message right before this one when someone else wrote it to this speaker ("mxrk ping me when ..."):
        what a short answer ("will do", "sent in dm!") answers, rather than an older open ask."""
        before = self.messages[self.index - 1] if self.index > 0 else None
        if before is None or before.author_id == message.author_id or not names_member(before, message.author_id):
            return None
        return before

    def called_off_by(self, message_id: int | None) -> bool:
        """Whether that message called a task off."""
        return any(c.kind == "cancelled" and c.message_id == message_id for d in self.drafts for c in d.changes)

    def one_of_several(self, draft: Draft, promise: str) -> bool:
        """Whether the message that asked for `draft` listed several needs and `promise` names none of this one's words
        ("need drivers, snacks both days, and someone to wash the away kit" -> "i can drive!")."""
        asked = self.by_id.get(draft.sources[0])
        listed = asked is not None and len(re.findall(r",|\band\b|\+", asked.content or "")) >= 2
        return listed and self.overlap(draft, promise) < 1

    def touch(self, draft: Draft, message: MessageRecord) -> None:
        if message.id not in draft.sources:
            draft.sources.append(message.id)
        draft.last_index = self.index

    def change(self, kind: str, message: MessageRecord, draft: Draft) -> TaskChange:
        status = {"done": "done", "cancelled": "cancelled"}.get(kind, draft.status)
        return TaskChange(
            kind=kind, message_id=message.id, actor_id=message.author_id, at=message.created_at, status=status, owner_id=draft.owner_id
        )
