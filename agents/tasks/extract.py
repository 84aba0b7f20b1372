"""Rule-based action-item extraction: commitments and requests found per sentence, then followed through later messages.

The rules read one message at a time, in order, the way a person skimming the channel would:

1. a reply to an open request accepts it ("sure", "on it") or refuses it ("no, I can't this week");
2. a sentence may change a task that already exists: done ("merged", "✅"), cancelled ("never mind"),
   or reassigned ("@bob can you take this instead?", "I'll take over X from Alice");
3. otherwise it may start a task: a commitment ("I'll update the notes by Friday"), a request
   ("@bob can you ...", "@bob please ..."), or a need nobody owns yet ("can someone ...").

Questions, jokes, hypotheticals, hedges, refused requests and reports of past work start nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from agents.records import MessageRecord
from agents.tasks.dates import find_due, zone
from agents.tasks.detect import Detector
from agents.tasks.drafts import Board, Draft
from agents.tasks.language import RenderedMessage, render, sentences, ticket_numbers
from agents.tasks.patterns import (
    DEADLINE_ASIDE,
    DEADLINE_BACK,
    DEADLINE_HEADER,
    DEADLINE_SENTENCE,
    DEADLINE_WORD,
    EVERYTHING_DUE,
    INTEGRATION_DONE,
    RESPONSE_WINDOW,
    TAKER_WANTED,
)
from agents.tasks.people import People
from agents.tasks.records import ExtractedTask, task_fingerprint
from agents.tasks.states import StateChanges

# How many messages back the two-person back-and-forth is looked for.
PARTNER_LOOKBACK = 20
# How many messages apart a split of the work and the deadline its author gives it may be.
SPLIT_DEADLINE_REACH = 5


_STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


class Tracker:
    """Reads a window in order: each message may answer a request, change tasks already found, or start new ones."""

    def __init__(self, messages: list[MessageRecord], tz: ZoneInfo, *, loose: bool = False, bot_ids: Collection[int] = ()):
        # Bots never own a task and a request to a bot is a command, not work: bots are known by the
        # ids the caller passes (the bot itself) and by the messages they wrote in the window.
        self.bot_ids = frozenset(bot_ids) | {m.author_id for m in messages if m.is_bot}
        # Phones type "i’ll" with a curly apostrophe: the rules read the straight one.
        messages = [replace(m, content=m.content.translate(_STRAIGHT)) if m.content else m for m in messages]
        ordered = sorted((m for m in messages if not m.is_bot), key=lambda m: (m.created_at, m.id))
        # What an integration bot reports ("Pull request merged: #2236 PAY-412 ...", "SMOL-231 moved to Done"):
        # the ticket's task is done. Bot messages are read for nothing else.
        self.events = sorted(
            (m for m in messages if m.is_bot and INTEGRATION_DONE.search(m.content or "") and ticket_numbers(m.content or "")),
            key=lambda m: (m.created_at, m.id),
        )
        self.board = Board(ordered, tz, loose=loose)
        self.people = People(ordered, bot_ids=self.bot_ids)
        self.noise = [self.people.is_noise(m) for m in ordered]
        self.states = StateChanges(self.board, self.people)
        self.detector = Detector(self.board, self.people)
        # The latest split of the work among several people: where it was said and its tasks.
        self.last_split: tuple[int, list[Draft]] | None = None

    def _partner(self, index: int) -> MessageRecord | None:
        """The previous message when it answers this speaker (they alternate, as in a support thread): whom a bare "can you" addresses."""
        messages = self.board.messages
        message = messages[index]
        # The speaker's own run of messages and noise (spam, impostors, messages to bots) are skipped;
        # the walk back is bounded so a long window stays linear.
        earlier: list[MessageRecord] = []
        for position in range(index - 1, max(-1, index - 1 - PARTNER_LOOKBACK), -1):
            candidate = messages[position]
            if self.noise[position] or (not earlier and candidate.author_id == message.author_id):
                continue
            earlier.append(candidate)
            if len(earlier) == 2:
                break
        if len(earlier) < 2:
            return None
        previous, before = earlier
        if before.author_id != message.author_id:
            return None
        return previous if message.created_at - previous.created_at <= RESPONSE_WINDOW else None

    def run(self) -> list[Draft]:
        for index, message in enumerate(self.board.messages):
            self.board.index = index
            while self.events and (self.events[0].created_at, self.events[0].id) <= (message.created_at, message.id):
                self._integration_done(self.events.pop(0))
            rendered = render(message)
            previous = self._partner(index)
            clauses = self.people.clauses(rendered, previous)
            if clauses and self.detector.take_offer(rendered):
                clauses = clauses[1:]  # "yes pls. @carol can you book the room?": the yes took the offer, the rest is read
            if not clauses:
                continue
            answered = self.states.respond(rendered, clauses)
            count = len(self.board.drafts)
            for position, clause in enumerate(clauses):
                if self.states.change_state(rendered, clause, clauses):
                    continue
                following = clauses[position + 1].raw if position + 1 < len(clauses) else ""
                self.detector.detect(rendered, clause, answered, following)
            new = self.board.drafts[count:]
            self._deadlines_said_apart(rendered, new or self._just_asked_by(index))
            if not new:
                self._deadline_for_tickets(rendered)
            self._split_deadline(index, new)
        for event in self.events:
            self._integration_done(event)
        self._drop_give_ups()
        return [d for d in self.board.drafts if d.owner_id not in self.bot_ids]

    def _deadline_for_tickets(self, rendered: RenderedMessage) -> None:
        """ "reminder that PAY-412 and PAY-415 both need to land before the thursday demo": the deadline of the
        tasks with those numbers."""
        message = rendered.record
        if not re.search(r"\d", rendered.text) or not re.search(r"\b(?:by|before|until|till|due)\b", rendered.text, re.IGNORECASE):
            return
        for sentence in sentences(rendered.text):
            numbers = ticket_numbers(sentence)
            if not numbers or not re.search(r"\b(?:by|before|until|till|due)\b", sentence, re.IGNORECASE):
                continue
            if re.search(r"\b(?:if|unless|otherwise)\b", sentence, re.IGNORECASE):
                continue  # "if 412 isn't in by 2 it goes to next week": a fallback, not the deadline
            due = find_due(sentence, message.created_at, self.board.tz)
            if due is None or due.at is None:
                continue
            for draft in self.board.open_drafts():
                if draft.names_ticket(numbers):
                    draft.due = due
                    self.board.touch(draft, message)

    def _integration_done(self, event: MessageRecord) -> None:
        numbers = ticket_numbers(event.content or "")
        for draft in self.board.drafts:
            if draft.status == "open" and not draft.refused and draft.names_ticket(numbers):
                draft.status = "done"
                draft.changes.append(self.board.change("done", event, draft))
                if event.id not in draft.sources:
                    draft.sources.append(event.id)

    def _deadlines_said_apart(self, rendered: RenderedMessage, new: list[Draft]) -> None:
        """A deadline in its own sentence ("@kabir fest is yours. by 6pm tmrw so we can lay it out early") is the new
        tasks' of the message; one said for all the work ("deadline is wednesday 6pm for everything") is every later one's."""
        message = rendered.record
        for sentence in sentences(rendered.text):
            everything = EVERYTHING_DUE.search(sentence)
            if everything:
                # "print is thursday, copy deadline is wednesday 6pm for everything": the date after "deadline".
                said = find_due(sentence[everything.start() :], message.created_at, self.board.tz)
                self.board.default_due = said or self.board.default_due
            elif new and (
                DEADLINE_SENTENCE.match(sentence)
                or DEADLINE_BACK.search(sentence)
                or DEADLINE_HEADER.match(sentence)
                and _header_deadline(sentence, message.created_at, self.board.tz)
                or (
                    len(new) == 1
                    and DEADLINE_ASIDE.search(sentence)
                    and new[0].evidence not in sentence
                    and not _names_anyone(rendered, sentence)
                )
            ):
                due = find_due(sentence, message.created_at, self.board.tz)
                for draft in new:
                    if due is not None and (draft.due is None or draft.due is self.board.default_due):
                        draft.due = due

    def _just_asked_by(self, index: int) -> list[Draft]:
        """The tasks the speaker's previous message started, when it came right before this one ("@tom can you chase
        them?" then "need them by end of next week"): a deadline said next is theirs."""
        if index == 0:
            return []
        message, before = self.board.messages[index], self.board.messages[index - 1]
        if before.author_id != message.author_id or message.created_at - before.created_at > RESPONSE_WINDOW:
            return []
        return [d for d in self.board.drafts if d.sources[0] == before.id]

    def _split_deadline(self, index: int, new: list[Draft]) -> None:
        """A split of the work among several people (three tasks or more) takes the deadline its author gives it in a message of its own,
        just before or just after ("devpost submission closes sunday 12:00" ... "split: yara backend, femi frontend";
        "i do ch6+7, darnell ch8, sophie ch9" ... "ok slides in the shared deck by saturday night")."""
        messages = self.board.messages
        message = messages[index]
        if len(new) >= 3 and len({d.owner_id for d in new}) >= 2:
            self.last_split = (index, new)
            for position in range(index - 1, max(-1, index - 1 - SPLIT_DEADLINE_REACH), -1):
                if messages[position].author_id == message.author_id:
                    self._give_split_deadline(new, messages[position])
                    break
            return
        split = self.last_split
        if new or split is None or index - split[0] > SPLIT_DEADLINE_REACH or messages[split[0]].author_id != message.author_id:
            return
        self._give_split_deadline(split[1], message)

    def _give_split_deadline(self, split: list[Draft], said: MessageRecord) -> None:
        if any(d.sources[0] == said.id for d in self.board.drafts):
            return  # that message started work of its own: its deadline is that work's
        text = render(said).text
        for sentence in sentences(text):
            word = DEADLINE_WORD.search(sentence)
            due = find_due(sentence[word.start() :], said.created_at, self.board.tz) if word else None
            if due is None:
                continue
            for draft in split:
                if draft.due is None:
                    draft.due = due
            return

    def _drop_give_ups(self) -> None:
        """A task its owner gave up without asking anyone to take it ("I won't manage the bulb piece, maybe next issue"),
        that nobody took by the end of the window, was dropped: still the giver's, cancelled."""
        for draft in self.board.drafts:
            if draft.status != "open" or draft.owner_id is not None or not draft.given_up:
                continue
            release = draft.changes[-1]
            said = self.board.by_id.get(release.message_id) if release.message_id is not None else None
            if said is None or TAKER_WANTED.search(render(said).text):
                continue
            draft.owner_id, draft.owner_name = release.actor_id, self.people.name_of(release.actor_id)
            draft.status = "cancelled"
            draft.changes.append(replace(release, kind="cancelled", status="cancelled", owner_id=release.actor_id))


def _header_deadline(sentence: str, said_at: datetime, tz: ZoneInfo) -> bool:
    """ "homework before wed:" heads a list with its deadline; "launch checklist for Fieldnote 2.0, tues 6/30:" names the
    launch (the day does not follow the preposition)."""
    for preposition in re.finditer(r"\b(?:by|before|due|until|for)\s+", sentence, re.IGNORECASE):
        due = find_due(sentence[preposition.start() :], said_at, tz)
        if due is not None and due.start <= preposition.end() - preposition.start():
            return True
    return False


def _names_anyone(rendered: RenderedMessage, sentence: str) -> bool:
    """Whether the sentence is a list item or names a member ("5. me: postmortem doc by friday"): its deadline is its own."""
    return bool(
        re.match(r"^\W*(?:\d+[.)]|[-*\u2022])", sentence)
        or re.search(r"<@!?\d+>|@\w+|^\W*\w+\s*:", sentence)
        or any(name.lower() in sentence.lower() for name in rendered.mentions)
    )


def _to_task(draft: Draft, channel_id: int | None) -> ExtractedTask:
    return ExtractedTask(
        owner_id=draft.owner_id,
        owner_name=draft.owner_name,
        task=draft.text,
        due=draft.due.at if draft.due else None,
        due_text=draft.due.text if draft.due else None,
        status=draft.status,
        source_message_ids=tuple(draft.sources),
        fingerprint=task_fingerprint(channel_id, draft.sources[0], draft.text),
        channel_id=channel_id,
        requester_id=draft.requester_id,
        said_at=draft.said_at,
        evidence=draft.evidence,
        tentative=draft.tentative,
        changes=tuple(draft.changes),
    )


def find_drafts(
    messages: Iterable[MessageRecord], *, timezone: str | ZoneInfo = "UTC", loose: bool = False, bot_ids: Collection[int] = ()
) -> list[Draft]:
    return [d for d in Tracker(list(messages), zone(timezone), loose=loose, bot_ids=bot_ids).run() if not d.refused]


def extract_tasks(
    messages: Iterable[MessageRecord],
    *,
    timezone: str | ZoneInfo = "UTC",
    include_tentative: bool = False,
    bot_ids: Collection[int] = (),
) -> list[ExtractedTask]:
    """The action items in `messages` (any order; bots ignored), with their state at the end of the window.

    Pure and deterministic: rules only, no model. Deadlines resolve in `timezone` (IANA name).
    `include_tentative` also returns suggestions and hedged offers ("we should ...", "I'll
    probably ..."), marked `tentative`, for a model pass to confirm or drop. `bot_ids` names
    accounts that are bots though they wrote nothing in the window (pass the bot's own user id):
    a bot never owns a task, and a request addressed to one is not a task.
    """
    messages = list(messages)
    tz = zone(timezone)
    drafts = find_drafts(messages, timezone=tz, loose=include_tentative, bot_ids=bot_ids)
    channel_id = messages[0].channel_id if messages else None
    return [_to_task(draft, channel_id) for draft in drafts]
