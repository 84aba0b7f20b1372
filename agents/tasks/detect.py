"""New tasks in a sentence: commitments ("I'll ..."), requests ("@bob can you ..."), needs nobody owns ("can someone ..."), and their short imperative text."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from agents.records import MessageRecord
from agents.tasks.dates import Due, find_due
from agents.tasks.drafts import Board, Draft
from agents.tasks.language import (
    ACTION_VERBS,
    LEISURE_WORDS,
    NON_ACTION_VERBS,
    PAST_FORMS,
    PRONOUN_OBJECTS,
    STOPWORDS,
    RenderedMessage,
    base_form,
    capitalize,
    content_stems,
    content_words,
    handle,
    render,
    sentences,
    stems_and_numbers,
    ticket_numbers,
    verb_group,
    words,
)
from agents.tasks.patterns import (
    ABILITY_ADVERBS,
    ALWAYS_PERSONAL_VERBS,
    ASKED_BY_MENTION,
    ASKED_TO_BE_TOLD,
    CLAIMED,
    CLAUSE_CUT,
    CLAUSE_START,
    COMMITMENT,
    CONTEXT_NOTE,
    CONTEXT_PRONOUNS,
    CONTEXT_WORDS,
    DAY_PREFIX,
    DEADLINE_SENTENCE,
    DEADLINE_WORD,
    DEPARTURE_VERBS,
    DIAGNOSTIC,
    DOING_NOW,
    DOING_WHEN,
    HAVE_READY,
    HEDGES,
    HOBBY_VERBS,
    HYPOTHETICAL,
    INTERJECTION,
    JOKE,
    LEADING_FILLER,
    LEAVING,
    LEAVING_CHAT,
    LINEUP_VERBS,
    LIST_PREFIX,
    MARKET_SESSION_WORDS,
    MARKET_WORDS,
    MAX_TASK_WORDS,
    MIND,
    MONITOR_VERBS,
    NEED_STATED,
    NEGATION,
    NEW_OFFER,
    OBLIGATIONS,
    OFFER_TAKEN,
    PERCEPTION,
    PLEASE,
    PRIVILEGE_REQUEST,
    PROGRESS_THEN_PROMISE,
    QUALIFIER,
    REASON,
    REFUSE,
    REQUEST,
    RESPONSE_WINDOW,
    RESPONSE_WINDOW_MESSAGES,
    SOMEONE,
    STOP_NAMES,
    SUBJECTLESS,
    SUGGESTION,
    THIRD_PERSON,
    THIRD_PERSON_NAME,
    TOPIC_IS_MINE,
    TRADE_VERBS,
    TRAILING_FILLER,
    TRAILING_PLEASE,
    WE_NEED,
    WILL_BE_READY,
    YOU_NEED_TO,
)
from agents.tasks.people import Clause, People


class Detector:
    """Finds the task a sentence starts, or adds its words to the task it repeats or answers."""

    def __init__(self, board: Board, people: People):
        self.board = board
        self.people = people
        # New work offered as a question ("want me to chase?"), waiting for a yes: the message, its clause, the work.
        self.offers: list[tuple[RenderedMessage, Clause, str]] = []

    def detect(self, rendered: RenderedMessage, clause: Clause, answered: Draft | None, following: str = "") -> None:
        message = rendered.record
        text = clause.text
        if not text or clause.ignored or _joking(clause.raw) or PRIVILEGE_REQUEST.search(clause.raw):
            return
        if following and JOKE.search(following.lower()) and len(words(following)) <= 3:
            return
        # "i'll get someone to paint over the patch": arranging it is the speaker's work.
        arranged = re.sub(r"\b(i'll|i will|i can)\s+get\s+(?:someone|somebody)\s+(?:in\s+)?to\s+", r"\1 ", text, flags=re.IGNORECASE)
        if arranged != text:
            text = arranged
            clause = replace(clause, text=text)
        lower = text.lower()
        if HYPOTHETICAL.search(lower):
            # "for the 24th I'd like 15 min to present the iberia update, I'll prepare it": the wish, then a promise.
            tail = re.split(r",\s+|\s+so\s+", text)[-1]
            promise = re.match(r"^\W*(?:i'll|ill|i will|i can)\s", tail.strip(), re.IGNORECASE)  # not "let me finish it first"
            if tail == text or HYPOTHETICAL.search(tail.lower()) or not promise or re.search(r"[\"\u201c\u201d]", text):
                return
            text = tail.strip()
            clause = replace(clause, text=text, raw=clause.raw[clause.raw.rfind(tail) :] if tail in clause.raw else text)
            lower = text.lower()
        if not clause.is_question and self._deadline_for_own_work(rendered, clause):
            return
        tentative = False
        if self.board.loose and HEDGES.search(lower):
            text = re.sub(r"\s+", " ", HEDGES.sub(" ", text)).strip()
            clause = replace(clause, text=text)
            tentative = True
        topic = None
        topic_match = TOPIC_IS_MINE.search(text)
        if topic_match:
            topic = topic_match.group("topic")
        # "watering rota for the next week then: siobhan sun, tunde tue, elsie thu?": a rota proposed is a rota.
        rota = re.match(r"^\W*(?P<topic>[\w' -]{3,60}?\b(?:rota|roster|schedule|split|plan))\b[^:]{0,30}:", clause.raw, re.IGNORECASE)
        if self._ticket_trade(rendered, clause, answered):
            return
        # "ok i'll do 2023 s1, @kai 2023 s2, @marcus 2022 s1?": a split the speaker takes part in, put as a question.
        own_part = re.match(
            r"^\W*(?:(?:ok|okay|so)\W+)?(?:[\w' -]{1,30}:\s*)?(?:i'll|i will|i can|i do|i take)\b", clause.raw, re.IGNORECASE
        )
        split = (
            None
            if clause.is_question and not rota and not own_part
            else self._work_split(rendered, clause, topic=rota.group("topic") if rota else None)
        )
        if split:
            # "split: yara backend, tomasz the scanner, femi frontend. i'll do the devpost page": who does what.
            # "I need figures from everyone by Monday the 10th. Marcus: westerns. Hyejin: imaging.": the message's deadline.
            fragments = [f for p in sentences(rendered.text) for f in re.split(r",\s+|\s+so\s+", p)]
            deadline = next((find_due(f, message.created_at, self.board.tz) for f in fragments if _SPLIT_DEADLINE.search(f)), None)
            # "declaring SEV2, I'm IC. @tomek ops lead, @aisha comms": roles in the incident, not work items.
            split = [(m, i) for m, i in split if not _INCIDENT_ROLE.fullmatch(re.sub(r"^do\s+", "", i, flags=re.IGNORECASE).strip(" .!"))]
            for member, item in split:
                kind = "commitment" if member[0] == message.author_id else "request"
                restated = self._restated(member[0], item, message.id)
                if restated is not None:
                    # "📌 SPLIT: hana — spectroscopy | kwame — ch17-18": pinning who took what, not new work.
                    if deadline is not None and deadline.at is not None and restated.due is None:
                        restated.due = deadline
                    self.board.touch(restated, message)
                    continue
                if deadline is not None and find_due(item, message.created_at, self.board.tz) is None:
                    item = f"{item} by {deadline.text}"
                self._add(
                    rendered,
                    replace(clause, addressee_id=member[0], addressee_name=member[1]),
                    kind,
                    member,
                    item,
                    answered,
                    None,
                    tentative,
                )
            return
        offered = NEW_OFFER.search(clause.raw) if clause.is_question else None
        offered_work = offered and (offered.group("rest") or "do " + offered.group("pr").split(" for ", 1)[1])
        if offered is not None and offered_work and not HYPOTHETICAL.search(offered_work):
            self.offers.append((rendered, clause, offered_work))
            return
        found = self._find_request(rendered, clause) or self._find_commitment(rendered, clause)
        if found is None and self.board.loose and not clause.is_question:
            suggestion = SUGGESTION.search(text)
            if suggestion:
                mine = suggestion.group("who").lower().startswith("i")
                owner = (message.author_id, message.author_name) if mine else None
                found = ("commitment" if mine else "request", owner, suggestion.group("rest"), suggestion.group("rest"))
                tentative = True
        if found is None:
            return
        kind, owner, rest, raw_rest = found
        if rest is None:
            return
        listed = _object_list(rest)
        if listed:
            # "I'll do the pitch deck, demo video and devpost writeup": three pieces of work, each of
            # which can be handed off or finished on its own.
            for item in listed:
                self._add(rendered, clause, kind, owner, item, answered, topic, tentative)
            return
        self._add(rendered, clause, kind, owner, rest, answered, topic, tentative)

    def take_offer(self, rendered: RenderedMessage) -> bool:
        """Someone else says yes to new work just offered ("want me to chase?" -> "yes pls. polite but firm"): the
        offerer's task now, with the deadline the yes gives it ("yes, in the deck by thursday eod")."""
        message = rendered.record
        if not OFFER_TAKEN.match(rendered.text) or REFUSE.search(rendered.text):
            return False
        for offer in reversed(self.offers):
            offered, clause, rest = offer
            said = offered.record
            if said.author_id == message.author_id or said.id not in self.board.by_id:
                continue
            position = self.board.messages.index(said)
            if self.board.index - position > 3 or (message.reply_to_id and message.reply_to_id != said.id):
                continue
            if said.mention_ids and message.author_id not in said.mention_ids:
                continue  # "@rosa want me to chase?": rosa's yes
            self.offers.remove(offer)
            own = [d for d in self.board.open_drafts(owner_id=said.author_id) if said.id in d.sources or d.created_index >= position - 5]
            if own and re.search(r"\balso\b", clause.raw, re.IGNORECASE):
                # "runbook: yep. should i also add a section on replica re-sync?": more of the task just taken on.
                own[-1].also.append(rest)
                self.board.touch(own[-1], message)
                return True
            owner = (said.author_id, said.author_name)
            text, pronoun_only, due = self._task_text(rest, said.created_at, offered, owner_id=said.author_id, addressee=clause)
            if not text:
                return False
            if len(words(text)) <= 2:
                # "want me to chase?": what to chase is what the message said before the offer.
                context = _snippet(offered.text[: offered.text.find(clause.raw)].strip(" .,")) if clause.raw in offered.text else None
                text = f"{text}{CONTEXT_NOTE}{context})" if context else text
            draft = self._new("commitment", text, owner, message.author_id, due, offered, clause)
            draft.created_index = position
            draft.due = find_due(rendered.text, message.created_at, self.board.tz) or draft.due
            draft.answered = True
            self.board.drafts.append(draft)
            self.board.touch(draft, message)
            return True
        return False

    def _lead_in(self, before: str, rendered: RenderedMessage) -> bool:
        """ "For the transport I can ask my cousin", "Chloe darling I can do the seating chart": a topic or the person
        spoken to before the promise, with no comma."""
        if re.match(r"^\W*(?:for|about|re|regarding|as for|on)\s+(?:the\s+|my\s+|our\s+)?[\w'-]+(?:\s+[\w'-]+)?\s*$", before):
            return True
        if re.match(r"^\W*(?:the\s+)?[\w'-]+(?:\s+[\w'-]+){0,2}\s*[\u2014\u2013]\s*$", before):
            return True  # "cover seps — i can do them": the topic, then the promise
        before = re.sub(r"^\W*(?:me|mine|yep|yes|yeah)\s*[,!.]\s*", "", before, flags=re.IGNORECASE)  # "me, @greg i'll transfer you ..."
        if not before.strip():
            return True
        head = re.match(r"^\W*@?(?P<name>[a-z][\w'-]*)(?:\s+(?:darling|dear|hun|babe|love|mate|bro|sis))?\s*$", before)
        return bool(head and self.people.handle_id(head.group("name"), rendered))

    def _work_split(self, rendered: RenderedMessage, clause: Clause, topic: str | None = None) -> list[tuple[tuple[int, str], str]]:
        """ "yara backend (fastapi), tomasz the scanner, femi frontend" or "i do ch6+7, darnell ch8, sophie ch9": a list
        of people each followed by their piece of work. Two or more named pieces, or nothing."""
        message = rendered.record
        minutes = re.match(ACTIONS_LABEL, clause.raw, flags=re.IGNORECASE)
        text = re.sub(
            r"^\W*(?:ok\s+|so\s+)?(?:[\w'-]+\s+){0,2}?(?:split|splitting(?:\s+\w+)?|chores|jobs|proposal|plan|assignments?|roles|who does what)\s*:\s*",
            "",
            clause.raw,
            flags=re.IGNORECASE,
        )
        text = text[minutes.end() :] if minutes else text
        if topic:
            text = text.split(":", 1)[-1].rstrip(" ?")
        pieces: list[tuple[tuple[int, str], str]] = []
        named = staying = 0
        # "Marcus: knockdown westerns. Hyejin: time-course imaging. Elif: the qPCR panel.": one sentence per member.
        labelled = [
            m
            for m in re.finditer(r"(?:^|[.;\n]\s*)([A-Za-z][\w'-]*):\s+[^.;\n]+", rendered.text)
            if self.people.handle_id(m.group(1), rendered)
        ]
        one = re.match(r"^\W*([A-Za-z][\w'-]*):\s+(?P<work>[^.;]+)$", text.rstrip(" .!"))
        if len(labelled) >= 2 and one and self.people.handle_id(one.group(1), rendered):
            found = self.people.handle_id(one.group(1), rendered)
            work = one.group("work").strip()
            first = words(work)[:1]
            if (
                found
                and found[0] != message.author_id
                and first
                and (base_form(first[0]) not in ACTION_VERBS or first[0] in ("the", "a", "an"))
            ):
                return [(found, f"do {work}")]
        for item in re.split(r",\s+|;\s+|\s+\|\s+|\s+\d[.)]\s+", text.rstrip(" .!?")):
            # "hana — spectroscopy + ch22 enolates | tyler — ch19": a dash between the name and the piece.
            item = re.sub(r"^(\s*@?[A-Za-z][\w'-]*)\s+[\u2014\u2013-]+\s+", r"\1 ", item)
            item = re.sub(r"^\W*(?:ok|okay|so)\W+(?=i'll\b|i\b)", "", item, flags=re.IGNORECASE)  # "ok i'll do 2023 s1, @kai 2023 s2"
            head = re.match(r"^\s*(?:\d[.)]\s+)?@?(?P<who>[A-Za-z][\w'-]*)\s+(?P<work>\S.*)$", item)
            if head is None:
                continue
            who, work = head.group("who"), head.group("work")
            # "Main actions: 1) Colin to report the potholes 2) Fatima to book the hall": minutes' "X to do Y".
            to_do = re.match(r"to\s+(?P<verb>[a-z]+)\b", work)
            if to_do and (base_form(to_do.group("verb")) not in ACTION_VERBS or not minutes and "," not in text):
                continue  # "bob to the rescue", "carol to win it all"
            work = work[3:] if to_do else work
            first = words(work)[:1]
            following = words(work)[1:2]
            if first and (
                first[0] == "does"
                or first[0].endswith("s")
                and not first[0].endswith("ss")
                and (first[0][:-1] in ACTION_VERBS or first[0][:-1] == "stay")
                and following
                and following[0] in ("the", "a", "an", "on", "over", "up", "our", "his", "her", "their", "it", "them", "all")
            ):
                # "marco does flights since u have the points card", "angela stays on sorting": said in the third person.
                work = ("do" + work[4:]) if first[0] == "does" else first[0][:-1] + work[len(first[0]) :]
                first = words(work)[:1]
            if not first or first[0] in STOPWORDS and first[0] not in ("the", "a", "an", "do"):
                continue  # "becca you did the most last time": about them, not their piece
            if not to_do and (
                first[0] in NON_ACTION_VERBS
                or first[0] in PAST_FORMS
                or first[0].endswith("ed")
                or first[0].endswith("s")
                and first[0] in ("says", "thinks", "wants", "is", "has")
            ):
                if first[0] in ("stay", "keep") and self.people.handle_id(who, rendered):
                    staying += 1  # "yusuf does the costco pickup, angela stays on sorting": a split, angela keeps hers
                continue  # "bob said hi, carol laughed": what they did, not what they will do
            if who.lower() in ("i", "me", "i'll"):
                owner = (message.author_id, message.author_name)
            else:
                found = self.people.handle_id(who, rendered)
                if found is None or found[0] == message.author_id:
                    continue
                owner, named = found, named + 1
            # "pitch deck + demo video": two pieces; "backend (fastapi + the expiry logic)": one, described.
            outside = re.sub(r"\([^)]*\)", lambda m: m.group(0).replace("+", "\x00").replace(" and ", " \x01 "), work)
            for part in re.split(r"\s+\+\s+|\s+and\s+(?=[a-z]+\s)", outside):
                part = part.replace("\x00", "+").replace(" \x01 ", " and ")
                part = re.sub(r"\s*\(([^)]*)\)", r" with \1", part).strip()
                part = _imperative(part)  # "@mei runs the ablation" -> "run the ablation"
                verb = words(part)[:1]
                doing = _opens_with_an_act(part)
                if doing and verb[0].endswith("ing") and len(words(part)) == 1:
                    doing = False  # "me hoovering": a chore named, "do hoovering"
                if topic and not doing and re.fullmatch(_WEEKDAYS + r"|\w+day", part, re.IGNORECASE):
                    what = re.sub(r"\s*\b(?:rota|roster|schedule|split|plan)$", "", topic.lower().strip())
                    part = f"{what or 'the rota'} {part}"  # "siobhan sun": her day of the watering rota
                pieces.append((owner, part if doing else f"do {part}"))
        if named + staying >= 2 and named or minutes and named:
            return self._numbered(rendered, pieces)
        return []

    def _numbered(self, rendered: RenderedMessage, pieces: list[tuple[tuple[int, str], str]]) -> list[tuple[tuple[int, str], str]]:
        """ "@femi 1 and 2, @hana 3 and 4" after "1) wordmark heavier 2) swap the teal for something warmer ...": each
        number is the item of the list it points at."""
        wanted = [(owner, [int(n) for n in re.findall(r"\d+", work)]) for owner, work in pieces]
        if not all(re.fullmatch(r"do\s+#?\d+(?:\s*(?:,|and|&|\+)\s*#?\d+)*", work, re.IGNORECASE) for _, work in pieces):
            return pieces
        message = rendered.record
        position = self.board.index
        for earlier in [message, *reversed(self.board.messages[max(0, position - 3) : position])]:
            if earlier.author_id != message.author_id:
                continue
            items = _numbered_items(render(earlier).text)
            if all(n in items for _, numbers in wanted for n in numbers):
                expanded = []
                for owner, numbers in wanted:
                    for n in numbers:
                        item = items[n]
                        expanded.append((owner, item if _opens_with_an_act(item) else f"do {item}"))
                return expanded
        return pieces

    def _list_items(self, message: MessageRecord, numbers: list[int]) -> list[str] | None:
        """The items those numbers point at in a numbered list replied to or just before (anyone's), shortened."""
        replied = self.board.by_id.get(message.reply_to_id) if message.reply_to_id else None
        position = self.board.index
        for earlier in [m for m in [replied, *reversed(self.board.messages[max(0, position - 3) : position])] if m is not None]:
            items = _numbered_items(render(earlier).text)
            if len(items) >= 2 and all(n in items for n in numbers):
                return [" ".join(items[n].split()[:8]) for n in numbers]
        return None

    def _add(
        self,
        rendered: RenderedMessage,
        clause: Clause,
        kind: str,
        owner,
        rest: str,
        answered: Draft | None,
        topic: str | None,
        tentative: bool,
    ) -> None:
        message = rendered.record
        task_text, pronoun_only, due = self._task_text(
            rest, message.created_at, rendered, owner_id=owner[0] if owner else None, addressee=clause
        )
        day = DAY_PREFIX.match(clause.text)
        if due is None and day:
            said = day.group("day").lower()
            due = find_due("today" if said in ("t", "td", "tdy") else said, message.created_at, self.board.tz)
        if due is None and rest in clause.raw:
            # "jersey order form closes monday, i'll collect sizes": the deadline said before the promise, in one sentence;
            # "i'm home thu morning, i'll let them in": the time the speaker will be there.
            before = clause.raw[: clause.raw.index(rest)]
            if DEADLINE_WORD.search(before) or re.search(
                r"\b(?:i'm|im|i am|i'll be|ill be)\s+(?:home|around|free|in|there|off)\b", before, re.IGNORECASE
            ):
                due = find_due(before, message.created_at, self.board.tz)
        if topic and task_text and not (content_stems(topic) & content_stems(task_text)):
            task_text = f"{task_text} for {_strip_article_free(topic)}"
        if not task_text:
            return
        listed = re.fullmatch(
            r"(?:take|do|handle|grab|cover|own)\s+#?\d{1,2}(?:\s*(?:,|and|&|\+)\s*#?\d{1,2})*\W*", task_text, re.IGNORECASE
        )
        items = self._list_items(message, [int(n) for n in re.findall(r"\d+", task_text)]) if listed else None
        if items:
            # "@tom can you take 1 and 2?" in reply to a numbered list: say what 1 and 2 are.
            task_text = f"{task_text}{CONTEXT_NOTE}{'; '.join(items)})"
        count = len(self.board.drafts)
        if kind == "commitment":
            self._add_commitment(rendered, clause, task_text, pronoun_only, due, answered)
        else:
            self._add_request(rendered, clause, owner, task_text, pronoun_only, due)
        if tentative:
            for draft in self.board.drafts[count:]:
                draft.tentative = True

    def _find_request(self, rendered: RenderedMessage, clause: Clause):
        """("request", (owner id, name) or None, the action words, the text to search for a deadline)."""
        text = clause.text
        given = re.match(
            r"^\W*(?P<thing>(?:the\s+|your\s+)?[\w'#-]+(?:\s+[\w'#-]+){0,4}?)\s+(?:is|are)\s+(?:all\s+)?yours\b"
            r"(?:\s*[-\u2013\u2014:]\s*(?P<what>[^.!?]+))?",
            text,
            re.IGNORECASE,
        )
        if given and clause.addressee_id and clause.addressee_name and content_words(given.group("thing")):
            # "@priya the about page is yours, can we get it down to ~120 words?": the page is hers to do;
            # "lucia, supplementary is yours - methods table S2 and the raw counts": with what it holds.
            thing = re.sub(r"^your\s+", "the ", given.group("thing"), flags=re.IGNORECASE)
            what = given.group("what") or next(
                iter(re.findall(r"\byours\s*[-\u2013\u2014:]\s*([^.!?\n]+)", rendered.text, re.IGNORECASE)), None
            )
            thing = f"{thing} with {what.strip()}" if what else thing
            return "request", (clause.addressee_id, clause.addressee_name), f"do {thing}", thing
        someone = SOMEONE.search(text)
        if someone:
            rest = QUALIFIER.sub("", someone.group("rest"))
            rest = re.split(r"\s+(?:pls|please|plz)\b", rest, maxsplit=1, flags=re.IGNORECASE)[0]  # "do drinks pls my bag can't ..."
            if someone.group("who_ing"):
                ing = someone.group("who_ing").strip()
                rest = ("do" if ing.lower() == "doing" else base_form(ing)) + " " + rest  # "who's doing the insta post?"
            elif someone.group(0).lower().lstrip().startswith("whose"):
                rest = "do the " + re.sub(r"^(?:the\s+)", "", rest.split("?")[0])  # "whose week is bins??" -> "do the bins"
            if re.match(r"got\b.*\b(?:these days|at the moment|right now|atm|rn|now)\W*$", rest, re.IGNORECASE):
                return None  # "who's got the kitty these days?": who holds it, not who will do something
            if PERCEPTION.search(rest) or clause.is_question and re.match(r"explain\b", rest, re.IGNORECASE):
                return None  # "can someone remind me what happened last session", "can anyone explain the loan thing?"
            return "request", None, rest, someone.group(0)
        by_mention = ASKED_BY_MENTION.search(clause.raw)
        if by_mention:
            found = self.people.handle_id(by_mention.group("handle"), rendered)
            rest = re.sub(r"\?.*$", "", by_mention.group("rest"))
            first = words(rest)[:1]
            if found and first and base_form(first[0]) in ACTION_VERBS:
                return "request", found, rest, rest
        request = REQUEST.search(text)
        if request:
            who = next((request.group(g) for g in ("who", "who2", "who3", "who4", "who5", "who6") if request.group(g)), "").lower()
            before = text[: request.start()].lower()
            if re.search(r"\b(?:how|what|why|where|when|which|who|whether|if|wonder)\W*$", before):
                return None
            if re.match(r"^\W*(?:how|what|why|where|when|which|who|whose)\b", text, re.IGNORECASE):
                return None
            rest = request.group("rest")
            if re.match(r"^(?:rather|like|prefer|say|think|believe|know)\b", rest, re.IGNORECASE):
                return None  # "would you rather ...", "would you say ...": questions, not requests
            mind = re.match(r"^(?:please\s+)?mind\s+(?P<ger>\w+ing)\b", rest, re.IGNORECASE)
            if mind is None and re.search(r"\bmind\s*$", text[: max(0, len(text) - len(rest))], re.IGNORECASE):
                mind = re.match(r"^(?P<ger>\w+ing)\b", rest)  # "would you mind doing the mildew spray"
            if mind:
                rest = base_form(mind.group("ger")) + rest[mind.end() :]
            if DIAGNOSTIC.search(rest) or PERCEPTION.search(
                re.sub(r"^(?:someone|somebody|anyone|anybody)\s+", "", rest, flags=re.IGNORECASE)
            ):
                return None
            if who in ("someone", "somebody", "anyone", "anybody", "everyone", "you all", "you guys", "y'all", "yall", "you both"):
                rest = QUALIFIER.sub("", rest)
                return "request", None, rest, rest
            owner = (clause.addressee_id, clause.addressee_name) if clause.addressee_id else None
            first = words(rest)[:1]
            if owner is None and first and base_form(first[0]) not in ACTION_VERBS and not _looks_like_work(first[0].rsplit("-", 1)[-1]):
                return None  # "would you trust one to drive you?", "can you choose one superhero?": a question to nobody in particular
            return "request", owner, rest, rest
        mind = MIND.search(text)
        if mind and clause.is_question:
            rest = base_form(mind.group("ger")) + mind.group("rest")
            owner = (clause.addressee_id, clause.addressee_name) if clause.addressee_id else None
            return "request", owner, rest, rest
        if clause.is_question:
            return None
        please = PLEASE.search(text)
        if please:
            rest = please.group("rest")
            first = words(rest)[:1]
            if (
                first
                and first[0] not in NON_ACTION_VERBS
                and first[0] not in ("don't", "dont", "no", "stop")
                # "please do!" answers; "please do the knockdown westerns" asks
                and not (
                    first[0] == "do"
                    and not re.match(r"^do\s+(?:the|a|an|your|our|some|my|this|that|these|those)\s+\w", rest, re.IGNORECASE)
                )
                and _looks_like_verb(first[0])
            ):
                owner = (clause.addressee_id, clause.addressee_name) if clause.addressee_id else None
                if (
                    owner is None
                    and first[0] in ("confirm", "ack", "acknowledge", "react", "vote")
                    and re.search(r"\b(?:here|thread|below|above|this)\b", rest)
                ):
                    return None  # "please confirm ownership in this thread": asking everyone to answer, not work
                return "request", owner, rest, rest
        obliged = YOU_NEED_TO.match(text)
        if obliged and clause.addressee_id:
            return "request", (clause.addressee_id, clause.addressee_name), obliged.group("rest"), obliged.group("rest")
        trailing = TRAILING_PLEASE.match(text)
        if trailing:
            # "revert pls, we can bring the new splash back in 5.4": the answer to whoever offered the choice.
            first = words(trailing.group("rest"))[:1]
            if first and base_form(first[0]) in ACTION_VERBS and first[0] not in NON_ACTION_VERBS:
                owner = (clause.addressee_id, clause.addressee_name) if clause.addressee_id else None
                return "request", owner, trailing.group("rest"), trailing.group("rest")
        third = THIRD_PERSON.search(clause.raw) or THIRD_PERSON_NAME.search(clause.raw)
        if third:
            found = self.people.handle_id(third.group("handle"), rendered)
            if found:
                return "request", found, third.group("rest"), third.group("rest")
        if clause.addressee_id:
            # "@conor merch!! new shirts need to be ordered by end of the month": the work, said in the passive.
            passive = re.match(
                r"^\W*(?P<thing>(?:the\s+|new\s+|our\s+)?[\w\s'-]{2,40}?)\s+needs?\s+to\s+be\s+(?P<pp>[a-z]+ed)\b(?P<rest>.*)$",
                text,
                re.IGNORECASE,
            )
            if passive and base_form(passive.group("pp")) in ACTION_VERBS:
                rest = f"{base_form(passive.group('pp'))} {passive.group('thing').strip()}{passive.group('rest')}"
                return "request", (clause.addressee_id, clause.addressee_name), rest, rest
        if clause.addressee_id and clause.vocative and re.fullmatch(r"\W*(?:ping|bump|nudge|poke)\W*", text, re.IGNORECASE):
            return None  # "@oli ping 👀": a nudge about what they already have
        if clause.addressee_id and clause.vocative:
            first = words(text)[:1]
            # "homework before wed:\n@kaz watch our ascent VOD ...\n@mila go over ...": in a list of assignments even
            # watching is work.
            in_list = len(re.findall(r"^\W*@\w+", rendered.text, re.MULTILINE)) >= 2
            if first and (first[0] in ACTION_VERBS or in_list and first[0] in {"watch", "read", "study", "practice", "practise", "review"}):
                return "request", (clause.addressee_id, clause.addressee_name), text, text
            # "@kira clip the 3 B retakes we lost": an unlisted verb, then what it is done to.
            imperative = re.match(r"^\W*(?P<verb>[a-z]{3,})\s+(?:the|a|an|our|my|your|all|those|these|\d+)\s+\w", text, re.IGNORECASE)
            if (
                imperative
                and first[0] not in STOPWORDS
                and first[0] not in PAST_FORMS
                and not first[0].endswith(("ed", "ing", "s", "ly"))
                and first[0] not in NON_ACTION_VERBS
                and _looks_like_verb(first[0])
                and first[0] not in _NOT_IMPERATIVE
                and not INTERJECTION.match(text)
                and not SECOND_PERSON_ASK.search(text)
            ):
                return "request", (clause.addressee_id, clause.addressee_name), text, text
            # "@moku u do the util breakdown for ironclad's A exec": the work, said to them.
            you_do = re.match(r"^\W*(?:you|u)\s+(?P<rest>(?:do|take|handle|grab|own)\s+\S.*)$", text, re.IGNORECASE)
            if you_do:
                return "request", (clause.addressee_id, clause.addressee_name), you_do.group("rest"), you_do.group("rest")
            on = re.match(r"^\W*(?:you're|youre|you are|ur)\s+(?:on|up for|up next for)\s+(?P<rest>.+)$", text, re.IGNORECASE)
            if on and words(on.group("rest")):
                # "moth you're on updating the pinned faq", "vikram you're on that, can be next sprint"
                rest = on.group("rest")
                head = words(rest)[0]
                rest = base_form(head) + rest[len(head) :] if head.endswith("ing") else rest
                rest = rest if base_form(words(rest)[0]) in ACTION_VERBS else f"do {rest}"
                return "request", (clause.addressee_id, clause.addressee_name), rest, rest
            if first and _bulleted(rendered.text, clause.raw) and len(content_words(text)) >= 2 and not PAST_FORMS & {first[0]}:
                # "follow-up list:\n- @ollie targeted rollback of the market district, today pls": the item is the work.
                rest = "do " + text
                return "request", (clause.addressee_id, clause.addressee_name), rest, rest
            # "@carme the cert rotation for the api gateway is due monday": the work handed over by its deadline.
            assigned = re.match(
                r"^\W*(?P<thing>(?:the|your)\s+[\w\s'./-]{3,60}?)\s+(?:is|are)\s+(?P<when>due\b.*|yours\b.*|on you\b.*)$",
                text,
                re.IGNORECASE,
            )
            if assigned and content_words(assigned.group("thing")):
                thing = re.sub(r"^your\s+", "the ", assigned.group("thing"), flags=re.IGNORECASE)
                when = re.sub(r"^due\s+", "by ", assigned.group("when"), flags=re.IGNORECASE)
                rest = f"do {thing} {when}" if when.lower().startswith("by ") else f"do {thing}"
                return "request", (clause.addressee_id, clause.addressee_name), rest, rest
        need = WE_NEED.search(text)
        if need:
            return "request", None, need.group("rest"), need.group("rest")
        return None

    def _find_commitment(self, rendered: RenderedMessage, clause: Clause):
        if clause.is_question:
            # "i can do the signup sheet for bakers, google form ok?": the promise, then a short question about how.
            promise, _, asked = clause.text.rpartition(",")
            # "paper build is out, i will update the server tonight after 22, ok?": the promise is the last part.
            promise = promise if COMMITMENT.match(promise.strip()) else promise.rpartition(",")[2]
            # "i can do them but i've never done riso seps before??": the promise, then a worry.
            worry = re.match(r"^(?P<promise>.+?)\s+but\s+(?:i'?ve|i have)\s+never\b", clause.text, re.IGNORECASE)
            if worry and COMMITMENT.match(worry.group("promise").strip()):
                promise, asked = worry.group("promise"), ""
            if not (promise and COMMITMENT.match(promise.strip()) and len(words(asked)) <= 4):
                return None
            clause = replace(clause, text=promise.strip(), is_question=False)
        message = rendered.record
        text = INTERJECTION.sub("", clause.text)
        claimed = CLAIMED.match(text)
        if (
            claimed
            and content_words(claimed.group("thing"))
            and not NEGATION.search(text[: claimed.end()])
            and not COMMITMENT.search(text[claimed.end() :])  # "the windows crash is mine, I'll have a fix up by friday"
        ):
            # "favours are MINE", "florist chasing i can do": the work named first, then taken.
            return "commitment", (message.author_id, message.author_name), f"do {claimed.group('thing')}", claimed.group("thing")
        owed = re.match(
            r"^\W*(?:(?:note to self[\w\s]*:|ok|so|btw|also|oh|shoot|oh shoot)\W+)*i\s+(?:still\s+)?owe\s+"
            r"(?P<who>you|u|ya|y'all|everyone|you all|you guys|@?[a-z][\w-]*)\s+(?P<thing>(?:the|a|an|my|our|those|these|for|\$?\d)[^,.!?;]*)",
            text,
            re.IGNORECASE,
        )
        if owed and not set(words(owed.group("thing"))) & LEISURE_WORDS:
            who, thing = owed.group("who"), owed.group("thing").strip()
            money = re.match(r"(?:for\b|\$?\d[\d,.]*)", thing)
            if money:
                # "i still owe marco for the flight", "i owe everyone 648": money to pay back.
                amount = re.match(r"\$?\d[\d,.]*", thing)
                owed_work = f"pay {who} {amount.group(0) if amount else thing}"
                return "commitment", (message.author_id, message.author_name), owed_work, thing
            if who.lower() in ("you", "u", "ya", "y'all", "everyone", "you all", "you guys"):
                # "I owe you the EMEA churn figures before tuesday's call": work promised (not "I owe you a beer").
                return "commitment", (message.author_id, message.author_name), f"do {thing}", thing
        dibs = DIBS.match(text)
        if (
            dibs
            and content_words(dibs.group("thing"))
            and not re.match(r"\s*(?:the\s+)?(?:front seat|shotgun|couch|bed|window seat)\b", dibs.group("thing"), re.IGNORECASE)
        ):
            # "dibs on nmr/ir spectroscopy": taken (a seat or a bed is not work).
            return "commitment", (message.author_id, message.author_name), f"do {dibs.group('thing').strip()}", dibs.group("thing")
        if re.match(r"^\W*(?:i\s+)?can confirm\b", text, re.IGNORECASE):
            return None  # "can confirm, it dripped on my toast": agreeing, not a promise
        match = COMMITMENT.search(re.sub(r"\b(i'll|i will)\s+keep\s+owning\b", r"\1 own", text, flags=re.IGNORECASE))
        if match:
            text = re.sub(r"\b(i'll|i will)\s+keep\s+owning\b", r"\1 own", text, flags=re.IGNORECASE)
            before = text[: match.start()].lower()
            if re.search(r"\b(?:if|unless|when you|what|how|wish|whether)\b", before):
                return None
            if before.strip() and not CLAUSE_START.search(before) and not self._lead_in(before, rendered):
                return None
            trigger = match.group("trigger").lower()
            rest = match.group("rest")
            coming = re.match(
                r"^(?P<how>(?:come|go(?!\s+(?:through|thru|over)\b)|swing by|pop over|head over)\b.{0,40}?)\band\s+(?P<work>[a-z]+\b.*)$",
                rest,
                re.IGNORECASE,
            )
            if coming and base_form(words(coming.group("work"))[0]) in ACTION_VERBS:
                # "I can come friday evening already and pack the kitchen": the packing is the work, the day still counts.
                when = find_due(coming.group("how"), message.created_at, self.board.tz)
                rest = coming.group("work") + (f" {when.text}" if when is not None else "")
            if trigger == "ill" and not (words(rest)[:1] and _looks_like_work(words(rest)[0])):
                return None  # "i'm ill today", "ill be there": not a promise of work
            if trigger in OBLIGATIONS or trigger == "i can":
                # "I can rap quite fast", "I have to go": abilities and leaving are not work.
                first = words(rest)[:1]
                if not first or first[0] in ABILITY_ADVERBS or base_form(first[0]) not in ACTION_VERBS:
                    return None
            if re.match(
                r"^(?:probably\s+|totally\s+|already\s+)?have\s+(?:forgotten|forgot|left|gone|died|moved on|given up|fallen asleep|passed out)\b",
                rest,
                re.IGNORECASE,
            ):
                return None  # "I will have forgotten by tuesday": what will have happened, not work
            if re.match(r"^have to\b", rest, re.IGNORECASE) and trigger in ("i'll", "i will") and not self.board.loose:
                return None  # "I'll have to watch it": a note to self, not a promise
            if (
                trigger == "i can"
                and (
                    re.match(r"^\s*(?:but|too|if|also but)\b", rest, re.IGNORECASE)
                    # "I can do it but I'm out monday" hedges; "i can do them but i've never done riso seps before??" takes it on
                    or re.search(r"\bbut\b", rest[:12], re.IGNORECASE)
                    and not re.search(r"\bbut\s+(?:i'?ve|i have)\s+never\b", rest, re.IGNORECASE)
                )
            ):
                return None
            if trigger == "i can" and re.search(r"\bso\s+(?:that\s+)?$", before):
                return None  # "final page count so I can confirm the quote": what it is for, not a promise
            return "commitment", (message.author_id, message.author_name), rest, rest
        doing = DOING_NOW.match(text)
        if doing and base_form(doing.group("verb")) in ACTION_VERBS:
            # "I'm still booking the cottage in york this week": work the speaker has under way.
            rest = f"{base_form(doing.group('verb'))} {doing.group('rest')}"
            return "commitment", (message.author_id, message.author_name), rest, rest
        subjectless = SUBJECTLESS.search(text)
        if subjectless:
            return "commitment", (message.author_id, message.author_name), subjectless.group("rest"), subjectless.group("rest")
        promised = PROGRESS_THEN_PROMISE.search(text)
        if promised and base_form(words(promised.group("rest"))[0]) in ACTION_VERBS:
            # "dbt models for the payments mart are 70% converted, will finish tomorrow": finishing what the report names.
            subject = re.match(r"^\W*(?:the\s+|my\s+)?(?P<thing>.+?)\s+(?:is|are|'s|was|were)\s", text, re.IGNORECASE)
            verb, _, after = promised.group("rest").partition(" ")
            thing = subject.group("thing") if subject else ""
            numbers = set(re.findall(r"\d+", re.sub(r"\d+\s*%", "", thing)))
            known = [
                d
                for d in self.board.open_drafts(message.author_id)
                if content_stems(thing) & content_stems(d.text) or numbers & set(re.findall(r"\d+", d.text))
            ]
            if known:
                # "ch10 is like 60% there, will finish tomorrow morning" from whoever took ch10: that task, by then.
                by_then = find_due(promised.group("rest"), message.created_at, self.board.tz)
                known[-1].due = by_then or known[-1].due
                self.board.touch(known[-1], message)
                return None
            if subject and not _pronouns(thing) & PRONOUN_OBJECTS and len(words(thing)) <= 6:
                rest = f"{verb} the {subject.group('thing')} {after}".strip()
                return "commitment", (message.author_id, message.author_name), rest, rest
        doing_when = DOING_WHEN.match(text)
        if doing_when and base_form(doing_when.group("verb")) in ACTION_VERBS and not clause.is_question:
            rest = f"{base_form(doing_when.group('verb'))} {doing_when.group('rest')}"
            said = content_stems(doing_when.group("rest")) - content_stems("tonight tomorrow tmrw today lunch afternoon evening morning")
            own = [
                d
                for d in self.board.open_drafts(message.author_id)
                if said & content_stems(" ".join(self.board.by_id[i].content or "" for i in d.sources if i in self.board.by_id))
            ]
            replied = self.board.by_id.get(message.reply_to_id) if message.reply_to_id else None
            if own or (replied is not None and replied.author_id != message.author_id and _pronouns(rest) & PRONOUN_OBJECTS):
                # "starting the backfill tmrw morning": the backfill already promised; "legend, dropping them off first
                # thing tmrw" in reply to "i'll scan them": what "them" are is the other person's work, not this one's.
                return None
            return "commitment", (message.author_id, message.author_name), rest, rest
        if clause.self_assigned:
            first = words(text)[:1]
            if first and base_form(first[0]) in ACTION_VERBS:
                return "commitment", (message.author_id, message.author_name), text, text
            if re.match(r"^\W*mine\s*:", clause.raw, re.IGNORECASE) and content_words(text) and not clause.is_question:
                # "mine: #413 sidebar" in reply to a list of sub-issues: taking one.
                return "commitment", (message.author_id, message.author_name), f"do {text}", text
        listed = LIST_PREFIX.search(clause.text)
        if listed:
            rest = listed.group("rest")
            first = words(rest)[:1]
            again = SUBJECTLESS.search(rest) or COMMITMENT.search(rest)
            if again:
                return "commitment", (message.author_id, message.author_name), again.group("rest"), again.group("rest")
            if first and _looks_like_verb(first[0]) and len(words(rest)) > 1:  # "next: cover." names a topic
                if first[0].endswith("ing"):
                    rest = base_form(first[0]) + rest[len(first[0]) :]
                return "commitment", (message.author_id, message.author_name), rest, rest
        return None

    def _task_text(
        self, rest: str, said_at: datetime, rendered: RenderedMessage, *, owner_id: int | None, addressee: Clause
    ) -> tuple[str | None, bool, Due | None]:
        """A short imperative from the words after the trigger, and its deadline; (None, _, _) when they are not a task."""
        text = re.sub(r"\s+", " ", rest).strip()
        text = LEADING_FILLER.sub("", text)
        text = _without_who(text)
        text = re.sub(r"^(?:will|gonna|going to)\s+", "", text, flags=re.IGNORECASE)
        cut = CLAUSE_CUT.search(text)
        remainder = ""
        if cut and cut.start() > 0:
            text, remainder = text[: cut.start()], text[cut.start() :]
        # The deadline is in the task's own words, or in a follow-up clause that is not a reason
        # ("..., should have a PR up by tomorrow EOD" but not "since I'm free this afternoon").
        due = find_due(text, said_at, self.board.tz)
        if due is not None and re.match(r"['\u2019]s\b", text[due.end :]):
            pass  # "put a notice in tomorrow's newsletter": the day names the thing, and stays in the task's words
        elif due is not None:
            # "grab it on the friday after work" -> "grab it after work", not "grab it on the after work"
            head = re.sub(r"\b(?:on\s+)?the\s*$", "", text[: due.start], flags=re.IGNORECASE)
            after = text[due.end :]
            either = re.match(r"\s+or\s+", after)
            other = find_due(after[either.end() :], said_at, self.board.tz) if either else None
            if either and other is not None and other.start == 0:
                after = after[either.end() + other.end :]  # "reset it on Sunday or Monday": both days go
            if not either and re.match(rf"\s*(?:and|&|\+|/)\s+(?:{_WEEKDAYS}|{_WEEKDAY_NAMES_FULL})", after, re.IGNORECASE):
                pass  # "i can take saturday and sunday mornings": the days are what is taken
            else:
                text = (head + " " + after).strip()
        else:
            follow = remainder.lstrip(" ,:;-\u2014\u2013")
            if follow and not REASON.match(follow):
                due = find_due(follow, said_at, self.board.tz)
        if due is None and re.search(
            r"(?<!for )\b(?:right now|now|right away|immediately)\b(?!\s+(?:that|on|and then)\b)", rest, re.IGNORECASE
        ):
            # "@tomek roll back to 2.40 now": today.
            now = find_due("today", said_at, self.board.tz)
            due = Due("now", now.at, 0, 0) if now is not None else None
        text = re.sub(r"\s+", " ", text).strip()
        # "be handling X" -> "handle X"; "have to X" -> "X".
        text = re.sub(r"^(?:be\s+(?P<ing>\w+ing))", lambda m: base_form(m.group("ing")), text, flags=re.IGNORECASE)
        text = re.sub(r"^(?:have to|need to|got to)\s+", "", text, flags=re.IGNORECASE)
        text = LEADING_FILLER.sub("", text)
        for _ in range(3):
            text = TRAILING_FILLER.sub("", text).strip()
            if not re.search(r"\b(?:day|night|week|morning|evening|weekend) before$", text, re.IGNORECASE):  # "the day before"
                text = re.sub(r"\s+(?:over|during|on|by|in|at|for|before|until|from|around|within)$", "", text, flags=re.IGNORECASE)
        tokens = words(text)
        if tokens[:1] == ["go"] and len(tokens) > 1 and (tokens[1] == "and" or _looks_like_work(tokens[1])):
            # "go pick up the badges" -> "pick up the badges"
            text = re.sub(r"^go\s+(?:and\s+)?", "", text, flags=re.IGNORECASE)
            tokens = words(text)
        if not tokens:
            return None, False, None
        verb = tokens[0]
        if verb == "try" and tokens[1:2] in (["on"], ["for"], ["my"]):
            return None, False, None  # "i'll try on snkrs", "try for tickets the second they drop": one's own luck, not work
        if (verb in LEAVING and tokens[1:2] not in (["through"], ["over"])) or LEAVING_CHAT.search(text):
            return None, False, None  # "I have to go to church", "I'm going to end this chat"
        # "I'll let them in", "let the engineer in tuesday": letting someone in is work; "let you know" is not.
        letting_in = verb == "let" and re.match(r"^\W*let\s+(?:(?!you\b|u\b|me\b)\w+\s+){1,3}(?:in|into|through)\b", rest, re.IGNORECASE)
        if letting_in and not re.search(r"\b(?:in|into|through)\b", text):
            text += " in"
        if not letting_in and (verb in NON_ACTION_VERBS or verb in ("not", "never", "no", "n't", "get") and len(tokens) < 2):
            return None, False, None
        if re.match(r"^(?:not|never|no longer)\b", text, re.IGNORECASE):
            return None, False, None
        if re.match(
            r"^get\s+(?:(?:a\s+)?(?:little|bit|really|so|kinda|pretty|very|super)\s+)*(?:worried|tired|nervous|scared|bored|hungry|sick|"
            r"excited|anxious|annoyed|mad|angry|sad|old|lost|confused|sleepy|cold|hot|better|worse|impatient)\b",
            text,
            re.IGNORECASE,
        ):
            return None, False, None  # "Ya, Im getting a little worried": a feeling, not work
        if re.match(r"^set (?:a |an |myself a |an? )?(?:reminder|alarm|timer)\b", text, re.IGNORECASE):
            return None, False, None  # "i'll set a reminder so we can say it again next year": a note to self
        if (
            verb == "watch"
            and re.match(
                r"^watch\s+(?:it|that|this|them|the\s+(?:show|movie|film|episode|ep|season|finale|trailer|match|game|replay|series))\b",
                text,
                re.IGNORECASE,
            )
            and not asked_of(owner_id, addressee)
        ):
            return None, False, None  # "ok i'll watch it this weekend": a film or a game to enjoy, not work
        if (
            verb == "watch"
            and (owner_id is None or not asked_of(owner_id, addressee))
            and re.search(r"\b(?:ep\s?\d+|episodes?|season|movies?|films?|shows?|anime|trailer|me)\b", text, re.IGNORECASE)
        ):
            return None, False, None  # "gonna watch frieren ep1 now", "if anyone wants to watch me die": viewing, not work
        if re.match(r"^(?:carry|duo|queue)\b[^.?!]*\b(?:ranked|comp|duos?|queue)\b", text, re.IGNORECASE):
            return None, False, None  # "can you carry me in ranked tonight": a game to play together
        if (
            owner_id is not None
            and not asked_of(owner_id, addressee)
            and re.match(r"^(?:grab|pick up|collect|get)\s+my\s+\w+", text, re.IGNORECASE)
            and not re.search(r"\b(?:for|to)\s+(?:the|you|us|everyone|them)\b", text, re.IGNORECASE)
        ):
            return None, False, None  # "gonna grab my dunks from the post office at lunch": the speaker's own errand
        if not asked_of(owner_id, addressee) and re.match(
            r"^listen\s+to\s+(?:it|that|this|them|the\s+(?:album|song|track|record|ep|mix|playlist|[\w-]+\s+(?:thing|album|song|track)))\b",
            text,
            re.IGNORECASE,
        ):
            return None, False, None  # "I'll listen to the geese thing later": music to enjoy
        if not asked_of(owner_id, addressee) and re.match(
            r"^give\s+(?:it|them|the show|the series)\s+(?:another|a|one more)\s+(?:episode|ep|season|watch|listen|go)\b",
            text,
            re.IGNORECASE,
        ):
            return None, False, None  # "I'll give it another episode before deciding": a viewer's plan
        if re.search(r"\band\s+(?:" + "|".join(sorted(HOBBY_VERBS)) + r")\b", text, re.IGNORECASE) or re.match(
            r"^cook\s+something\b", text, re.IGNORECASE
        ):
            return None, False, None  # "gonna make pasta and cry about the bear", "gonna cook something tonight" (a beat)
        if re.search(r"\b(?:brb|afk|bbl|bbiab)\b", rest, re.IGNORECASE):
            return None, False, None  # "gonna grab an açaí brb": stepping away, not work
        if ASKED_TO_BE_TOLD.match(text):
            return None, False, None  # "ping me when the form draft is ready", "let me know": asking to be told
        if re.match(r"^(?:get back to|keep you|let you|talk to you|see you|catch you)", text, re.IGNORECASE):
            return None, False, None
        if re.match(r"^(?:be\s+)?refresh(?:ing)?\s+(?:the\s+)?(?:app|feed|scores?|stream|twitter|timeline)\b", text, re.IGNORECASE):
            return None, False, None  # "i'll be refreshing the app in the loading bay": following the news
        if re.match(r"^[a-z]+\s+\d+[a-z]?\s+(?:still|is|are|has|uses|looks|needs|was|shows|seems)\b", text, re.IGNORECASE):
            return None, False, None  # "@marco Figure 3 still uses the old normalization": a statement about figure 3
        if re.match(r"^(?:back|pull|drop|bow)\s+out\b", text, re.IGNORECASE):
            return None, False, None  # "I have to back out of driving": leaving work, not taking it
        if HEDGES.search(" ".join(tokens[:3])):
            return None, False, None
        if re.search(r"\bif (?:i|we) (?:have|get|find) (?:the |a |some )?(?:time|chance|minute|sec)\b", rest, re.IGNORECASE):
            return None, False, None
        if not letting_in and not _looks_like_verb(verb):
            return None, False, None
        rest_tokens = tokens[1:]
        # A leisure word as the thing itself ("grab lunch"), not as a modifier ("write the show notes").
        leisure = [t for i, t in enumerate(rest_tokens) if t in LEISURE_WORDS and not _modifies_next(rest_tokens, i)]
        # "someone else do drinks pls": for the group it is work; "I'll grab a drink" is the speaker's own break.
        for_the_group = (
            owner_id is None
            or owner_id == addressee.addressee_id
            or verb in ("bring", "provide", "cater")
            # "can you book the dinner?" refused -> "ugh ok fine i'll do dinner": the dinner is already the group's business.
            or self._refused_request(rendered.record, text) is not None
        )
        # "update the calendar series", "edit the show page": work on the thing, not the pastime.
        editing = verb in ("update", "edit", "fix", "write", "send", "schedule", "reschedule", "move", "post", "pin", "share", "set")
        if verb == "take" and re.match(
            r"^(?:the\s+)?(?:couch|sofa|air mattress|top bunk|bottom bunk|floor|spare room)\b", " ".join(rest_tokens)
        ):
            return None, False, None  # "i'll take the couch if needed": where to sleep
        if leisure and len(rest_tokens) <= 4 and not for_the_group and not editing:
            return None, False, None
        if re.match(r"^\w+\s+(?:anyone|anybody|everyone|whoever)\s+(?:who|that)\b", " ".join(tokens), re.IGNORECASE):
            return None, False, None  # "I'll fight anyone who says candy corn is good"
        objects = [token for token in rest_tokens if token not in ("a", "an", "the", "some", "my", "more")]
        asked = owner_id is not None and owner_id == addressee.addressee_id  # "@marek replay the DLQ uploads": asked of someone
        if (verb in HOBBY_VERBS and not asked) or (
            objects[:1] and objects[0] in LEISURE_WORDS and not _modifies_next(objects, 0) and not for_the_group
        ):
            return None, False, None  # "I'm going to reread it over the summer", "gonna make tea and cry"
        if not rest_tokens and verb not in ACTION_VERBS and base_form(verb) not in ACTION_VERBS:
            return None, False, None  # "sure I'll sub": a bare verb that names no work
        if (
            verb in ALWAYS_PERSONAL_VERBS
            or (verb in TRADE_VERBS and (set(words(rest)) & MARKET_WORDS or self.board.market_channel))
            # "im gonna grab some calls before close": options bought, in a market channel
            or (
                verb in ("grab", "get", "pick", "load", "scoop", "snag")
                and self.board.market_channel
                and set(words(rest)) & {"calls", "puts", "shares", "options", "leaps", "contracts", "stock", "stocks", "coins"}
            )
            or (verb in LINEUP_VERBS and self.board.fantasy_channel)
            or (verb in MONITOR_VERBS and (set(words(rest)) & (MARKET_WORDS | MARKET_SESSION_WORDS) or self.board.market_channel))
        ):
            return None, False, None  # "I'll buy the dip if it hits 160": a member's own money
        meaningful = [t for t in rest_tokens if t not in PRONOUN_OBJECTS and t not in STOPWORDS]
        if verb in ("pay", "transfer", "venmo", "reimburse", "repay", "refund", "paypal") and rest_tokens[:1] in (["you"], ["u"]):
            meaningful = rest_tokens[:1]  # "@greg i'll transfer you when i'm back monday": whom the money goes to
        pronoun_only = not meaningful
        if len(tokens) > MAX_TASK_WORDS:
            text = " ".join(text.split()[:MAX_TASK_WORDS])
        # "i can grab that sample for you after lunch june": the name at the end is whom it is said to.
        tail = re.search(r"(?<![\w@])(?P<before>\w+)\s+(?P<name>[a-z][\w-]*)\W*$", text, re.IGNORECASE)
        if tail and tail.group("before").lower() not in TAIL_PREPOSITIONS and self.people.handle_id(tail.group("name"), rendered):
            text = text[: tail.start("name")].rstrip()
        text = self.people.rewrite(text, rendered, owner_id=owner_id, addressee=addressee)
        return capitalize(text.strip()), pronoun_only, due

    def _antecedent(self, message: MessageRecord, answered: Draft | None, text: str = "") -> Draft | None:
        """The request a pronoun commitment ("I'll do it", "I'll take it") refers to."""
        if answered is not None:
            return answered
        if message.reply_to_id:
            replied = [d for d in self.board.drafts if message.reply_to_id in d.sources and d.status == "open"]
            # "ok I'll take the demo video" in reply to a checklist: the item it names, or the speaker's own one.
            mine = [d for d in replied if d.owner_id == message.author_id]
            named = [d for d in replied if text and self.board.overlap(d, text, with_verbs=False) >= 1]
            if len(replied) > 1 and text and not named and not mine and not _pronouns(text) & PRONOUN_OBJECTS:
                return None
            if named or mine or replied:
                return (named or mine or replied)[-1]
            if message.reply_to_id in self.board.by_id:
                return None  # "i've got it in my shed, i'll drop it off friday": "it" is in the message replied to
        # "mxrk ping me when the draft is ready" -> "will do 👍": said to them just now, not an older open ask.
        said_to = self.board.just_said_to(message, self.people.names_member)
        for draft in reversed(self.board.drafts):
            if self.board.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                break
            if draft.status != "open" or draft.kind != "request" or draft.tentative:
                continue
            if draft.owner_id == message.author_id and not draft.refused:
                return draft
            # "not me sorry. carol?" / "im kinda useless with the regex stuff tbh. reo?" -> "yea I'll do it": the owner
            # passing it on is what was said to them.
            passed_on = said_to is not None and said_to.author_id == draft.owner_id and (draft.refused or self._passes_on(said_to, message))
            if passed_on:
                return draft
            if said_to is not None and said_to.id not in draft.sources:
                continue
            # whoever asked may take back a task its owner gave up
            if (draft.owner_id is None or draft.refused) and (draft.requester_id != message.author_id or draft.refused or draft.given_up):
                # "do we still want the big room on thursdays? I'll book it for noon if so": "it" is what the speaker
                # just said, not an older open need.
                said_before = sentences(render(message).text)[:-1]
                asked_first = said_before and said_before[-1].rstrip().endswith("?") and len(content_stems(said_before[-1])) >= 2
                if asked_first and text and self.board.overlap(draft, said_before[-1], with_verbs=False) < 1:
                    continue
                return draft
        # "could @elif do it?" from the task's owner, in reply to the request that gave it to them: "yeah i can do it".
        asked = self.board.messages[self.board.index - 1] if self.board.index > 0 else None
        if asked is not None and message.author_id in asked.mention_ids and asked.reply_to_id:
            for draft in reversed(self.board.drafts):
                if draft.live and draft.owner_id == asked.author_id and asked.reply_to_id in draft.sources:
                    return draft
        return None

    def _same_verb_said(self, message: MessageRecord, text: str) -> str | None:
        """The work "one" stands for when someone else just said the same verb with its object ("also someone should
        book a study room for monday" -> "i'll book one"): "Book a study room for monday"."""
        verb = base_form(words(text)[0]) if words(text) else ""
        if verb not in ACTION_VERBS or verb in ("do", "get", "take", "make", "have"):
            return None
        for earlier in reversed(self.board.messages[max(0, self.board.index - 3) : self.board.index]):
            if earlier.author_id == message.author_id:
                continue
            for sentence in sentences(render(earlier).text):
                said = re.search(r"\b" + re.escape(verb) + r"\s+(?:a|an|the|some)\s+[^.?!]+", sentence, re.IGNORECASE)
                if said and not NEGATION.search(sentence):
                    return capitalize(TRAILING_FILLER.sub("", said.group(0)).strip())
        return None

    def _passes_on(self, said: MessageRecord, to: MessageRecord) -> bool:
        """Whether `said` ends by asking `to`'s author, by name ("... tbh. reo?", "not this week 😭 @wiktor u can?"):
        handing the work to them."""
        shown = render(said)
        last = (sentences(shown.text) or [""])[-1]
        if not last.rstrip().endswith("?") or len(words(last)) > 4:
            return False  # a short question: "reo?", "@wiktor u can?", not "@yuki you're writing the guide right?"
        return any(
            (found := self.people.handle_id(name, shown)) is not None and found[0] == to.author_id
            for name in re.findall(r"@?([A-Za-z][\w'-]*)", last)
        )

    def _add_commitment(self, rendered, clause, text, pronoun_only, due, answered) -> None:
        message = rendered.record
        if due is not None and HAVE_READY.match(text):
            # "I'll have it demo-ready by 6pm", "I'll have a first draft of the tables by the weekend": a deadline
            # for work the speaker already has, not new work.
            own = self._own_task_for_deadline(rendered, text)
            if own is not None:
                own.due = due
                self.board.touch(own, message)
                return
        has_pronoun = bool(_pronouns(text) & PRONOUN_OBJECTS)
        target = None
        if pronoun_only or has_pronoun or answered is not None:
            target = self._antecedent(message, answered, text)
            # "yes! I'll message her tonight" answers the request; a different piece of work does not.
            if (
                target is not None
                and not (pronoun_only or has_pronoun)
                and answered is not None
                and self.board.overlap(target, text) < 1
                and (not self._same_message(target, answered) or self._named_before(rendered, clause, target))
            ):
                target = None
            generic = words(text)[:1] in (
                ["do"],
                ["take"],
                ["handle"],
                ["get"],
                ["sort"],
                ["help"],
                ["confirm"],
                ["check"],
                ["look"],
                ["ask"],
                ["try"],
                ["fix"],
            )
            if target is not None and pronoun_only and not has_pronoun and not generic and self.board.overlap(target, text) < 1:
                # "need drivers, snacks, and someone to wash the kit" -> "i can drive!": a bare verb names other work.
                target = None
            if (
                target is not None
                and target.refused
                and target.owner_id != message.author_id
                and not generic
                and self.board.overlap(target, text) < 2
            ):
                target = None  # "i'll book one" is not the past paper someone else turned down
        restated = re.search(r"\bas (?:planned|promised|agreed|discussed|i said)\b", text, re.IGNORECASE)
        if target is None and (has_pronoun or pronoun_only or restated):
            # "postmortem doc created, I'll have the draft ready by thursday as planned": the task the message names.
            target = self._own_task_in_message(message.author_id, rendered.text)
        if (
            target is not None
            and target.owner_id not in (None, message.author_id)
            and not target.refused
            and not target.given_up
            and (re.search(r"\b(?:you|u|ya)\b", text, re.IGNORECASE))
        ):
            target = None  # "I can walk u thru it thurs": helping the owner, not taking their task over
        if (
            target is not None
            and target.owner_id not in (None, message.author_id)
            and not target.refused
            and not target.given_up
            and not generic
            and self.board.overlap(target, text) < 1
        ):
            target = None  # "i'll send the invoice tonight" -> "i'll pay it as soon as it comes": other work on the same thing
        if target is None:
            target = self._same_task(message.author_id, text, message.id)
        by_ticket = False
        if target is None:
            target = self._same_ticket(text, message.id)  # "I take 412": the ticket's task, whoever had it
            by_ticket = target is not None
        if target is None:
            target = self._refused_request(message, text)
        if target is None:
            target = self._unowned_named(message, text)
        if target is not None:
            if (
                (target is answered or target.owner_id is None)
                and not (pronoun_only or has_pronoun)
                and self.board.overlap(target, text) < 1
            ):
                target.also.append(text)  # "I'll ask the host" for "can someone check if the cottage has wifi?"
            if target.owner_id != message.author_id:
                kind = "claimed" if target.owner_id is None or target.refused else "reassigned"
                target.owner_id, target.owner_name = message.author_id, message.author_name
                target.refused = False
                target.changes.append(self.board.change(kind, message, target))
            target.answered = True
            if due is not None and not (by_ticket and target.due is not None):
                target.due = due  # (a later stand-up line on the same ticket keeps its deadline)
            self.board.touch(target, message)
            return
        if pronoun_only and not has_pronoun and base_form(words(text)[0]) in DEPARTURE_VERBS:
            if base_form(words(text)[0]) == "drive" and self._drivers_wanted(message):
                # "I'll also need 4-5 parent drivers" -> "I can drive. minivan, room for 4 kids": driving is the work.
                self.board.drafts.append(
                    self._new("commitment", text, (message.author_id, message.author_name), None, due, rendered, clause)
                )
            return
        if pronoun_only and self._just_called_off():
            return  # "nvm the falls sheets, they've gone electronic" -> "less paper, i'll take it": taking the news
        if has_pronoun or pronoun_only:
            # "I'll look into it" after "the login page is broken on safari": say what "it" is.
            # "grab one" is about a thing, not about the last message.
            # "collect the permission slips and get them to the front office": "them" is named before it.
            first_pronoun = next((i for i, w in enumerate(words(text)) if w in CONTEXT_PRONOUNS), None)
            named_first = (
                first_pronoun is not None and len(content_stems(" ".join(words(text)[1:first_pronoun])) - _GENERIC_VERB_STEMS) >= 2
            )
            context = (
                self._context(message, clause.raw) if (_pronouns(text) & CONTEXT_PRONOUNS or not has_pronoun) and not named_first else None
            )
            said = self._same_verb_said(message, text) if context is None and pronoun_only else None
            if said is not None:
                # "someone should book a study room for monday" -> "i'll book one": "Book a study room for monday".
                self.board.drafts.append(
                    self._new("commitment", said, (message.author_id, message.author_name), None, due, rendered, clause)
                )
                return
            if context and pronoun_only and ASKED_TO_BE_TOLD.match(context):
                return  # "@dan ping me when the draft is ready" -> "will do 👍": agreeing to tell, not work
            if context:
                # "deck's at 8 slides, I'll finish it tonight": "it" is a task the speaker already has.
                known = self._own_task_named(message.author_id, context)
                replied = self._said_before(message)
                asks_more = replied is not None and re.search(
                    r"\b(?:one more|another|extra|also|as well|i'd like|id like|we need)\b", render(replied).text, re.IGNORECASE
                )
                if known is None and replied is not None and not asks_more:
                    # "we have a kraft box in the closet no? shoot it on the lightbox" -> "will shoot it this arvo": the
                    # whole message replied to may name the speaker's task ("box mockup in kraft"), unless it asks for
                    # more ("one more: two extra problems on heaps for the review?" is not the review).
                    known = self._own_task_named(message.author_id, render(replied).text)
                if known is not None:
                    if due is not None:
                        known.due = due
                    self.board.touch(known, message)
                    return
                text = f"{text}{CONTEXT_NOTE}{context})"
                due = due or self._deadline_in(context, message)
            elif pronoun_only:
                return
        label = re.match(r"^\W*(?P<topic>[\w' -]{2,30}?)\s*:\s+\S", rendered.text)
        under_label = (
            [
                d
                for d in self.board.open_drafts(owner_id=message.author_id)
                if d.sources[0] != message.id and content_stems(label.group("topic")) & content_stems(d.plain_text)
            ]
            if label and not has_pronoun and not pronoun_only
            else []
        )
        if len(under_label) == 1 and not DAY_PREFIX.match(rendered.text) and not LIST_PREFIX.match(rendered.text):
            # "ben tables" then ben's "tables: we've got 8, need 10. i'll ask st mark's if we can borrow 2": how he does it.
            under_label[0].also.append(text)
            if due is not None:
                under_label[0].due = due
            self.board.touch(under_label[0], message)
            return
        self.board.drafts.append(self._new("commitment", text, (message.author_id, message.author_name), None, due, rendered, clause))

    def _deadline_for_own_work(self, rendered: RenderedMessage, clause: Clause) -> bool:
        """ "show notes will be done by friday" from whoever has the show notes: that task's deadline."""
        match = WILL_BE_READY.match(clause.text)
        if not match:
            return False
        # The deadline right after it ("will be done by friday"), not a date in the next clause ("..., running today").
        said = re.split(r"[,;]|\s+(?:but|and|so|because|bc|since)\s+", clause.text[match.end() :], maxsplit=1)[0]
        due = find_due(said, rendered.record.created_at, self.board.tz)
        own = self._own_task_for_deadline(rendered, match.group("thing")) if due is not None else None
        if own is None:
            return False
        own.due = due
        self.board.touch(own, rendered.record)
        return True

    def _own_task_for_deadline(self, rendered: RenderedMessage, text: str) -> Draft | None:
        """The speaker's open task a "I'll have X ready by ..." is about: the one its words name, else their only one."""
        own = [d for d in self.board.open_drafts(owner_id=rendered.record.author_id) if not d.tentative]
        said = content_stems(f"{text} {rendered.text}") - {"have", "ready", "done", "draft", "first"}
        named = [d for d in own if content_stems(f"{d.text} {d.evidence}") & said]
        if len(named) == 1:
            return named[0]
        # "@yuki you're writing the migration guide right?" "yep, will have it ready next sprint": the answer is about
        # what was just asked, not the speaker's other task.
        index = self.board.index
        before = self.board.messages[index - 1] if index > 0 else None
        asked = before is not None and rendered.record.author_id in before.mention_ids and "?" in before.content
        return own[0] if len(own) == 1 and not named and not asked else None

    def _just_called_off(self) -> bool:
        """Whether the message before this one called a task off."""
        index = self.board.index
        return index > 0 and self.board.called_off_by(self.board.messages[index - 1].id)

    def _unowned_named(self, message: MessageRecord, text: str) -> Draft | None:
        """ "I have the truck, I'll do the friday pickup" after "someone to pick up the turkey donation": taking the need on.

        A promise in reply to the ask takes it on however late and in whatever words ("can someone update it before
        print?" -> "i'll fix the masthead tonight")."""
        for draft in reversed(self.board.drafts):
            if (
                message.reply_to_id in draft.sources
                and draft.kind == "request"
                and draft.owner_id is None
                and draft.live
                and draft.requester_id != message.author_id
                and not self.board.one_of_several(draft, text)
            ):
                return draft
        for draft in reversed(self.board.drafts):
            if self.board.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                break
            if draft.kind != "request" or draft.owner_id is not None or not draft.live or draft.requester_id == message.author_id:
                continue
            if message.created_at - draft.said_at <= RESPONSE_WINDOW and self.board.overlap(draft, text, with_verbs=False) >= 1:
                return draft
        return None

    def _own_task_named(self, owner_id: int, context: str) -> Draft | None:
        # Asked about it again ("did u sign us up yet?"), a task taken on as "I'll do it" is named by what "it" was
        # ("Do it (re: ur captain, sign us up)").
        again = re.search(r"\b(?:yet|did (?:you|u)|have (?:you|u)|any (?:news|update))\b", context, re.IGNORECASE)
        named = [
            d
            for d in self.board.open_drafts(owner_id=owner_id)
            if content_stems(d.text if again and not content_stems(d.plain_text) - _GENERIC_VERB_STEMS else d.plain_text)
            & content_stems(context)
        ]
        return named[-1] if len(named) == 1 else None

    def _context(self, message: MessageRecord, sentence: str = "") -> str | None:
        """A few words of what "it" is: what the same sentence says before, the words of an earlier message
        addressed to the speaker, the speaker's own previous sentence, or the replied-to or last message by someone else."""
        own = sentences(render(message).text)
        holder = next((part for part in own if sentence and sentence in part and part.index(sentence) > 0), None)
        promise = COMMITMENT.search(sentence)
        if holder is None and promise is not None and promise.start() > 0:
            # "design gave me the new token, i'll swap it in": the same sentence says what "it" is, before the promise.
            holder, sentence = sentence, sentence[promise.start() :]
        if holder is not None:
            # "#2295 the windows installer thing: @tomas could you reproduce it?": what comes before in the sentence;
            # "Catering headcount: I'll finalize it myself": a topic label is enough.
            head = holder[: holder.index(sentence)]
            mine = _snippet(re.sub(r"[\s:,;-]+$", "", head))
            if mine and _names_something(head) and (len(mine.split()) >= 3 or head.rstrip().endswith(":")):
                return mine
        previous = self._said_before(message)
        if previous is not None and message.created_at - previous.created_at > RESPONSE_WINDOW:
            previous = None
        parts = sentences(render(previous).text) if previous is not None else []
        me = "@" + handle(message.author_name).lower()
        # "@vitor ur captain, sign us up?": from the words to the speaker to the end of that sentence.
        addressed = [part[part.lower().index(me) :] for part in parts if me in part.lower()]
        addressed = [a if len(a.split()) <= CONTEXT_WORDS + 1 else re.split(r",\s+", a)[0] for a in addressed]
        if addressed:
            # "@june csv export needs to be in the demo friday" -> "realistic if the sample looks normal. i'll have it behind a flag"
            return _snippet(addressed[-1])
        before_mine = own[own.index(sentence) - 1] if sentence in own and own.index(sentence) > 0 else ""
        chosen = re.match(r"^\W*(?:ok\W+|so\W+)?(?P<x>[\w'&-]+(?:\s+[\w'&-]+){0,3}?)\s+(?:then|it is)\W*$", before_mine, re.IGNORECASE)
        if chosen and _names_something(chosen.group("x")):
            return chosen.group("x")  # "kingsway then. @olu can you book it?": the choice just made
        # "I'm home tuesday morning, I'll let them in": a sentence of times and places names no "them".
        if before_mine and _names_something(before_mine):
            mine = _snippet(before_mine)
            # "cover seps — i can do them": a topic set off by a dash is enough.
            topic = mine is not None and re.search(re.escape(mine) + r"\s*[\u2014\u2013]", render(message).text) is not None
            if mine and (len(mine.split()) >= 3 or topic):
                return mine
        if not parts:
            return None
        last = parts[-1]
        # "the raised beds arrived!! they're stacked by the shed": the sentence before says what "they" are.
        if len(last.split()) < 4 or (
            len(parts) > 1 and re.match(r"^(?:they|they're|it|it's|its|those|these|that|this)\b", last, re.IGNORECASE)
        ):
            return _snippet(" ".join(parts[-2:]))
        return _snippet(last)

    def _said_before(self, message: MessageRecord) -> MessageRecord | None:
        """The message this one answers: the one it replies to, or the last of the three before it by someone else."""
        if message.reply_to_id and message.reply_to_id in self.board.by_id:
            return self.board.by_id[message.reply_to_id]
        earlier = self.board.messages[max(0, self.board.index - 3) : self.board.index]
        return next((m for m in reversed(earlier) if m.author_id != message.author_id), None)

    def _own_task_in_message(self, owner_id: int, text: str) -> Draft | None:
        """ "bibs won't be ready until wednesday, I'll get them wednesday": the task the rest of the message names."""
        best, best_score = None, 0
        for draft in self.board.drafts:
            if draft.owner_id != owner_id or draft.status == "done":
                continue
            # The words it was given in count too: "write the postmortem, draft by thursday" has a draft.
            score = len(content_stems(f"{draft.text} {draft.evidence}") & content_stems(text))
            if score > best_score:
                best, best_score = draft, score
        return best if best_score >= 2 else None

    def _refused_request(self, message: MessageRecord, text: str) -> Draft | None:
        """ "can't this saturday, sorry" then "I'll do the bakery pickup" from someone else: they take the request over."""
        for draft in reversed(self.board.drafts):
            if self.board.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                break
            if not (draft.refused and draft.status == "open" and draft.kind == "request"):
                continue
            if draft.requester_id == message.author_id:
                # "fair, I'll write it myself": whoever asked takes the refused request back.
                # "ugh ok fine i'll do dinner": or names it, right after the refusal.
                named = len(content_stems(draft.text) & content_stems(text)) >= 1
                if (re.search(r"\bmyself\b", text, re.IGNORECASE) or named) and self.board.index - draft.last_index <= 3:
                    return draft
                continue
            # "I can do the advisory" takes "draft the GHSA advisory"; "I'll rent the fog machine for act 3" does not take
            # "build the garden bench for act 2".
            generic = words(text)[:1] in (["do"], ["take"], ["handle"], ["cover"], ["grab"])
            if self.board.overlap(draft, text) >= 2 or generic and len(content_stems(draft.text) & content_stems(text)) >= 1:
                return draft
        return None

    def _named_before(self, rendered: RenderedMessage, clause: Clause, target: Draft) -> bool:
        """ "Yes, happy to present. I'll circulate slides the day before.": the acceptance named the work, so the next
        promise is more work."""
        start = rendered.text.find(clause.raw)
        return start > 0 and self.board.overlap(target, rendered.text[:start], context=False) >= 1

    @staticmethod
    def _same_message(target: Draft, answered: Draft | None) -> bool:
        return answered is not None and target is answered

    def _same_task(self, owner_id: int | None, text: str, message_id: int | None = None) -> Draft | None:
        """An open task of the same person that this sentence repeats ("I'll do the logo export" after "@kai please export the logo").

        Tasks started by the same message (`message_id`) are its other items, never repeats."""
        best, best_score = None, 0
        for draft in self.board.open_drafts():
            if draft.owner_id != owner_id or draft.tentative or draft.sources[0] == message_id:
                continue
            score = len((content_stems(draft.text) & content_stems(text)) - {"take", "do", "make", "get"})
            first = words(text)[:1]
            if score and first and draft.verb and base_form(first[0]) in verb_group(draft.verb):
                score += 1  # "get the badges" repeats "pick up the badges"
            elif first and draft.verb and _distinct_acts(first[0], draft.verb) and score < 3:
                continue  # "add disk alerts on the data nodes" after "check the disk on the data nodes": new work
                # (three shared words are the same work: "reconcile captured payments vs orders" for "check whether
                # any payments got captured without an order")
            if score and draft.verb == "do" and content_stems(draft.plain_text) - {"do"} <= content_stems(text):
                score = max(score, 2)  # "marco does flights" then marco's "i'll look at flights tonight": that piece
            if score > best_score:
                best, best_score = draft, score
        return best if best_score >= 2 else None

    def _drivers_wanted(self, message: MessageRecord, *, anyone: bool = False) -> bool:
        """Whether someone else (`anyone`: or the speaker) asked for drivers or a lift lately, or drivers were talked
        about ("I'll need 4-5 parent drivers", "I have to back out of driving")."""
        recent = self.board.messages[max(0, self.board.index - 12) : self.board.index + (1 if anyone else 0)]
        return any(
            (anyone or m.author_id != message.author_id)
            and re.search(r"\b(?:drivers?|driving|lifts?|carpools?|rides?|drive|one more car)\b", m.content or "", re.IGNORECASE)
            for m in recent
        )

    def _restated(self, owner_id: int, item: str, message_id: int) -> Draft | None:
        """The owner's open task that a piece of a split names ("ch17-18" for "ill do the aromatic stuff, ch 17-18")."""
        said = stems_and_numbers(item) - _GENERIC_VERB_STEMS
        for draft in reversed(self.board.open_drafts(owner_id=owner_id)):
            if draft.sources[0] != message_id and said & (stems_and_numbers(f"{draft.plain_text} {draft.evidence}") - _GENERIC_VERB_STEMS):
                return draft
        return None

    def _ticket_trade(self, rendered: RenderedMessage, clause: Clause, answered: Draft | None) -> bool:
        """ "I take 412, you take 415?" (a swap, in reply to whoever had 412): each ticket goes to whom the part names."""
        message = rendered.record
        replied = self.board.by_id.get(message.reply_to_id) if message.reply_to_id else None
        parts = [_TICKET_TAKE.match(part) for part in re.split(r",\s*|\s+and\s+|;\s*", clause.raw.strip().rstrip("?!. "))]
        if not parts or not all(parts):
            return False
        for part in parts:
            assert part is not None
            if part.group("who").lower() == "i":
                owner = (message.author_id, message.author_name)
            elif clause.addressee_id and clause.addressee_name:
                owner = (clause.addressee_id, clause.addressee_name)
            elif replied is not None and replied.author_id != message.author_id:
                owner = (replied.author_id, replied.author_name)
            else:
                return False
            thing = part.group("thing")
            draft = next((d for d in reversed(self.board.open_drafts()) if d.names_ticket(ticket_numbers(thing))), None)
            if draft is None:
                kind = "commitment" if owner[0] == message.author_id else "request"
                self._add(
                    rendered,
                    replace(clause, addressee_id=owner[0], addressee_name=owner[1]),
                    kind,
                    owner,
                    f"take {thing}",
                    answered,
                    None,
                    False,
                )
            elif draft.owner_id != owner[0]:
                draft.owner_id, draft.owner_name = owner
                draft.changes.append(self.board.change("reassigned", message, draft))
                self.board.touch(draft, message)
        return True

    def _same_ticket(self, text: str, message_id: int) -> Draft | None:
        """The open task that names the same ticket as this sentence ("I take 412" for "starting PAY-412"), unless the
        sentence is another kind of work on it ("review #412" is not "fix #412")."""
        numbers = ticket_numbers(text)
        first = words(text)[:1]
        if not numbers or re.search(r"\b(?:pair|pairing|help|helping|review|reviewing)\b", text, re.IGNORECASE):
            return None  # "pair w priya on the 412 queue test": helping with it, not taking it
        for draft in reversed(self.board.open_drafts()):
            if draft.tentative or draft.sources[0] == message_id or not draft.names_ticket(numbers):
                continue
            if first and draft.verb and _distinct_acts(first[0], draft.verb):
                continue
            return draft
        return None

    def _add_request(self, rendered, clause, owner, text, pronoun_only, due) -> None:
        message = rendered.record
        owner_id = owner[0] if owner else None
        if pronoun_only:
            # "we need to turn on X, can someone do that tonight?": the same need, now with a deadline.
            for draft in reversed(self.board.drafts):
                if message.id in draft.sources and draft.status == "open":
                    if due is not None:
                        draft.due = due
                    if owner_id and draft.owner_id is None:
                        draft.owner_id, draft.owner_name = owner
                    return
        same = self._same_task(owner_id, text, message.id) if owner_id else None
        ticket = self._same_ticket(text, message.id) if owner and same is None else None
        if ticket is not None and owner and ticket.owner_id != owner_id:
            # "I take 412, you take 415?": the ticket someone else had, handed to whoever is asked.
            self._hand_over(ticket, owner, message, due)
            return
        same = same or ticket
        if same is not None:
            if due is not None:
                same.due = due
            self.board.touch(same, message)
            return
        handed = self._own_task_handed_on(message, text) if owner_id and owner_id != message.author_id else None
        if handed is not None and owner:
            # "got pulled to help in resus. @ben can u send the supplies order?": the speaker's task, handed to ben.
            self._hand_over(handed, owner, message, due)
            return
        asked_for = self._need_just_asked(rendered, text) if owner else None
        if asked_for is not None and owner:
            # "who's booking the bus?" -> "@carlos you did the bus last year, can you call first student again?"
            asked_for.owner_id, asked_for.owner_name = owner
            asked_for.requester_id = message.author_id
            asked_for.also.append(text)
            asked_for.changes.append(self.board.change("reassigned", message, asked_for))
            if due is not None:
                asked_for.due = due
            self.board.touch(asked_for, message)
            return
        if pronoun_only and not owner_id:
            # "we're out of dish soap. someone pls grab some": the need is the sentence before, in the same message.
            own = sentences(rendered.text)
            need = own[own.index(clause.raw) - 1] if clause.raw in own and own.index(clause.raw) > 0 else ""
            if base_form(words(text)[0]) == "drive" and self._drivers_wanted(message, anyone=True):
                # "Greg backed out. Can someone else drive? We need one more car": driving is the work.
                self.board.drafts.append(self._new("request", text, owner, message.author_id, due, rendered, clause))
                return
            if not NEED_STATED.search(need):
                return
            text = f"{text}{CONTEXT_NOTE}{_snippet(need) or need})"
            self.board.drafts.append(self._new("request", text, owner, message.author_id, due, rendered, clause))
            return
        has_pronoun = bool(_pronouns(text) & CONTEXT_PRONOUNS)
        released = self._released_task() if owner and has_pronoun else None
        if released is None and owner and has_pronoun and message.reply_to_id:
            # "I'm slammed, could @elif do it?" in reply to the request that gave the speaker the task: passing it on.
            released = next(
                (d for d in reversed(self.board.drafts) if d.live and d.owner_id == message.author_id and message.reply_to_id in d.sources),
                None,
            )
        if released is not None:
            # "can you hand the windows installer to someone else?" then "@tomas can you pair with sadie on it?"
            self._hand_over(released, owner, message, due)
            return
        if (has_pronoun or pronoun_only) and owner:
            context = self._context(message, clause.raw)
            if context:
                text = f"{text}{CONTEXT_NOTE}{context})"
                due = due or self._deadline_in(context, message)
        self.board.drafts.append(self._new("request", text, owner, message.author_id, due, rendered, clause))

    def _hand_over(self, draft: Draft, owner: tuple[int, str], message: MessageRecord, due: Due | None) -> None:
        """The task becomes a request from the speaker to `owner`, with the deadline this message gives it."""
        draft.owner_id, draft.owner_name = owner
        draft.kind, draft.answered, draft.requester_id = "request", False, message.author_id
        draft.changes.append(self.board.change("reassigned", message, draft))
        if due is not None:
            draft.due = due
        self.board.touch(draft, message)

    def _own_task_handed_on(self, message: MessageRecord, text: str) -> Draft | None:
        """The speaker's open task that a request to someone else names (two shared words, or the verb and one)."""
        generic = {"do", "handle", "take", "sort", "get"}
        first = words(text)[:1]
        verb = base_form(first[0]) if first else ""

        # "could you take the menu icons off me?": handing over, so one shared word is enough.
        me = "me|my plate|my hands|" + re.escape(handle(message.author_name))
        needed = 1 if re.search(rf"\boff (?:{me})\b|\bover from (?:{me})\b", text, re.IGNORECASE) else 2

        def same_work(draft: Draft) -> bool:
            same_act = verb in draft.acts or verb in generic or draft.verb in generic
            return same_act and self.board.overlap(draft, text, with_verbs=False, context=False) >= needed

        named = [d for d in self.board.open_drafts(owner_id=message.author_id) if not d.tentative and same_work(d)]
        return named[-1] if len(named) == 1 else None

    def _need_just_asked(self, rendered: RenderedMessage, text: str) -> Draft | None:
        """The need nobody owns, asked for in the last few messages, that this message (a request to someone) names."""
        for draft in reversed(self.board.drafts):
            if self.board.index - draft.created_index > 6:
                break
            unowned = draft.kind == "request" and draft.owner_id is None and draft.live and not draft.tentative
            if unowned and draft.sources[0] != rendered.record.id and self.board.overlap(draft, rendered.text, with_verbs=False) >= 1:
                return draft
        return None

    def _released_task(self) -> Draft | None:
        """The task its owner just gave up ("can you hand it to someone else?"), waiting for a new owner."""
        for draft in reversed(self.board.drafts):
            if self.board.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                break
            if draft.status == "open" and draft.owner_id is None and draft.given_up:
                return draft
        return None

    def _new(self, kind, text, owner, requester_id, due, rendered, clause) -> Draft:
        message = rendered.record
        if due is None:
            due = self._deadline_replied_to(message, text) or self._day_replied_to(message, text) or self.board.default_due
        return Draft(
            kind=kind,
            text=text,
            owner_id=owner[0] if owner else None,
            owner_name=owner[1] if owner else None,
            requester_id=requester_id,
            due=due,
            sources=[message.id],
            created_index=self.board.index,
            said_at=message.created_at,
            evidence=clause.raw,
            last_index=self.board.index,
        )

    def _deadline_in(self, context: str, message: MessageRecord) -> Due | None:
        """ "reg is £60/team, due by the 30th" -> "can you pay it from the soc account?": what "it" is says by when."""
        said = context.removesuffix(" ...")
        return find_due(said, message.created_at, self.board.tz) if DEADLINE_WORD.search(said) else None

    def _deadline_replied_to(self, message: MessageRecord, text: str) -> Due | None:
        """ "book it by wednesday, they fill up" -> "i'll book the skip": the deadline of the sentence answered, when it
        names the same work."""
        replied = self.board.by_id.get(message.reply_to_id) if message.reply_to_id else None
        if replied is None:
            return None
        # "@kabir fest is yours. by 6pm tmrw" -> "can do": a deadline sentence in a message to the speaker.
        to_speaker = message.author_id in replied.mention_ids
        first = words(text)[:1]
        group = verb_group(base_form(first[0])) if first else frozenset()
        for sentence in sentences(render(replied).text):
            if not DEADLINE_WORD.search(sentence):
                continue
            same_work = (
                content_stems(sentence) & content_stems(text)
                or any(base_form(t) in group for t in words(sentence))
                or (to_speaker and DEADLINE_SENTENCE.match(sentence))
            )
            due = find_due(sentence, replied.created_at, self.board.tz) if same_work else None
            if due is not None:
                return due
        return None

    def _day_replied_to(self, message: MessageRecord, text: str) -> Due | None:
        """ "ref sorted, phil, $40 cash, he'll be there 2:30 sunday" -> "i'll bring the cash for phil": the work is for the
        day the answered sentence names."""
        replied = self.board.by_id.get(message.reply_to_id) if message.reply_to_id else None
        if replied is None:
            return None
        for sentence in sentences(render(replied).text):
            if content_stems(sentence) & content_stems(text):
                due = find_due(sentence, replied.created_at, self.board.tz)
                if due is not None and due.at is not None:
                    return due
        return None


_WEEKDAYS = r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)"
_WEEKDAY_NAMES_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

# "Main actions:", "Action items -", "next steps:": the minutes' list of who does what follows.
ACTIONS_LABEL = (
    r"^\W*(?:(?:main|key|our)\s+)?(?:actions?(?:\s+items?)?|next\s+steps|to-?dos?|follow-?ups?)"
    r"(?:\s+(?:from|for)\s+[^:]{1,40})?\s*[:\-\u2013]\s*"
)


def _without_who(text: str) -> str:
    """ "(someone) else who knows japanese pick up the rest of ja" -> "pick up the rest of ja": who, then the work."""
    text = re.sub(r"^else\s+", "", text, flags=re.IGNORECASE)
    relative = re.match(r"^(?:who|that)\s+(?:knows?|speaks?|has|have|is|lives?|owns?|reads?|gets?)\s+", text, re.IGNORECASE)
    if relative is None:
        return text
    tokens = text[relative.end() :].split()
    for index, token in enumerate(tokens[1:5], start=1):
        if base_form(token.lower()) in ACTION_VERBS and not token.lower().endswith("s"):
            return " ".join(tokens[index:])
    return text


def asked_of(owner_id: int | None, addressee: Clause) -> bool:
    """Whether the work is asked of the person named ("@marek replay the DLQ uploads")."""
    return owner_id is not None and owner_id == addressee.addressee_id


# Words that open a sentence to someone without being the thing they are asked to do.
_NOT_IMPERATIVE = frozenset(
    [
        "once",
        "when",
        "if",
        "after",
        "before",
        "since",
        "until",
        "because",
        "also",
        "maybe",
        "just",
        "still",
        "then",
        "now",
        "only",
        "even",
        "again",
        "already",
        "really",
        "actually",
        "btw",
        "fyi",
        "re",
        "about",
        "for",
        "with",
        "from",
        "like",
        "what",
        "how",
        "why",
        "where",
        "who",
        "which",
        "whats",
        "hows",
        "thats",
        "its",
        "theres",
        "heres",
        "lol",
        "lmao",
        "omg",
        "idk",
        "ty",
        "thx",
        "thanks",
        "pls",
        "please",
        "sorry",
        "ok",
        "okay",
        "hey",
        "hi",
        "yo",
        "nice",
        "great",
        "cool",
        "good",
    ]
)
# "can you record a 30s screen capture?": an ask of its own, found by the request rules.
SECOND_PERSON_ASK = re.compile(r"\b(?:can|could|would|will)\s+(?:you|u)\b", re.IGNORECASE)


def _joking(raw: str) -> bool:
    """A laugh or a teasing idiom in the clause; one said in a later part, after the promise ("i'll take #415, i already
    wrote a script for it last year lol"), laughs at that part, not at the promise."""
    joke = JOKE.search(raw.lower())
    if joke is None:
        return False
    first = re.split(r",\s+|;\s+|\s+[\u2014-]\s+", raw, maxsplit=1)[0]
    promise = COMMITMENT.search(first) or REQUEST.search(first) or DIBS.match(first)
    return not (promise and joke.start() >= len(first) and len(words(first)) >= 3)


def _names_something(text: str) -> bool:
    """Whether the words say what, not only when and where ("I'm home tuesday morning" names nothing "them" could be)."""
    return bool(content_stems(text) - _TIME_AND_PLACE_STEMS)


def _opens_with_an_act(part: str) -> bool:
    """Whether a piece of a split opens with what to do ("swap the teal", "do ch8"), not only the thing ("wordmark heavier")."""
    first = words(part)[:1]
    return bool(first) and (
        first[0] == "do" or _looks_like_verb(first[0]) and first[0] not in STOPWORDS and base_form(first[0]) in ACTION_VERBS
    )


def _imperative(part: str) -> str:
    """ "runs the ablation", "fixes the build": a piece of a split said in the third person, as an instruction."""
    third = re.match(
        r"^(?P<verb>[a-z]+?)(?P<ending>es|s)(?=\s+(?:the|a|an|all|our|his|her|their|those|these|this|that|up|out|over|through)\b)", part
    )
    if third is None:
        return part
    for verb in (third.group("verb") + third.group("ending")[:-1], third.group("verb")):
        if verb in ACTION_VERBS and _looks_like_verb(verb):
            return verb + part[third.end() :]
    return part


def _bulleted(text: str, part: str) -> bool:
    """Whether `part` is an item of a bulleted or numbered list in `text`."""
    return any(re.match(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", line) and part in line for line in text.splitlines())


def _object_list(rest: str) -> list[str]:
    """ "handle the slides, the trailer script and the submission form" -> one phrase per object, each with the verb.

    Only a plain list of noun phrases after one verb: none of the items may start with a verb of its
    own ("fix the bug, then deploy") or a clause word, and the list must end in "and"/"&"/"+".
    """
    head = re.match(r"^\s*(?P<verb>[a-z][\w'-]*(?:\s+(?:up|out|over|on|through|together))?)\s+(?P<items>.+)$", rest, re.IGNORECASE)
    if not head or base_form(head.group("verb").split()[0]) not in ACTION_VERBS:
        return []
    body = re.split(
        r"[.!?;]|\s[\u2014\u2013-]\s|\s+(?:by|before|until|tonight|today|tomorrow)\b", head.group("items"), maxsplit=1, flags=re.IGNORECASE
    )
    items_text, tail = body[0], head.group("items")[len(body[0]) :]
    parts = [part.strip() for part in re.split(r",\s*(?:and\s+|&\s+)?|\s+(?:and|&|\+)\s+", items_text) if part.strip()]
    if len(parts) < 3 or not re.search(r"(?:\sand|&|\+)\s+\S+[^,]*$", items_text):
        return []
    if any(re.fullmatch(r"\d+", part) for part in parts):
        return []  # "i can take 2 + the goal bag and cones": two passengers, not a thing to take on its own
    for part in parts:
        tokens = words(part)
        if not tokens or len(tokens) > 5 or tokens[0] in ("i", "we", "you", "it", "then", "so", "but", "if", "because", "which", "that"):
            return []
        if (
            tokens[0] not in ("the", "a", "an", "my", "our", "their", "his", "her")
            and base_form(tokens[0]) in ACTION_VERBS
            and tokens[0] not in NOUN_LIKE_VERBS
        ):
            return []
    return [f"{head.group('verb')} {part}{tail}" for part in parts]


# Words that are verbs but usually nouns in a list of things: "the slides, demo video and devpost writeup".
NOUN_LIKE_VERBS = frozenset(
    {
        "demo",
        "design",
        "record",
        "plan",
        "report",
        "review",
        "draft",
        "export",
        "release",
        "sound",
        "music",
        "map",
        "quote",
        "list",
        "set",
        "test",
        "fix",
        "change",
        "update",
        "post",
        "note",
        "log",
        "file",
        "form",
        "order",
        "schedule",
        "stage",
        "store",
        "stream",
        "print",
        "script",
        "sketch",
        "package",
        "patch",
        "label",
        "host",
        "lead",
        "mock",
        "outline",
        "pitch",
        "book",
        "call",
        "copy",
        "cut",
        "email",
        "link",
        "load",
        "profile",
        "track",
        "train",
        "walk",
        "wire",
        "water",
        "welcome",
    }
)


# The deadline of every piece of a split: "by friday", "before the demo", "due thu apr 9".
_SPLIT_DEADLINE = re.compile(
    r"\b(?:by|before|until)\b|\bdue\s+(?:on\s+|by\s+)?(?=(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|tomorrow|tmrw|today|tonight|next|this|end)[a-z]*\b|\d)",
    re.IGNORECASE,
)


_INCIDENT_ROLE = re.compile(
    r"(?:the\s+)?(?:ops|incident|tech|technical|comms|communications)?\s*(?:lead|commander|ic|comms|communications|scribe|note-?taker|"
    r"liaison|on-?call|primary|secondary|backup)",
    re.IGNORECASE,
)


# "dibs on nmr/ir spectroscopy": taking a piece of the work.
DIBS = re.compile(r"^\W*(?:i\s+)?(?:call\s+|calling\s+)?dibs\s+(?:on\s+)?(?P<thing>[^,.!?;]*[a-z0-9][^,.!?;]*)", re.IGNORECASE)

# One part of a ticket swap: "I take 412", "you take PAY-415", "u grab #88".
_TICKET_TAKE = re.compile(
    r"^\W*(?:(?:ok|okay|so|then|honestly|yes|yeah|yep|sure|deal)\W+)*(?P<who>i|you|u)\s+(?:take|get|grab|do|have|own)\s+"
    r"(?P<thing>(?:[A-Za-z]{2,10}-|#)?\d{2,6})\W*$",
    re.IGNORECASE,
)


def _numbered_items(text: str) -> dict[int, str]:
    """The items of a numbered list ("1) wordmark heavier 2) swap the teal ..."), by number."""
    return {int(m.group(1)): m.group(2).strip(" ,;.") for m in re.finditer(r"(?:^|\s)(\d+)[.)]\s+(.*?)(?=\s+\d+[.)]\s|\n|$)", text)}


def _distinct_acts(verb: str, other: str) -> bool:
    """Two different kinds of work ("add" vs "check"); "do", "get", "take" and friends say nothing."""
    a, b = base_form(verb), base_form(other)
    generic = {"do", "get", "take", "make", "handle", "have", "go", "start", "finish", "try"}
    # The new sentence's verb must be a known one; the task's own verb is a verb whatever it is.
    if a in generic or b in generic or a not in ACTION_VERBS:
        return False
    return a not in verb_group(b)


def _looks_like_work(word: str) -> bool:
    return word.lower() in ACTION_VERBS or base_form(word) in ACTION_VERBS


def _looks_like_verb(word: str) -> bool:
    word = word.lower()
    if "-" in word and word.rsplit("-", 1)[-1] in ACTION_VERBS:
        return True  # "batch-merge", "re-run"
    if word in ACTION_VERBS or base_form(word) in ACTION_VERBS:
        return True
    if word in NON_ACTION_VERBS or word in STOP_NAMES:
        return False
    # Unknown words pass unless they are clearly not verbs (articles, pronouns, numbers).
    return word.isalpha() and word not in {
        "the",
        "a",
        "an",
        "my",
        "your",
        "our",
        "their",
        "this",
        "that",
        "it",
        "there",
        "here",
        "some",
        "any",
        "too",
        "so",
        "sure",
        "also",
        "not",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "about",
        "from",
        "soon",
        "later",
        "still",
        "even",
        "probably",
    }


TAIL_PREPOSITIONS = frozenset(
    {
        "for",
        "to",
        "with",
        "from",
        "by",
        "and",
        "or",
        "of",
        "about",
        "ask",
        "tell",
        "ping",
        "call",
        "email",
        "text",
        "pay",
        "thank",
        "help",
        "invite",
        "remind",
    }
)


def _pronouns(text: str) -> set[str]:
    """The words of `text` that stand for something said before: "that" in "grab that", not in "grab that sample"."""
    tokens = words(text)
    found = set()
    for index, token in enumerate(tokens):
        if token in ("this", "that", "these", "those") and index + 1 < len(tokens) and tokens[index + 1] not in STOPWORDS:
            continue  # a determiner
        found.add(token)
    return found


def _modifies_next(tokens: list[str], index: int) -> bool:
    """ "show" in "the show notes": the next word is a noun it describes."""
    following = tokens[index + 1 : index + 3]
    if not following or following[0] in STOPWORDS or following[0] in PRONOUN_OBJECTS:
        return False
    # "the holiday shipping FAQ": an -ing word that is itself a modifier of the noun after it.
    return not following[0].endswith("ing") or len(following) == 2 and following[1] not in STOPWORDS


# Words of when and where, not of what: "I'm home tuesday morning" says nothing "them" could be.
_TIME_AND_PLACE_STEMS = frozenset(
    content_stems(
        "i'm im home work office today tonight tomorrow tmrw morning afternoon evening night weekend week monday tuesday "
        "wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun later soon free around back off"
    )
)
# The verbs of a task said with a pronoun ("Do it", "Take it", "Sort them"): they name no work of their own.
_GENERIC_VERB_STEMS = frozenset(content_stems("do take handle get sort help confirm check look ask try fix it them that this"))


def _snippet(text: str) -> str | None:
    snippet = INTERJECTION.sub("", text)
    snippet = re.sub(r"^(?:(?:one more thing|also|btw|fyi|so|and|hey|hi|reminder)\W+|@\w+\W*)+", "", snippet, flags=re.IGNORECASE)
    snippet = TRAILING_FILLER.sub("", snippet).strip()
    tokens = snippet.split()
    if len(tokens) < 2:
        return None
    return " ".join(tokens[:CONTEXT_WORDS]) + (" ..." if len(tokens) > CONTEXT_WORDS else "")


def _strip_article_free(topic: str) -> str:
    return re.sub(r"^\s*(?:so|ok|also|and)\s+", "", topic.strip(), flags=re.IGNORECASE)
