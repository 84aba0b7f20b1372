"""Later messages acting on tasks already found: a reply accepting or refusing a request, done, cancelled, reassigned."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from agents.records import MessageRecord
from agents.tasks.dates import Due, find_due
from agents.tasks.drafts import Board, Draft
from agents.tasks.language import (
    ACTION_VERBS,
    LEISURE_WORDS,
    LINK,
    PAST_FORMS,
    RenderedMessage,
    base_form,
    content_stems,
    content_words,
    is_past_of,
    sentences,
    stems_and_numbers,
    ticket_numbers,
    verb_group,
    words,
)
from agents.tasks.patterns import (
    ACCEPT,
    ACCEPT_EMOJI,
    CANCEL,
    CHECK_VERBS,
    CLAUSE_CUT,
    COMMITMENT,
    CONTACT_PRONOUN_REPLY,
    CONTACT_REPLY,
    CONTACT_VERBS,
    DEADLINE_MOVED,
    DONE,
    DONE_WINDOW_MESSAGES,
    EVENT_OFF,
    FINDING,
    FIX_POSTED,
    FUTURE,
    HAND_ON_ASK,
    HANDOFF,
    HAS_NEW,
    INSTANT_VERBS,
    LAUGH,
    MEASURE_VERBS,
    MEASUREMENT,
    NEGATION,
    NONE_FROM_ME,
    NOT_A_REFUSAL,
    NOT_DONE,
    NOT_FINISHED_TALK,
    NOW_DOES,
    NOW_STATE,
    OFFER,
    ON_ME,
    OTHER_DAY,
    PASSIVE_REPORT,
    PLEASE,
    REASSIGN_PRONOUN,
    REASSIGN_WORDS,
    REFUSE,
    RELEASE,
    REQUEST,
    RESPONSE_WINDOW,
    RESPONSE_WINDOW_MESSAGES,
    SEND_VERBS,
    SHOW_VERBS,
    SHOWN_RESULT,
    STATE_REPORT,
    STILL_TO_DO,
    STOP_DOING,
    TAKE,
    TOPIC_REPORT,
    UP_FOR_GRABS,
    YOURS,
)
from agents.tasks.people import Clause, People


class StateChanges:
    """Applies answers, completions, cancellations and hand-offs to the board's drafts."""

    def __init__(self, board: Board, people: People):
        self.board = board
        self.people = people
        # Offers to take a task over, waiting for its owner's answer: (task, who offered, their name, message index).
        self.offers: list[tuple[Draft, int, str, int]] = []
        # An owner asking for another deadline ("tuesday ok?"), waiting for an answer: (task, the day, message index).
        self.asked_day: tuple[Draft, Due, int] | None = None
        # A new owner asking "when do you need them by?", waiting for the day: (task, message index).
        self.asked_when: tuple[Draft, int] | None = None

    def _pending_for(self, message: MessageRecord) -> Draft | None:
        """The request this message most plausibly answers, if any."""
        if message.reply_to_id:
            asked = [
                d
                for d in self.board.drafts
                if message.reply_to_id in d.sources
                and (d.kind == "request" or (d.given_up and d.live))  # "can someone take the review session?" -> "I got it"
                and d.requester_id != message.author_id
            ]
            # A checklist replied to ("1. @devon landing page copy ... 4. @ana social calendar") -> devon's "on it": his item.
            mine = [d for d in asked if d.owner_id == message.author_id]
            open_to = [d for d in asked if d.owner_id is None or d.refused]
            if mine or open_to:
                return (mine or open_to)[-1]
            if asked and all(d.owner_id is not None for d in asked) and len({d.owner_id for d in asked}) > 1:
                return None  # someone else's items of a checklist: not theirs to accept
            if message.reply_to_id in self.board.by_id:
                return None  # a reply to a message that asked for nothing answers that message, not an earlier request
        said_to = self.board.just_said_to(message, self.people.names_member)
        for draft in reversed(self.board.drafts):
            if draft.kind != "request" or draft.answered or draft.status != "open" or draft.tentative:
                continue
            if said_to is not None and said_to.id not in draft.sources:
                # "mxrk ping me when the form draft is ready" -> "will do 👍": the answer to what was just said to them.
                return None
            if self.board.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                break
            if message.created_at - self._when(draft) > RESPONSE_WINDOW:
                continue
            if draft.owner_id == message.author_id or (draft.owner_id is None and draft.requester_id != message.author_id):
                return draft
        return None

    def _when(self, draft: Draft) -> datetime:
        last = self.board.by_id.get(draft.sources[-1])
        return last.created_at if last else draft.said_at

    def note_offer(self, rendered: RenderedMessage, clause: Clause) -> bool:
        """ "@bea want me to take the demo video?": remember the offer; the video changes hands only if bea accepts."""
        match = OFFER.search(clause.raw)
        if match is None:
            return False
        message = rendered.record
        addressed = set(rendered.mentions.values()) | ({clause.addressee_id} if clause.addressee_id else set())
        candidates = [d for d in self.board.open_drafts() if d.owner_id not in (None, message.author_id)]
        scored = [(self.board.overlap(d, match.group("rest"), with_verbs=False), d) for d in candidates]
        scored = [(score + (d.owner_id in addressed), d) for score, d in scored if score >= 1]
        if not scored:
            return False
        best = max(score for score, _ in scored)
        target = next(d for score, d in reversed(scored) if score == best)
        self.offers.append((target, message.author_id, message.author_name, self.board.index))
        return True

    def _accept_offer(self, rendered: RenderedMessage, clauses: list[Clause]) -> bool:
        """The owner answering an offer with "yes please" / "the video is yours": the task is the offerer's now."""
        message = rendered.record
        first, whole = clauses[0].raw, rendered.text
        for offer in reversed(self.offers):
            draft, offerer_id, offerer_name, said = offer
            if draft.owner_id != message.author_id or not draft.live or self.board.index - said > RESPONSE_WINDOW_MESSAGES:
                continue
            if REFUSE.search(first) and not NOT_A_REFUSAL.search(first):
                self.offers.remove(offer)
                return False
            if not (ACCEPT.search(first) or YOURS.search(whole)):
                continue
            self.offers.remove(offer)
            draft.owner_id, draft.owner_name = offerer_id, offerer_name
            draft.answered = True
            draft.changes.append(self.board.change("reassigned", message, draft))
            self.board.touch(draft, message)
            return True
        return False

    def respond(self, rendered: RenderedMessage, clauses: list[Clause]) -> Draft | None:
        message = rendered.record
        if self._day_agreed(rendered, clauses):
            return None
        if self.offers and self._accept_offer(rendered, clauses):
            return None
        pending = self._pending_for(message)
        if pending is None:
            return None
        first = clauses[0].raw
        if REFUSE.search(first) and not NOT_A_REFUSAL.search(first) and not ACCEPT.search(first.replace("sorry", "", 1).strip(" ,")):
            group_says_no = pending.owner_id is None and re.search(
                r"\bwe\s+(?:can't|cant|cannot|won't|wont|couldn't|don't|dont)\b", rendered.text, re.IGNORECASE
            )
            if pending.owner_id == message.author_id or (group_says_no and pending.requester_id != message.author_id):
                # "could you guys do our instagram templates too?" -> "honestly we can't fit that in this month": declined.
                pending.refused = True
                pending.answered = True
                pending.last_index = self.board.index
            return None
        whole = rendered.text.strip()
        if (
            (message.attachments or LINK in rendered.text)
            and verb_group(pending.verb) & SEND_VERBS
            and pending.owner_id in (message.author_id, None)
        ):
            if pending.owner_id is None:  # "can you paste the logs?" to nobody named, answered "here" with the file
                pending.owner_id, pending.owner_name = message.author_id, message.author_name
                pending.changes.append(self.board.change("claimed", message, pending))
            pending.answered = True
            pending.status = "done"
            pending.changes.append(self.board.change("done", message, pending))
            self.board.touch(pending, message)
            return pending
        direct = message.reply_to_id in pending.sources or self.board.index - pending.last_index == 1
        # "can someone check if the cottage has wifi?" -> "I'll ask the host": taking the need on, their way.
        takes_it_on = (
            pending.owner_id is None
            and pending.requester_id != message.author_id
            and direct
            and (
                self._real_commitment(first, pending)
                # "can someone check the portal hub?" -> (replying) "i'll fly over after breakfast"
                or (
                    message.reply_to_id in pending.sources
                    and bool(re.match(r"^\W*(?:i'll|i will|i can|on it)\b", first, re.IGNORECASE))
                    and not self.board.one_of_several(pending, first)
                )
            )
        )
        accepted = (
            takes_it_on
            or (pending.owner_id is None and bool(ON_ME.search(first)))
            or (
                # "who's bringing cones/pinnies?" -> "i got cones and pinnies"
                pending.owner_id is None
                and bool(re.match(r"^\W*i(?:'ve| have)? got\b", first, re.IGNORECASE))
                and self.board.overlap(pending, first, with_verbs=False) >= 1
            )
            or bool(ACCEPT.search(first))
            or (direct and bool(LAUGH.match(first)) and bool(ACCEPT.search(LAUGH.sub("", first, count=1))))
            or bool(ACCEPT_EMOJI.match(whole))
            # "@sal can u move lumen to fri or find a sub" -> "ill ask lumen, if they cant we grab moku's duo": their way
            or (
                pending.owner_id == message.author_id
                and direct
                and bool(re.match(r"^\W*(?:i'll|ill|i will|will)\s+[a-z]", first, re.IGNORECASE))
                and self.board.overlap(pending, first, with_verbs=False) >= 1
            )
            or bool(
                re.search(
                    r"\b(?:i'm on it|im on it|i(?:'ve)? got (?:it|this)|leave it to me|i'll do (?:it|that|them)|i can do (?:it|that|this))\b",
                    whole,
                    re.IGNORECASE,
                )
            )
        )
        if re.search(r"\bwho(?:'s|s| is| are)?\b", first, re.IGNORECASE):
            accepted = False  # "ok so who's bringing snacks?": asking who, not taking it
        if not accepted:
            return None
        pending.answered = True
        how = re.search(r"\b(?:i'll|i will|will|gonna)\s+(?P<rest>[a-z][\w'-]*\s+\w.*)$", first, re.IGNORECASE)
        if how and self.board.overlap(pending, how.group("rest")) < 1:
            pending.also.append(how.group("rest"))  # "I got it, will send options tomorrow": sending the options finishes it
        if (message.attachments or LINK in rendered.text) and verb_group(pending.verb) & SEND_VERBS:
            # "sure, here" with the file attached: the sending is the answer.
            pending.status = "done"
            pending.changes.append(self.board.change("done", message, pending))
        if pending.owner_id is None:
            pending.owner_id, pending.owner_name = message.author_id, message.author_name
            pending.changes.append(self.board.change("claimed", message, pending))
        self.board.touch(pending, message)
        due = find_due(rendered.text, message.created_at, self.board.tz)
        if due is not None:
            pending.due = due
        return pending

    def _day_agreed(self, rendered: RenderedMessage, clauses: list[Clause]) -> bool:
        """ "monday is tight, tuesday ok?" -> "tuesday's fine": the deadline the owner asked for, agreed."""
        message = rendered.record
        waiting, self.asked_when = self.asked_when, None
        if waiting is not None and message.author_id != waiting[0].owner_id and self.board.index - waiting[1] <= 2:
            # "when do you need them by?" -> "next tuesday would be great": the deadline, given by whoever handed it on.
            day = find_due(rendered.text, message.created_at, self.board.tz)
            if day is not None and day.at is not None:
                waiting[0].due = day
                self.board.touch(waiting[0], message)
                return True
        if re.search(r"\bwhen do (?:you|u|ya) need (?:it|them|this|that|these|those)\b", rendered.text, re.IGNORECASE):
            own = [d for d in self.board.open_drafts(owner_id=message.author_id) if self.board.index - d.last_index <= 2]
            if own:
                self.asked_when = (own[-1], self.board.index)
        asked, self.asked_day = self.asked_day, None
        if asked is not None:
            draft, day, index = asked
            first = clauses[0].raw
            agreed = ACCEPT.search(first) or re.search(r"\b(?:fine|works|ok|okay|good|no problem)\b", first, re.IGNORECASE)
            if self.board.index - index <= 2 and message.author_id != draft.owner_id and agreed and not REFUSE.search(first):
                draft.due = day
                self.board.touch(draft, message)
                return True
        # The question in the message ("social calendar: can I push it to monday? the release is eating my week").
        last = next((c.raw for c in reversed(clauses) if c.raw.rstrip().endswith("?")), "")
        other = OTHER_DAY.search(last) if last else None
        when = (other.group("when") or other.group("when2") or other.group("when3")) if other else None
        proposed = find_due(when, message.created_at, self.board.tz) if when else None
        if proposed is not None and proposed.at is not None and other is not None and other.group("when3"):
            said = message.created_at.astimezone(self.board.tz).date()
            if proposed.at.date() == said:
                proposed = replace(proposed, at=proposed.at + timedelta(days=7))  # "push it to monday", said on a monday
        if proposed is not None:
            own = [
                d
                for d in self.board.open_drafts(owner_id=message.author_id)
                if d.due is not None or message.reply_to_id in d.sources and self.board.overlap(d, rendered.text) >= 1
            ]
            # "press release yes. social calendar: can I push it to monday?": the one the question names.
            named = [d for d in own if self.board.overlap(d, last, with_verbs=False) >= 1]
            if own:
                self.asked_day = (max(named or own, key=lambda d: d.last_index), proposed, self.board.index)
        return False

    def _moved_deadline(self, rendered: RenderedMessage, clause: Clause) -> bool:
        """ "change of plans: the deck deadline moves up to thursday. @lena sorry!!": the task the sentence names gets it."""
        moved = DEADLINE_MOVED.search(clause.raw)
        if not moved:
            return False
        message = rendered.record
        due = find_due(
            moved.group("when") or moved.group("when2") or moved.group("when3") or moved.group("when4") or "",
            message.created_at,
            self.board.tz,
        )
        if due is None:
            return False
        named = content_stems(clause.raw[: moved.start()]) - content_stems("deadline due date plan plans change")
        scored = [(len(content_stems(f"{d.text} {d.evidence}") & named), d) for d in self.board.drafts if d.live]
        best = max((score for score, _ in scored), default=0)
        targets = [d for score, d in scored if score == best and best >= 1]
        mentioned = set(rendered.mentions.values())
        if len(targets) > 1 and mentioned:
            targets = [d for d in targets if d.owner_id in mentioned] or targets
        for draft in targets[-1:]:
            draft.due = due
            self.board.touch(draft, message)
        return bool(targets)

    def _real_commitment(self, text: str, pending: Draft) -> bool:
        """A commitment right after the request that names the same work, or a way to find out what it asks (ask, call, check)."""
        match = COMMITMENT.search(text)
        if not match or match.start() > 0 and not re.match(r"^\W*(?:ok|okay|sure|yes|yeah|yep)\W*$", text[: match.start()], re.IGNORECASE):
            return False
        tokens = words(match.group("rest"))
        if not tokens or base_form(tokens[0]) not in ACTION_VERBS or set(tokens) & LEISURE_WORDS:
            return False
        return bool(verb_group(tokens[0]) & (CONTACT_VERBS | CHECK_VERBS)) or self.board.overlap(pending, match.group("rest")) >= 2

    def change_state(self, rendered: RenderedMessage, clause: Clause, clauses: list[Clause]) -> bool:
        message = rendered.record
        text = clause.raw
        lower = text.lower()
        if clause.ignored:
            return False
        # "@bea want me to take the demo video?", "ellie let me do the thank-you post, it's literally my job": an offer.
        offering = clause.is_question or re.match(r"^\W*(?:[a-z]\w*\W+)?let me\b", clause.raw, re.IGNORECASE)
        if offering and self.note_offer(rendered, clause):
            return True
        if clause.is_question and not REQUEST.search(clause.text):
            return False
        if self._moved_deadline(rendered, clause):
            return True
        not_doing = re.search(
            r"(?:^|\b(?:i'm|im|i am|we're|so|and|but)\s+|[.,;:]\s*)(?:not|no longer)\s+(?P<verb>[a-z]+ing)\b"
            # ("not finishing today" is late, not off)
            r"(?!\s+(?:to|for|about|yet|today|tonight|tomorrow|tmrw|this|by|until|till|on time|in time)\b)",
            text,
            re.IGNORECASE,
        )
        not_doing = not_doing or re.search(
            r"\b(?:i won't|i wont|i will not|i'm not gonna|im not gonna|i'm not going to|not gonna)\s+(?P<verb>[a-z]+)\b(?!\s+(?:be|lie)\b)",
            text,
            re.IGNORECASE,
        )
        if not_doing and not clause.is_question:
            # "found the old spare ... not buying one", "so i'm NOT turning it off, flag stays on": the owner's plan dropped.
            verb = base_form(not_doing.group("verb"))
            own = [
                d
                for d in self.board.drafts
                if d.owner_id == message.author_id
                and (d.status == "open" or d.changed_by(message.id))
                and (verb in d.acts or verb == d.verb)
                and self.board.index - d.last_index <= DONE_WINDOW_MESSAGES
            ]
            if own:
                self._cancel(own[-1], message)
                return True
        stopped = self._told_not_to(rendered, clause)
        if stopped:
            for draft in stopped:
                self._cancel(draft, message)
            return True
        nothing = NONE_FROM_ME.search(text)
        if nothing and not clause.is_question:
            # "my rope got core shot ... so no 70m from me" -> "Bring ropes": the thing, or what the message says of it.
            thing = {s.removesuffix("e") for s in content_stems(nothing.group("thing")) | content_stems(rendered.text)}
            targets = [
                d for d in self.board.open_drafts(message.author_id) if thing & {s.removesuffix("e") for s in content_stems(d.plain_text)}
            ]
            for draft in targets[-1:]:
                self._cancel(draft, message)
            if targets:
                return True
        event_off = EVENT_OFF.match(text)
        if event_off and not clause.is_question:
            # "barrow party tomorrow is OFF" -> "i'll bring my barrow": what was for the event is called off with it.
            targets = self._called_off(event_off.group("what"), every=True)
            for draft in targets:
                self._cancel(draft, message)
            if targets:
                return True
        addressed = re.match(r"^\W*@[\w-]+[\s,:]+", text)
        if addressed and not CANCEL.search(text) and CANCEL.search(text[addressed.end() :]):
            text = text[addressed.end() :]  # "@tom no brochure mockups then": what follows the name
            lower = text.lower()
        cancel = CANCEL.search(text)
        if cancel and re.match(r"never ?mind|nvm", cancel.group(0), re.IGNORECASE) and FOUND_AFTER_ALL.search(text[cancel.end() :]):
            cancel = None  # "oh wait nvm found it, updated ✅": the problem is off, the work is done
        if cancel and not clause.is_question and not _only_a_date(text[cancel.end() :], message.created_at, self.board.tz):
            targets = self._link(rendered, clause, allow_requester=True) or self._called_off(text[cancel.end() :])
            if not targets and re.match(r"dropp(?:ing|ed) (?:him|her|them|it)\b", cancel.group(0), re.IGNORECASE):
                # "he's booked out until october. dropping him for now": the speaker's task with that person, the latest.
                mine = [
                    d for d in self.board.drafts if d.owner_id == message.author_id and (d.status == "open" or d.changed_by(message.id))
                ]
                targets = mine[-1:]
            unwanted = re.search(
                r"\bno\s+(?P<what>[a-z]+(?:\s+[a-z]+)?)\s+then\b|\bso no\s+(?P<what2>[a-z]+)", cancel.group(0), re.IGNORECASE
            )
            if unwanted:
                # "no pizza then" calls off the pizza; "ok fair, no first look then" turns down an idea, not a task.
                what = unwanted.group("what") or unwanted.group("what2")
                targets = [d for d in targets if self.board.overlap(d, what, with_verbs=False) >= 1]
            # "could you pick up a new padlock? combination one so we don't need keys": not the ask it goes with.
            targets = [d for d in targets if d.sources[0] != message.id]
            if not targets and len(words(text[: cancel.start()])) <= 2 and not COMMITMENT.search(text[cancel.end() :]):
                return True  # "you can drop the label stuff": calling something off, never new work
            if targets:
                for draft in targets:
                    if draft.status == "open" or draft.changed_by(message.id):
                        if draft.owner_id is None and draft.given_up:
                            # Given up, then called off: it was still the releaser's when it was dropped.
                            releaser = draft.changes[-1].actor_id
                            draft.owner_id, draft.owner_name = releaser, self.people.name_of(releaser)
                        draft.status = "cancelled"
                        draft.changes.append(self.board.change("cancelled", message, draft))
                        self.board.touch(draft, message)
                return True
        grabs = UP_FOR_GRABS.search(text)
        if grabs:
            # "ok so amines is up for grabs" after its owner dropped out: whoever said it, the task waits for a taker.
            named = [d for d in self.board.open_drafts() if d.owner_id and self.board.overlap(d, grabs.group("what"), with_verbs=False)]
            for draft in named[-1:]:
                draft.owner_id, draft.owner_name, draft.answered = None, None, False
                draft.changes.append(self.board.change("released", message, draft))
                self.board.touch(draft, message)
            if named:
                return True
        released = RELEASE.search(text)
        if released and not HANDOFF.search(text):
            targets = [d for d in self._link(rendered, clause, allow_requester=False, fallback=True) if d.owner_id == message.author_id]
            before = [c.raw for c in clauses[: clauses.index(clause)]] if clause in clauses else []
            if (
                targets
                and targets[0].sources[0] == message.id
                and before
                and content_stems(before[-1]) - _GENERIC_STEMS
                and self.board.overlap(targets[0], before[-1], with_verbs=False) == 0
            ):
                # "ill take amines. enolates is pain, can someone else take it": "it" is the enolates, not the amines.
                return False
            for draft in targets[:1]:
                draft.owner_id, draft.owner_name, draft.answered = None, None, False
                draft.changes.append(self.board.change("released", message, draft))
                self.board.touch(draft, message)
            if targets:
                return True
        handing_on = HAND_ON_ASK.search(text) and any(
            d.owner_id == message.author_id and d.status == "open" and self.board.index - d.last_index <= RESPONSE_WINDOW_MESSAGES
            for d in self.board.drafts
        )
        if (REASSIGN_WORDS.search(text) or HANDOFF.search(text) or handing_on) and self._reassign(rendered, clause):
            return True
        done_word = DONE.search(text)
        past = self._past_tense_of_task(rendered, clause)
        if past is not None and done_word is not None and past < done_word.start():
            done_word = None  # "asked, 2 of them are in": the report is the opening "asked", not the later "are in"
        elif done_word is not None:
            past = None
        said_at = done_word.start() if done_word else past
        if said_at is not None and not FUTURE.search(lower[:said_at]):
            # "almost done", "merging once CI is green": the words around the report, not a later clause
            # ("migrated, he should see 2TB after a restart").
            clause_end = re.search(r"[,;.]\s", lower[said_at:])
            around = lower[: said_at + clause_end.start()] if clause_end else lower
            # "pool wait alert is live in staging but way too noisy, need to tune the threshold": live, not done.
            snag = re.search(r"\bbut\b[^.]*\b(?:too|need|needs|still|not|isn't|doesn't|broken|noisy|flaky|failing)\b", lower[said_at:])
            if (NOT_DONE.search(around.replace("\u2705", "")) or snag) and not re.search(r"[\u2705\u2714\u2611]", text):
                return False
            targets = []
            # "filed it and linked #1423": each part may complete a different task.
            for part in re.split(r"\s+and\s+|,\s+", clause.raw):
                # "migration bug fixed, thread crash found": someone else's task only from the part that says
                # done; the speaker's own from any part ("submission form is in, slides attached to it").
                others = not done_word or bool(DONE.search(part))
                if targets and not content_stems(part) - _GENERIC_STEMS - content_stems("yesterday tonight earlier already"):
                    continue  # "masthead's fixed, did it last night": the "it" is what the sentence just named
                if (
                    targets
                    and re.match(r"^\W*(?:they|it|she|he|that|which)\b", part, re.IGNORECASE)
                    and DONE.search(part)
                    and all(m.group(0) in "\u2705\u2714\u2611" for m in DONE.finditer(part))
                ):
                    continue  # "ava's mom found the shorts, they're in her bag ✅": the tick confirms the first part
                if not DONE.search(part) and re.match(
                    r"^\W*(?:picked up|took(?: over)?|grabbed|claimed|started|starting|swapped|inherited)\b", part, re.IGNORECASE
                ):
                    continue  # "PAY-398 merged, picked up 412 from marcus": taking 412 on, not finishing it
                part_clause = replace(clause, raw=part)
                for draft in self._link(rendered, part_clause, allow_requester=False, done=True, fallback=False, others=others):
                    if draft not in targets:
                        targets.append(draft)
            if not targets:
                # The whole sentence may name the speaker's own task; someone else's only from the part that says done.
                several = len(re.split(r"\s+and\s+|,\s+", clause.raw)) > 1
                targets = self._link(rendered, clause, allow_requester=False, done=True, others=not several)
            if not targets:
                # "can someone send me the guest list?" -> "sent it to your email": done by whoever did it.
                pending = self._pending_for(message)
                answers = pending is not None and (
                    message.reply_to_id in pending.sources
                    or self.board.overlap(pending, text, with_verbs=False) >= 1
                    # "sent it to your email", "done!": a short answer right after the ask.
                    or self.board.index - pending.last_index == 1
                    and (re.search(r"\b(?:it|them|that|this)\b", text, re.IGNORECASE) or len(words(text)) <= 3)
                )
                if pending is not None and answers and pending.owner_id is None and pending.requester_id != message.author_id:
                    pending.owner_id, pending.owner_name = message.author_id, message.author_name
                    pending.changes.append(self.board.change("claimed", message, pending))
                    targets = [pending]
            # "release notes are in the doc. screenshots still need the new button": part of it is still to do.
            targets = [d for d in targets if not self._partly_still_to_do(d, rendered)]
            if done_word is not None and done_word.group(0).lower() in ("lgtm", "approved"):
                # "lgtm" on someone's draft finishes a review, not the speaker's other work ("host jackbox").
                targets = [d for d in targets if d.acts & verb_group("review") or self.board.overlap(d, text, with_verbs=False)]
            if targets:
                for draft in targets:
                    if draft.status == "open" and not draft.refused:
                        if draft.owner_id is None and draft.requester_id != message.author_id:
                            # "someone pls grab some" -> "grabbed tp + soap on the way home": whoever did it owned it.
                            draft.owner_id, draft.owner_name = message.author_id, message.author_name
                            draft.changes.append(self.board.change("claimed", message, draft))
                        draft.status = "done"
                        draft.changes.append(self.board.change("done", message, draft))
                        self.board.touch(draft, message)
                return True
        reported = self._reported_done(rendered, clause) or self._done_by_named(rendered, clause)
        for draft in reported:
            draft.status = "done"
            draft.changes.append(self.board.change("done", message, draft))
            self.board.touch(draft, message)
        return bool(reported)

    def _partly_still_to_do(self, draft: Draft, rendered: RenderedMessage) -> bool:
        """ "release notes are in the doc. screenshots still need the new button": a sentence of the message says part is left."""
        return any(
            STILL_TO_DO.search(sentence) and self.board.overlap(draft, sentence, with_verbs=False) >= 1
            for sentence in sentences(rendered.text)
        )

    def _told_not_to(self, rendered: RenderedMessage, clause: Clause) -> list[Draft]:
        """ "nia don't print them yet": whoever asked for the work calls it off, naming its owner and its verb."""
        match = STOP_DOING.search(clause.raw)
        if match is None or clause.is_question:
            return []
        message = rendered.record
        named = set(rendered.mentions.values()) | ({clause.addressee_id} if clause.addressee_id else set())
        for token in words(clause.raw[: match.start()]):
            person = self.people.handle_id(token, rendered)
            if person is not None:
                named.add(person[0])
        # "ok then we don't do it", in reply to the owner's update: the work that update was about, whatever its verb.
        generic = match.group("verb").lower() == "do" and re.match(r"\s+(?:it|that|this)\b", clause.raw[match.end() :], re.IGNORECASE)
        replied = self.board.by_id.get(message.reply_to_id) if message.reply_to_id else None
        if generic and replied is not None:
            named.add(replied.author_id)
        found = []
        for draft in self.board.open_drafts():
            if draft.requester_id != message.author_id or draft.owner_id not in named:
                continue
            about_update = (
                generic
                and replied is not None
                and (replied.id in draft.sources or self.board.overlap(draft, replied.content or "", with_verbs=False) >= 1)
            )
            if about_update or base_form(match.group("verb")) in verb_group(draft.verb):
                found.append(draft)
        return found

    def _cancel(self, draft: Draft, message: MessageRecord) -> None:
        draft.status = "cancelled"
        draft.changes.append(self.board.change("cancelled", message, draft))
        self.board.touch(draft, message)

    def _called_off(self, what: str, *, every: bool = False) -> list[Draft]:
        """ "so no need for a rental" after "I can rent the car": a recent task whose words the called-off thing shares a root
        with (`every`: all of them, for an event called off)."""
        roots = [w for w in content_words(" ".join(what.split()[:4])) if len(w) >= 4]
        if not roots:
            return []
        found = []
        for draft in self.board.open_drafts():
            if self.board.index - draft.last_index > RESPONSE_WINDOW_MESSAGES * (4 if every else 1):
                continue
            task_words = [w for w in content_words(draft.plain_text) if len(w) >= 4]
            if any(a.startswith(b) or b.startswith(a) for a in roots for b in task_words):
                found.append(draft)
        return found if every else found[-1:]

    def _past_tense_of_task(self, rendered: RenderedMessage, clause: Clause) -> int | None:
        """ "rules updated" from the owner of "update the rules", or "booked them" / "migrated, ..." opening
        the sentence: a past form of the task's verb. Where it is in the lower-cased sentence, or None."""
        message = rendered.record
        lower = clause.raw.lower()
        if clause.is_question:
            return None
        found = list(re.finditer(r"[a-z0-9][a-z0-9'_\-]*", lower))
        negated = NEGATION.search(lower)
        # The speaker's own tasks, and needs nobody took that someone else asked for ("someone grab soap" -> "grabbed soap").
        unowned = [d for d in self.board.open_drafts(owner_id=None) if d.requester_id != message.author_id and not d.tentative]
        for draft in [*self.board.open_drafts(owner_id=message.author_id), *unowned]:
            group = verb_group(draft.verb)
            for position, match in enumerate(found):
                token = match.group(0).strip("'-_")
                if negated and negated.start() < match.start():
                    break
                # Past forms only: "booking them tomorrow" and "looking now" are not reports of work done.
                if not (token.endswith("ed") or token in PAST_FORMS):
                    continue
                if (base_form(token) not in group and not is_past_of(token, draft.verb)) or token == draft.verb:
                    continue
                # A past form opening the sentence needs no other shared word; elsewhere the sentence must
                # also name the task by something other than its verb.
                opening = position == 0 or (position == 1 and found[0].group(0) in ("just", "finally", "all", "ok", "okay"))
                rest = " ".join(w for w in words(clause.raw) if base_form(w) not in group)
                if opening or self.board.overlap(draft, rest, with_verbs=False) >= 1:
                    return match.start()
        # "ordered the cake, half sheet" for "do the cake", "booked!! back room" for "call them to book it": a past
        # form of any act opening the sentence, about something the task names (or one of the task's own verbs).
        if found and not negated:
            token = found[0].group(0).strip("'-_")
            if (
                token.endswith("ed")
                and base_form(token) in ACTION_VERBS
                or token in PAST_FORMS
                and token not in ("was", "were", "had", "did", "got")
            ):
                rest = lower[found[0].end() :]
                for draft in self.board.open_drafts(owner_id=message.author_id):
                    task_verbs = {base_form(w) for w in words(draft.plain_text) if base_form(w) in ACTION_VERBS}
                    if base_form(token) in task_verbs or self.board.overlap(draft, rest, with_verbs=False) >= 1:
                        return found[0].start()
        return None

    def _done_by_named(self, rendered: RenderedMessage, clause: Clause) -> list[Draft]:
        """ "also lin changed the alarm battery last night": someone tells of another member's task done, by name."""
        lower = clause.raw.lower()
        if clause.is_question or FUTURE.search(lower) or NEGATION.search(lower) or NOT_DONE.search(lower):
            return []
        tokens = list(re.finditer(r"@?[a-z0-9][a-z0-9'_\-]*", lower))
        first = tokens[0].group(0) if tokens else ""
        for draft in self.board.open_drafts():
            # "walked it w dee, 3 nail plates missing" from whoever asked dee to walk it with them: done together.
            if (
                draft.requester_id == rendered.record.author_id
                and draft.owner_id not in (None, rendered.record.author_id)
                and is_past_of(first, draft.verb)
                and re.search(r"\b(?:w|w/|with)\s+@?" + re.escape((self.people.name_of(draft.owner_id) or "\x00").lower()) + r"\b", lower)
            ):
                return [draft]
        for position, match in enumerate(tokens[:-1]):
            token = match.group(0).lstrip("@")
            person = self.people.handle_id(re.sub(r"'s$", "", token), rendered)
            if person is None or person[0] == rendered.record.author_id:
                continue
            thanked = re.match(r"^\W*(?:thank you|thanks|thank u|thx|ty)\s+for\s+(?P<what>.+)$", lower[match.end() :])
            if thanked:
                # "pete thank u for the cones and pinnies": thanked for what the task was.
                for draft in self.board.open_drafts(owner_id=person[0]):
                    if self.board.overlap(draft, thanked.group("what"), with_verbs=False) >= 1:
                        return [draft]
            if token.endswith("'s"):
                # "priti's here with the drinks": arrived with what the task was to bring.
                with_it = re.match(r"^\s*(?:here|in|back)\s+with\s+(?P<what>.+)$", lower[match.end() :])
                if with_it:
                    for draft in self.board.open_drafts(owner_id=person[0]):
                        if self.board.overlap(draft, with_it.group("what"), with_verbs=False) >= 1:
                            return [draft]
                continue
            after = position + 1
            # "esperanza must've dropped them off", "lin has already sent it": the helpers before the past form.
            while after < len(tokens) - 1 and tokens[after].group(0) in (
                "must've",
                "musta",
                "has",
                "had",
                "just",
                "already",
                "finally",
                "also",
            ):
                after += 1
            past = tokens[after].group(0)
            if past.endswith("'s"):
                continue
            rest = lower[tokens[after].end() :]
            if not (past.endswith("ed") or past in PAST_FORMS):
                continue
            for draft in self.board.open_drafts(owner_id=person[0]):
                shared = self.board.overlap(draft, rest, with_verbs=False)
                # Its own verb and one word of it, or another verb and two ("sofia added the rfc link" for "link their rfc"),
                # or one word received ("luz got your venmo" for "venmo carla for my share").
                own_verb = is_past_of(past, draft.verb) or base_form(past) in draft.acts
                if shared >= 1 and (own_verb or past in ("got", "received")) or shared >= 2:
                    return [draft]
        return []

    def _reported_done(self, rendered: RenderedMessage, clause: Clause) -> list[Draft]:
        """Completion said without a done word, by the task's owner: the result itself.

        "tagging v0.9.0-rc1 now" (an instant act under way), "0.8: 6m 12s, 0.9: 1m 58s" for a task
        to measure, "node es-3 is at 96% disk" for a task to check it, "quotes: la cucina €38/pp" for
        "get quotes", "the council says the hall is closed" for "call the council".
        """
        message = rendered.record
        raw = clause.raw
        lower = raw.lower()
        if (
            clause.is_question
            or FUTURE.search(lower)
            or REQUEST.search(raw)
            or re.match(r"^\W*(?:(?:ok|okay|so|but|or)\W+)?(?:i|we) (?:can|could)\b", lower)
        ):
            return []  # "I can instead run the 7B zero-shot, 2h": an offer, not a result
        if UNDER_WAY.search(lower):
            return []  # "signs are coming along", "garage day 1: 3 piles": progress, not the result
        # Not one this message just took on ("i got sunday snacks").
        mine = [
            d
            for d in self.board.open_drafts(owner_id=message.author_id)
            if not d.tentative and not (d.changes and d.changes[-1].kind == "claimed" and d.changes[-1].message_id == message.id)
        ]
        recent = [d for d in mine if self.board.index - d.last_index <= DONE_WINDOW_MESSAGES]
        if not recent:
            return []
        tokens = words(raw)
        measurements = len(MEASUREMENT.findall(raw))
        # Something to show: numbers, a link, a file, or issue keys ("ENG-812", "#2301").
        evidence = (
            measurements > 0 or LINK in rendered.text or bool(message.attachments) or bool(re.search(r"\b[A-Z]{2,10}-\d+\b|#\d+", raw))
        )
        topic = TOPIC_REPORT.match(raw)
        passive = PASSIVE_REPORT.match(raw)
        recent = [d for d in recent if not self._partly_still_to_do(d, rendered)]
        finished = _finished_state(lower)
        found = []
        for draft in reversed(recent):
            acts = draft.acts
            overlap = self.board.overlap(draft, raw, with_verbs=False)
            under_way = re.match(r"^\W*(\w+ing)\b", lower)
            if (
                under_way
                and acts & INSTANT_VERBS
                and base_form(under_way.group(1)) in acts
                and re.search(r"\b(?:now|rn|atm)\b", lower)
                or acts & MEASURE_VERBS
                and (measurements >= 2 or (measurements and overlap))
                or acts & CHECK_VERBS
                and overlap
                and (measurements or FINDING.search(lower))
                or topic
                # "shed inventory: 34 cones (need 60), 8 batons": counts under the task's name are its result.
                and (
                    evidence
                    or len(re.findall(r"\b\d+\b", raw)) >= 2
                    and len(content_stems(topic.group("topic")) & content_stems(draft.plain_text)) >= 2
                    and not NOT_DONE.search(lower)  # "hose testing: 14 of 22 lengths tested": not all of it
                    or is_past_of(words(topic.group("topic"))[0], draft.verb)
                )
                and len(topic.group("topic").split()) <= 3
                and (
                    content_stems(topic.group("topic")) & content_stems(draft.text)
                    or is_past_of(words(topic.group("topic"))[0], draft.verb)
                )
                or acts & CONTACT_VERBS
                and overlap
                and CONTACT_REPLY.search(lower)
                or overlap
                and NOW_STATE.search(lower)
                or overlap
                and FIX_POSTED.search(lower)
            ):
                found.append(draft)
            elif acts & CONTACT_VERBS and CONTACT_PRONOUN_REPLY.search(lower) and draft is recent[-1]:
                found.append(draft)  # "he recommended a photographer but she's €2k" after "ask your friend"
            elif (
                passive
                and content_stems(passive.group("subject")) & content_stems(draft.text)
                and not NEGATION.search(lower[: passive.end()])
            ):
                found.append(draft)  # "DJ's booked, €650" for "handle the DJ"
            elif tokens[:1] and tokens[0] in ("results", "numbers") and evidence and acts & (MEASURE_VERBS | CHECK_VERBS):
                found.append(draft)
            elif finished & content_stems(draft.text):
                found.append(draft)  # "seed data loaded, 2,400 recipes" for "seed the demo db"; "room 3B is ours"
            elif message.reply_to_id in draft.sources and _GOT_IT.search(lower) and not NEGATION.search(lower):
                found.append(draft)  # "B2.04 is ours 14:00-15:30" in reply to "could someone book a room?"
            elif overlap and (NOW_DOES.search(lower) and (measurements or "instead" in tokens) or HAS_NEW.search(lower)):
                found.append(draft)  # "db-7 alert now fires at 85% instead of 80%" for "tune the db-7 alert"
            elif acts & SEND_VERBS and (message.attachments or LINK in rendered.text) and overlap:
                found.append(draft)  # "shirt design final final FINAL" with the file, for "send the design"
            elif (
                message.attachments
                and self.board.overlap(draft, " ".join(re.split(r"[\W_]+", " ".join(message.attachments))), with_verbs=False) >= 2
            ):
                found.append(draft)  # "22 so far" with guest_list_mom60.xlsx attached, for "make a guest list"
            elif (
                evidence
                and (LINK in rendered.text or message.attachments)
                and self.board.overlap(draft, _without_links(raw), with_verbs=False) >= 2
            ):
                found.append(draft)  # "ok Brakka is level 7, took counterspell" with the screenshot, for "level Brakka up to 7"
            elif re.match(r"let\b.*\bin\b", draft.plain_text, re.IGNORECASE) and re.search(
                r"\b(?:came|arrived|showed up|been and gone|was here|has been|turned up|left)\b", lower
            ):
                found.append(draft)  # "engineer came, replaced the pump" for "let them in"
            elif "pin" in draft.acts and rendered.text.lstrip().startswith("\U0001f4cc"):
                found.append(draft)  # "📌 sync times — ..." from whoever said they would pin them
            elif (
                message.attachments
                and len(words(raw)) <= 6
                and (stems_and_numbers(raw) - _GENERIC_STEMS) & stems_and_numbers(draft.plain_text)
                and not re.search(r"\b(?:draft|wip|progress|half|partial|so far|preview|almost|nearly)\b", lower)
            ):
                found.append(draft)  # "enolates." with ch22_enolates.pdf, "spectroscopy summary + qs ⬇️" with the file
            elif _shows_result(raw, draft) and (LINK in rendered.text or message.attachments):
                found.append(draft)  # "thumbnail \u2197 <link>" for "make the thumbnail"
            elif (
                (rendered.text.lstrip().startswith(LINK) or re.match(r"^\W*(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/\S+", raw))
                and content_stems(draft.plain_text) & _LINKABLE
                and not any(d is not draft and content_stems(d.plain_text) & _LINKABLE for d in recent)
            ):
                found.append(draft)  # "<justgiving link> target £1000" from the owner of "do the donation page"
        if not found and not (
            NOT_DONE.search(lower)
            or NOT_FINISHED_TALK.search(lower)
            or re.search(r"\b\w+ing\b", lower[:20])
            or _AWAY.search(lower)
            # "7B with checkpointing runs but one epoch is 31h", "kraft box mockup is a pain, the texture looks fake": a problem
            or re.search(r"\b(?:runs|but|pain|fake|struggling|nightmare|cursed|ugly|late|behind|delayed|taking longer)\b", lower)
        ):
            # A plain statement by the owner, later, about the task's object, with nothing saying it is unfinished,
            # planned, claimed or a problem: "deck is attached", "the slideshow: 40 photos, ready".
            said = content_stems(re.sub(r"#[\w-]+", " ", _without_links(raw))) - _GENERIC_STEMS  # "pinned in #trc": a place
            # "412 touches the invoice serializer": the ticket, not its result; "ch 21 and ch 22 left": "ch" names nothing.
            said = {w for w in said if not w.isdigit() and w not in ("ch", "pg", "pt", "pp", "sec", "no")}
            # Not "my barrow thanks you", nor "runbook: yep" (taking it on).
            value = raw.split(":", 1)[1] if topic else ""
            taking = re.match(r"^\W*(?:yep|yes|yeah|sure|ok|okay|on it|mine)\b", value, re.IGNORECASE)
            # "it's the 6 in the menu frame": saying which thing, not that it is finished.
            pointing = re.match(r"^\W*(?:it's|it is|its|that's|thats|those are|they're) the\b", raw, re.IGNORECASE)
            if _STATEMENT_OF_STATE.search(raw) and not taking and not pointing:
                # In reply to the ask, what "it" was counts too ("domain's good till 2027 now" for "Renew it (re: company
                # domain expires friday)").
                found = [
                    d
                    for d in recent
                    if d.sources[0] != message.id
                    and not (ACCEPT.search(raw) and message.id in d.sources)  # "ya i got the car": the yes taking it on
                    and (content_stems(d.plain_text) | (content_stems(d.text) if message.reply_to_id in d.sources else set())) & said
                ][-1:]
        whole = re.search(r"\b(\d+)\s*/\s*(\d+)\b", raw)
        if not found and whole and whole.group(1) == whole.group(2) and len(mine) == 1:
            found = mine  # "13/13, we're legal": the count the owner was reporting is complete
        if (
            not found
            and message.reply_to_id
            and (LINK in rendered.text or message.attachments or re.search(r"#\d+|\b[A-Z]{2,10}-\d+\b", raw))
        ):
            # "that's #4412" in reply to "I'll open an issue": the owner answering their own promise with the result.
            # "gear list → <link>" in reply to "can you put one together?": what was put together, shown.
            made = SHOW_VERBS | {"put", "build", "compile", "prepare", "design", "draw", "set"}
            found = [d for d in recent if message.reply_to_id in d.sources and d.acts & made]
        if re.search(r"\bso far\b|\b\d+\s+(?:left|to go|outstanding|missing)\b", lower):
            # "money update: 17 paid so far ($255)" for "handle the money": a collection under way, not finished.
            found = [d for d in found if not d.acts & {"collect", "handle", "gather", "chase", "sell", "raise", "round"}]
        return found

    def _link(
        self,
        rendered: RenderedMessage,
        clause: Clause,
        *,
        allow_requester: bool,
        done: bool = False,
        fallback: bool = True,
        others: bool = True,
    ) -> list[Draft]:
        """The tasks a done/cancel sentence is about: the replied-to one, one it names, or the speaker's latest."""
        message = rendered.record
        speaker = message.author_id
        mentioned = set(rendered.mentions.values())
        if clause.addressee_id:
            mentioned.add(clause.addressee_id)
        # Whom the sentence names itself (a mention, or a name it opens with), not whose message it replies to.
        named_here = set(rendered.mentions.values()) | ({clause.addressee_id} if clause.vocative and clause.addressee_id else set())

        def concerned(draft: Draft) -> bool:
            if draft.owner_id == speaker:
                return True
            return bool(allow_requester and (draft.requester_id == speaker or draft.owner_id in mentioned))

        # (An ask nobody took and everyone declined is nothing left to call off.)
        candidates = [d for d in self.board.drafts if d.status == "open" and (not d.refused or allow_requester and d.owner_id is not None)]
        if not done:
            # "brewery said no \U0001F615 ... so scratch the drinks idea": the answer to "ask the brewery" came in the
            # same message that calls the idea off; the last word is the cancellation.
            candidates += [d for d in self.board.drafts if d.status == "done" and d.changed_by(message.id)]
        if message.reply_to_id:
            if not done and self.board.called_off_by(message.reply_to_id):
                return []  # "ok drop it then" in reply to the message that called a task off: agreeing, nothing more
            replied = [d for d in candidates if message.reply_to_id in d.sources]
            if len(replied) > 1:
                # "skip the cottage" in reply to "favours are mine ... and I'm booking the cottage": the one it names.
                naming = [d for d in replied if self.board.overlap(d, clause.raw, with_verbs=False) >= 1]
                replied = naming or replied
            mine = [d for d in replied if concerned(d)]
            if done and not mine:
                numbered = ticket_numbers(clause.raw)
                named_own = [d for d in candidates if d.owner_id == speaker and d.names_ticket(numbered)]
                if named_own:
                    return named_own[-1:]  # "1214 merged" in reply to "send me the build number": the speaker's 1214
            if mine or (replied and not done):
                return mine or replied
            if replied and done:
                return replied
        # Shared words first, then the verb: "masthead's fixed, did it last night" is the masthead task, not the
        # crossword one that only shares "do".
        # "PAY-398 csv export merged 🎉, picked up 412 from marcus": the part with the done word says what was done.
        said = clause.raw
        if done and "," in said:
            said = ", ".join(part for part in said.split(",") if DONE.search(part)) or said
        numbers = ticket_numbers(said)
        ticketed = [d for d in candidates if concerned(d) and d.names_ticket(numbers)]
        if done and ticketed:
            return ticketed  # "PAY-398 merged": the task with that number, not another PAY- one
        scored = [((self.board.overlap(d, said), self.board.overlap(d, said, with_verbs=False)), d) for d in candidates if concerned(d)]
        best = max((score for score, _ in scored), default=(0, 0))
        if done and best[0] < 1:
            # "17-18 posted" for "ill do the aromatic stuff, ch 17-18 (EAS)": the words of the promise name it.
            said_stems = stems_and_numbers(said) - _GENERIC_STEMS
            promised = [d for _, d in scored if said_stems & (stems_and_numbers(d.evidence) - _GENERIC_STEMS)]
            if len(promised) == 1:
                return promised
        if best[0] >= 1:
            tied = [d for score, d in scored if score == best]
            if done and len(tied) > 1 and not re.search(r"\b(?:both|all|and|everything)\b|,|\+", clause.raw, re.IGNORECASE):
                # "ava's mom found the shorts, they're in her bag ✅": one result, for the task last talked about.
                return [max(tied, key=lambda d: d.last_index)]
            return tied
        # Someone else's task, named clearly enough ("the windows crash is fixed").
        named = [(self.board.overlap(d, clause.raw, with_verbs=False, context=False), d) for d in candidates if others and not concerned(d)]
        best_other = max((score for score, _ in named), default=0)
        if best_other >= 2:
            return [d for score, d in named if score == best_other]
        if not done and re.search(r"\b(?:it|that|this|them)\b", clause.raw, re.IGNORECASE) and others:
            # "finance says no to the brochure this quarter 😕 let's park it": "it" is what the message names before.
            earlier_text = rendered.text[: rendered.text.find(clause.raw)] if clause.raw in rendered.text else ""
            things = content_stems(earlier_text) - _GENERIC_STEMS - content_stems("get do take make go have totally worries sorry")
            named_before = [d for d in candidates if things & content_stems(d.plain_text)]
            if len(named_before) == 1:
                return named_before
        # "done", "never mind", "✅": the most recent task that concerns the speaker.
        leftover = content_stems(re.sub(DONE.pattern + "|" + CANCEL.pattern, " ", clause.raw, flags=re.IGNORECASE))
        # "#327 merged": a numbered pull request or issue is what was finished.
        numbers = set(re.findall(r"(#\d+)\s+(?:is\s+|was\s+|got\s+)?(?:merged|closed|shipped|landed|done)\b", clause.raw, re.IGNORECASE))
        # ... when someone else brought that number up earlier (a bot's "#327 opened (yusuf)"); a new one is the speaker's.
        numbers = {
            n for n in numbers if any(n in (m.content or "") and m.author_id != speaker for m in self.board.messages[: self.board.index])
        }
        replied_to = self.board.by_id.get(message.reply_to_id) if message.reply_to_id else None
        if not done and replied_to is not None and replied_to.author_id != speaker and "?" in (replied_to.content or ""):
            # "should we bump min ios to 16?" -> "not this late, park it for 5.4": the answer to a proposal, not the
            # speaker calling off their own latest task; "is spleef still on for saturday?" -> "nah we'll skip it this
            # month": the question names the speaker's task.
            asked = [d for d in candidates if concerned(d) and self.board.overlap(d, replied_to.content or "", with_verbs=False) >= 1]
            return asked[-1:]
        # "still missing passport names from priya" -> "sent in dm!": the answer to what was just said to them.
        said_to = self.board.just_said_to(message, self.people.names_member)
        before = self.board.messages[self.board.index - 1] if self.board.index > 0 else None
        if not done and before is not None and before.author_id != speaker and AGREEING.match(clause.raw):
            # "what about auto-expanding the WAL volume?" ... "let's not" -> "agree, parking that": the idea just discussed.
            candidates = [d for d in candidates if before.id in d.sources or self.board.overlap(d, before.content or "") >= 1]
        # "they've dropped the menu board ... so @hana park the board + icons": the same message already called that
        # task off; the second sentence repeats it and is not about the speaker's latest other task.
        repeated = [
            d
            for d in self.board.drafts
            if d.status != "open" and d.changed_by(message.id) and self.board.overlap(d, clause.raw, with_verbs=False)
        ]
        # "engineer came, replaced the pump. boiler's fixed": one result told in two sentences, not two tasks done.
        already_done = done and any(d.status == "done" and d.changed_by(message.id) for d in self.board.drafts)
        # "tomás replied, final files by thursday" ... "cover files are in the drive": news of a task already done.
        finished_before = done and any(
            d.status == "done"
            and concerned(d)
            and self.board.index - d.last_index <= 3
            and self.board.overlap(d, clause.raw, with_verbs=False) >= 1
            for d in self.board.drafts
        )
        if fallback and len(leftover) <= 3 and not repeated and not already_done and not finished_before:
            for draft in reversed(candidates):
                if said_to is not None and said_to.id not in draft.sources:
                    continue
                if numbers and not numbers & set(re.findall(r"#\d+", f"{draft.text} {draft.evidence}")):
                    continue  # "#327 merged": about that pull request, not the speaker's latest task
                if self.board.index - draft.last_index > DONE_WINDOW_MESSAGES:
                    break
                if named_here - {speaker} and draft.owner_id not in named_here:
                    continue  # "@ben no need for the config migration": about ben's work, not the speaker's own
                if concerned(draft):
                    return [draft]
        return []

    def _reassign(self, rendered: RenderedMessage, clause: Clause) -> bool:
        message = rendered.record
        text = clause.text
        new_owner: tuple[int, str] | None = None
        handoff = HANDOFF.search(clause.raw)
        if handoff:
            new_owner = self.people.handle_id(handoff.group("handle") or handoff.group("handle2"), rendered)
        elif REQUEST.search(text) or PLEASE.search(text):
            if clause.addressee_id and TAKE.search(text):
                new_owner = (clause.addressee_id, clause.addressee_name or self.people.name_of(clause.addressee_id, rendered) or "")
        elif (
            COMMITMENT.search(text)
            and TAKE.search(text)
            or re.search(r"\b(?:took|taken|grabbed)\b[^.]{0,60}\boff (?:your|his|her|their|\w+'s) plate\b", text, re.IGNORECASE)
        ):
            # "took the docs link one off hugo's plate": the speaker has it now.
            new_owner = (message.author_id, message.author_name)
        if new_owner is None:
            return False
        candidates = [d for d in self.board.drafts if d.status == "open" and d.owner_id != new_owner[0]]
        target: Draft | None = None
        if message.reply_to_id:
            replied = [d for d in candidates if message.reply_to_id in d.sources]
            # "ok I'll take the demo video" in reply to a checklist: the item it names, not the list's last one.
            named = [d for d in replied if self.board.overlap(d, clause.raw, with_verbs=False) >= 1]
            if (named or replied) and (named or len(replied) == 1 or REASSIGN_PRONOUN.search(text)):
                target = (named or replied)[-1]
        if target is None:
            scored = [(self.board.overlap(d, clause.raw, with_verbs=False), d) for d in candidates]
            best = max((score for score, _ in scored), default=0)
            if best >= 1:
                target = next(d for score, d in reversed(scored) if score == best)
        taken_here = any(message.id in d.sources for d in self.board.drafts)
        if target is None and REASSIGN_PRONOUN.search(text) and not taken_here:
            # (not when the message already took a task on: "i'll pick it up from yours" in reply to the kettle ask)
            for draft in reversed(candidates):
                if self.board.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                    break
                if re.search(r"\bi (?:said|promised|offered) i'?d\b|\bi was (?:going|gonna) to\b", rendered.text, re.IGNORECASE) and (
                    self.board.overlap(draft, rendered.text, with_verbs=False) < 1
                ):
                    continue  # "I said I'd write the release notes ... @mei can you take that over?": that work, named here
                target = draft
                break
        if target is None:
            return False
        target.owner_id, target.owner_name = new_owner
        target.refused = False
        target.answered = False
        target.kind = "request" if new_owner[0] != message.author_id else target.kind
        due = find_due(CLAUSE_CUT.split(text)[0], message.created_at, self.board.tz)
        if due is not None:
            target.due = due
        target.changes.append(self.board.change("reassigned", message, target))
        self.board.touch(target, message)
        return True


# Words ending in -ed that are not past participles.
_NOT_PARTICIPLES = frozenset(
    {"need", "seed", "speed", "shed", "bed", "red", "feed", "weed", "breed", "hundred", "sacred", "naked", "wicked"}
)


AGREEING = re.compile(r"^\W*(?:agree[d]?|\+1|true|fair|yeah|yep|same)\b", re.IGNORECASE)

# What a plain statement of a result says: the thing is (somewhere, some way), a label and its value, a number.
_STATEMENT_OF_STATE = re.compile(
    r"\b(?:is|are|'s|was|were|ready|attached|here|up|in|out|final|finished|live|there|on|says?|said|yes|no|got|paid|sent|made|built|bought|done|written|\w+ed)\b"
    r"|:|\d|\u2192|->",
    re.IGNORECASE,
)


# Progress said as such: the work is under way, not finished.
UNDER_WAY = re.compile(r"\b(?:coming along|getting there|under ?way|wip|day \d+)\b", re.IGNORECASE)
# "nvm found it, updated": what follows a never-mind that makes it about the problem, not the work.
FOUND_AFTER_ALL = re.compile(r"\b(?:found|figured|fixed|got it|sorted|updated|done|works?|worked)\b", re.IGNORECASE)
# A result that is the thing itself: "is ours", "booked", "sorted", "secured".
_GOT_IT = re.compile(r"\b(?:is|are|'s) ours\b|\b(?:booked|sorted|secured|reserved)\b(?!\s+(?:for|by|until|till|on)\b)")


# "kai's out til monday", "she's off sick": someone away, not a thing in its finished state.
_AWAY = re.compile(
    r"^\W*\w+(?:['\u2019]s|\s+is|\s+are)\s+(?:out|off|away)\s+(?:til|till|until|today|tomorrow|this|next|all|sick|on|for|from|rn|atm)\b",
    re.IGNORECASE,
)


def _finished_state(lower: str) -> set[str]:
    """The content stems of the subject of "seed data loaded" / "beds assembled" / "room 3B is ours"; empty when the
    sentence does not open with a thing in its finished state (or says it is not, or not yet)."""
    match = STATE_REPORT.match(lower)
    if match is None:
        return set()
    state = match.group("state")
    if state == "in" and re.match(r"\s+(?:review|progress|draft|testing|qa|the works|flight)\b", lower[match.end() :]):
        return set()  # "PR's in review": under way, not done
    if _AWAY.search(lower):
        return set()  # "kai's out til monday": a person away, not a finished thing
    if state.endswith("ed") and (state in _NOT_PARTICIPLES or (len(state) < 6 and base_form(state) not in ACTION_VERBS)):
        return set()
    head = lower[: match.end()]
    if NEGATION.search(head) or NOT_DONE.search(head) or FUTURE.search(head):
        return set()
    return content_stems(re.sub(r"['\u2019]s\b", "", match.group("subject")))


# Work whose result is a page someone can open: a link posted on its own by the owner is that result.
_LINKABLE = frozenset(
    content_stems("page doc document form sheet spreadsheet deck slides survey poll playlist folder repo site website board listing")
)
# Words too common to say which task a sentence is about ("good" in "good night all" and in "good first issue").
_GENERIC_STEMS = frozenset(content_stems("good great nice new first last next all night morning today tomorrow thing stuff time day week"))


def _without_links(text: str) -> str:
    """The words of a sentence without its links ("redis-cutover" in a wiki address is not a word someone said)."""
    return re.sub(r"<?https?://\S+>?", " ", text)


def _shows_result(raw: str, draft: Draft) -> bool:
    """ "thumbnail \u2197 ...", "flashcards: ...": the sentence opens by naming the task's result, in a few words."""
    shown = SHOWN_RESULT.match(raw)
    return bool(shown and len(shown.group("topic").split()) <= 3 and content_stems(shown.group("topic")) & content_stems(draft.text))


def _only_a_date(text: str, said_at: datetime, tz: ZoneInfo) -> bool:
    """ "never mind monday": what is called off is a day, not the task."""
    head = re.split(r"[,.;!?]", text, maxsplit=1)[0].strip()
    due = find_due(head, said_at, tz) if head else None
    if due is not None and re.search(r"\b(?:it|that|this|them)\b", head[: due.start], re.IGNORECASE):
        return False  # "we'll skip it this month": "it" is what is called off
    return due is not None and not content_stems(head[: due.start] + head[due.end :])
