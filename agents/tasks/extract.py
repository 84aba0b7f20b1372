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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from agents.records import MessageRecord
from agents.tasks.dates import Due, find_due, zone
from agents.tasks.language import (
    ACTION_VERBS,
    LEISURE_WORDS,
    LINK,
    NON_ACTION_VERBS,
    PRONOUN_OBJECTS,
    STOPWORDS,
    RenderedMessage,
    base_form,
    capitalize,
    content_stems,
    handle,
    render,
    sentences,
    verb_group,
    words,
)
from agents.tasks.records import ExtractedTask, TaskChange, task_fingerprint

# How far back a reply like "sure" or "I'll do it" may reach for the request it answers.
RESPONSE_WINDOW_MESSAGES = 8
RESPONSE_WINDOW = timedelta(hours=6)
# How far back a bare "done" from the owner may reach for their task.
DONE_WINDOW_MESSAGES = 40
MAX_TASK_WORDS = 16
CONTEXT_WORDS = 12

_I = r"(?:i|ive|i've|im|i'm)"
_ADVERBS = (
    r"(?:(?:also|just|quickly|definitely|then|first|now|actually|really|totally|happily|gladly|"
    r"personally|still|go ahead and|go and|try to|try and|get to|start on|start|make sure to|finally|"
    r"prob|def|please|pls|plz|maybe|possibly)\s+)*"
)
_HEDGES = re.compile(r"\b(?:probably|maybe|might|perhaps|possibly|hopefully|prob|idk|not sure)\b")
_JOKE = re.compile(
    r"\b(?:lol|lmao|lmfao|rofl|jk|j/k|haha+|hehe+|kidding|joking)\b|/s\b|[\U0001F602\U0001F923\U0001F606\U0001F61C\U0001F61D\U0001F92A]"
)
_HYPOTHETICAL = re.compile(
    r"^(?:\W*)(?:if|unless|what if|in theory|ideally|in an ideal world|someday|one day|imagine)\b"
    r"|\bi'?d\b|\bi would\b|\bwould(?:'ve| have)\b|\bif (?:we|i|you|they|it) (?:had|were|could|did)\b"
    r"|\bsomeday\b|\bone day\b|\bif it were up to me\b"
)
_NEGATION = re.compile(r"\b(?:not|never|no longer|don't|dont|won't|wont|can't|cant|cannot|isn't|hasn't|haven't|hadn't|didn't|wasn't)\b|n't\b")

_COMMITMENT = re.compile(
    rf"(?:^|(?<=[\s,:(]))(?P<trigger>i'll|i will|i'm going to|im going to|i am going to|i'm gonna|im gonna|i am gonna"
    rf"|i shall|i can|let me|lemme|i need to|i have to|i've got to|i gotta|i must|i'm about to)\s+"
    rf"(?P<rest>.+)$",
    re.IGNORECASE,
)
_SUBJECTLESS = re.compile(r"^(?P<trigger>will|gonna|going to|can)\s+(?P<rest>.+)$", re.IGNORECASE)
_LIST_PREFIX = re.compile(r"^(?P<prefix>todo|to do|to-do|t|today|next|action items?|ai)\s*:\s*(?P<rest>.+)$", re.IGNORECASE)
_REQUEST = re.compile(
    r"(?:^|(?<=[\s,:(]))(?:(?:so|and|also|hey|then|ok|okay|hmm|btw|pls|please)\W+)*"
    r"(?:(?:can|could|would|will)\s+(?P<who>you all|you guys|you both|y'all|yall|you|u|ya|someone|somebody|anyone|anybody|everyone)"
    r"|(?:are|r)\s+(?P<who2>you|u)\s+able\s+to|any chance (?P<who3>you|u|someone|anyone)\s+(?:could|can)"
    r"|do (?P<who4>you|u) have (?:the )?(?:time|bandwidth|capacity|a sec|a minute) to"
    r"|(?:are|r) (?P<who5>you|u) (?:ok|okay|good|free|around|up for|happy|willing) (?:to|for)"
    r"|would (?P<who6>you|u) be (?:able|ok|okay|willing|free) to)"
    r"\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_MIND = re.compile(r"(?:would you |do you |)mind (?P<ger>\w+ing)\b(?P<rest>.*)$", re.IGNORECASE)
_PLEASE = re.compile(
    r"^(?:(?:also|and|then|ok|okay|so|hey)\s+)*(?:please|pls|plz)\s+(?:(?:also|just|quickly)\s+)*(?P<rest>.+)$",
    re.IGNORECASE,
)
_SOMEONE = re.compile(
    r"(?:^|(?<=[\s,:(]))(?:(?:someone|somebody|anyone) (?:needs to|should|has to|must|pls|please|to)"
    r"|(?:we|i) need (?:someone|somebody) to"
    r"|(?:any )?volunteers? (?:to|for)"
    r"|(?:anyone|anybody) (?:able|willing|want|wants) to"
    r"|(?:^|(?<=[,;:.!?] )|(?<=[,;:]))who(?:'s| is| will| can| could| wants to| is going to)(?P<who_ing> \w+ing)?(?=.*\?))\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_WE_NEED = re.compile(
    r"(?:^|[,:;(]\s*|\b(?:and|but|so|then|ok|okay|now|also|yeah|well)\s+)we (?:really |still |also )?(?:need to|have to|must|gotta|'ll need to|will need to)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_THIRD_PERSON = re.compile(
    r"^@(?P<handle>\w+)\W*(?:will|'ll|is going to|is gonna|to|can|should|you'll|you will|you can|you should)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)

# "can someone with admin do that": who is asked, not what to do.
_QUALIFIER = re.compile(r"^(?:(?:with|from|on|in)\s+(?:\w+\s+){0,2}?(?:access|admin|rights|permissions?|team|ops|infra|\w+)\s+)(?=\w)", re.IGNORECASE)
# Suggestions and soft offers: tasks only if a model (or a later "I'll do it") says so.
_SUGGESTION = re.compile(
    r"(?:^|(?<=[\s,:(]))(?P<who>we should|we could|we might want to|let's|lets|let us|i could|i might|i should|i may)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
# What may come right before "I'll"/"I can" for it to start a clause ("so I'll", "ok, I'll", "🌮 I'll").
_CLAUSE_START = re.compile(
    r"(?:^|[^\w\s']|\b(?:and|but|so|then|ok|okay|also|yeah|yes|sure|well|now|today|tomorrow|tonight|anyway|anyways|"
    r"honestly|fine|cool|great|alright|oh|ah|hey|plus|meanwhile|instead|otherwise|first|after that|in that case))\s*$",
    re.IGNORECASE,
)
_DEPARTURE_VERBS = frozenset({"go", "leave", "head", "run", "end", "drive", "stop", "log", "sign", "bounce", "dip", "jump"})
_LEAVING_CHAT = re.compile(r"^(?:exit|end|leave|close out|sign off|log off|hop off)\b.*\b(?:chat|conversation|here)\b|^(?:sign|log|hop) off\b", re.IGNORECASE)
_LEAVING = frozenset({"go", "leave", "head", "hop", "bounce", "dip"})
_OBLIGATIONS = frozenset({"i need to", "i have to", "i've got to", "i gotta", "i must"})
_ABILITY_ADVERBS = frozenset({"barely", "easily", "always", "never", "usually", "sometimes", "only", "hardly", "totally", "really", "also", "still", "even"})
_THIRD_PERSON_NAME = re.compile(
    r"^(?P<handle>[A-Za-z][\w'-]*)\s+(?:will|'ll|is going to|is gonna|to)\s+(?P<rest>.+)$", re.IGNORECASE
)
_ACCEPT = re.compile(
    r"^\W*(?:sure|ok|okay|k|kk|yes|yep|yup|yeah|ya|yah|yea|will do|on it|can do|got it|no problem|np|no prob|"
    r"absolutely|of course|sounds good|happy to|for sure|roger|alright|aye|definitely|consider it done|"
    r"me|mine|i'm on it|im on it|i got it|i've got it|i got this|leave it (?:to|with) me|i can do (?:it|that|this)|"
    r"i'll do it|i will do it|i'll take (?:it|that|this)|i can take (?:it|that|this)|with pleasure|gladly|i can(?=\W*$)|i will(?=\W*$)|"
    r"\w+ing (?:it |them |that )?(?:now|atm)|(?:\w+ing )?now)\b",
    re.IGNORECASE,
)
_ACCEPT_EMOJI = re.compile(r"^[\s\U0001F44D\U0001F44C\U0001FAE1\u2705\u2714\ufe0f\U0001F64F\U0001F3FB-\U0001F3FF!.]+$")
_REFUSE = re.compile(
    r"^\W*(?:no|nope|nah|sorry|unfortunately|not me|not this week|i can't|i cannot|can't|cannot|i won't|pass)\b"
    r"|\b(?:can't|cannot|won't be able|don't have (?:the )?(?:time|bandwidth|capacity)|no time|too busy|swamped|not able to)\b",
    re.IGNORECASE,
)
_NOT_A_REFUSAL = re.compile(r"^\W*(?:no (?:worries|problem|prob|biggie|stress)|sorry,? (?:on it|sure|will do|yes))", re.IGNORECASE)

_DONE = re.compile(
    r"\b(?:done|finished|completed?|merged|shipped|deployed|fixed|pushed|sent|filed|posted|published|landed|"
    r"submitted|uploaded|wrapped up|taken care of|sorted|all set|approved|lgtm|resolved|is live|are live|is up|are up|"
    r"went out|is in|are in)\b|[\u2705\u2714\u2611]",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(
    r"\b(?:not|n't|never|almost|nearly|once|when|after|until|if|soon|halfway|partially|some of|most of|half|the rest|"
    r"still|\d+ of)\b|n't\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:i'll|i will|will|gonna|going to|can you|could you|need to|should|shall|let me)\b", re.IGNORECASE
)
_CANCEL = re.compile(
    r"\b(?:never ?mind|nvm|scratch (?:that|this|the|it)|forget (?:about )?(?:it|that|this|the)|"
    r"(?:don't|do not|dont|won't|no longer) need|not needed|no need (?:to|for)|no longer (?:needed|doing|happening)|"
    r"cancel(?:led|ed)? (?:that|this|it|the)|drop (?:that|this|it)|ignore (?:that|this|my)|"
    r"(?:are|is|we're|were) not doing|won't be doing|called off|(?:is|are|got) cancell?ed|don't bother|dont bother)\b",
    re.IGNORECASE,
)
_REASSIGN_WORDS = re.compile(
    r"\b(?:instead|take over|taking over|take (?:this|that|it) (?:over|on)|pick (?:this|that|it) up|hand(?:ing)? (?:it|this|that) (?:off|over)|reassign\w*|"
    r"off (?:your|his|her|their|\w+'s) plate)\b",
    re.IGNORECASE,
)
_REASSIGN_PRONOUN = re.compile(
    r"\b(?:take|taking|pick|handle|cover|grab|own)\s+(?:over\s+)?(?:this|that|it)\b|\b(?:this|that|it)\s+(?:instead|over)\b", re.IGNORECASE
)
_TAKE = re.compile(r"\b(?:take|taking|pick|handle|cover|own)\b", re.IGNORECASE)
_HANDOFF = re.compile(
    r"@(?P<handle>\w+)\s+(?:is|will be|'s)\s+(?:now\s+)?(?:handling|taking|doing|owning|on)\b|"
    r"(?:hand(?:ing)?|reassign(?:ing)?|pass(?:ing)?|give|giving)\s+(?:\w+\s+){0,4}?(?:off |over )?to\s+@(?P<handle2>\w+)",
    re.IGNORECASE,
)
_TOPIC_IS_MINE = re.compile(r"^(?P<topic>.+?)\s+(?:is|are)\s+(?:mine|on me|my job|my problem)\b", re.IGNORECASE)

# Where a task's words stop: a new clause about reasons, timing or something else.
_CLAUSE_CUT = re.compile(
    r"\s*(?:,\s|\s(?:so (?:that )?(?:it|we|they|i|you|he|she|the)\b|"
    r"because\b|since\b|while\b|as soon as\b|unless\b|if (?:you|we|i|that|it|possible|needed)\b|"
    r"when you (?:get|have|can)\b|so we\b|once\b|before i\b|after i\b|but\b|and (?:i|i'm|im|we|it|it's|he|she|they|you)\b)|:\s|\(|\s[\u2014\u2013-]\s|\?|!|\.\s|\.$)",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:please|pls|plz|thanks|thx|ty|for me|real quick|quickly|too|as well|again|now|then|right away|"
    r"when you can|when you get a chance|if you can|if possible|asap|today|again|first|right|ok|okay|rn|atm|\u2197|"
    r"for us|later|instead|myself|ourselves|yourself))+\s*$|[\s.!?,;:\u2705\U0001F300-\U0001FAFF\u2600-\u27BF]+$",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:also|just|quickly|please|pls|then|first|now|actually|still|go ahead and|go and|try to|try and|"
    r"make sure to|finally|definitely|really|totally)\s+)+",
    re.IGNORECASE,
)
_INTERJECTION = re.compile(
    r"^\W*(?:(?:ok|okay|so|yeah|yes|yep|sure|agreed|great|cool|alright|right|hmm+|ah|oh|well|and|also|then|"
    r"perfect|nice|thanks|ty|good (?:call|point|idea|catch)|sounds good|fair|true|hey|hi|btw|anyway|re \w+)\b[\s,.!:;-]*)+",
    re.IGNORECASE,
)
_REASON = re.compile(r"^\W*(?:since|because|as|while|if|unless|when|once|so|though|although)\b", re.IGNORECASE)
_ITEMS_PREFIX = re.compile(r"^\W*(?:action items?|next steps|ais?|todos?|to-dos?|to dos?|owners?)\s*:\s*", re.IGNORECASE)
_ITEM_SPLIT = re.compile(r"[,;]\s*(?:and\s+)?(?=@\w+\s+(?:to|will|'ll|can|should|please|pls)\b)", re.IGNORECASE)
# "we need to turn on X, can someone do that tonight?" holds two clauses.
_REQUEST_SPLIT = re.compile(
    r",\s+(?=(?:(?:so|and|also)\s+)?(?:can|could|would|will)\s+(?:you|u|someone|somebody|anyone|anybody)\b)", re.IGNORECASE
)
_QUESTION_TAIL = re.compile(r"\?[\s\W]*$")
_DIAGNOSTIC = re.compile(r"^(?:try|trying)\s+\w+ing\b", re.IGNORECASE)
_PERCEPTION = re.compile(r"^(?:see|hear|believe|imagine|tell (?:me )?(?:if|whether|what|how|why|where|which)|explain why|remind me what)\b", re.IGNORECASE)


@dataclass
class _Draft:
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

    @property
    def verb(self) -> str:
        tokens = [t for t in words(self.text)[:3] if t not in VERB_MODIFIERS]
        return tokens[0] if tokens else ""

    @property
    def live(self) -> bool:
        return self.status == "open" and not self.refused


@dataclass(frozen=True, slots=True)
class _Clause:
    """One sentence of a message with its addressee worked out."""

    text: str  # the sentence without the vocative
    raw: str
    addressee_id: int | None
    addressee_name: str | None
    is_question: bool


class _Tracker:
    """Reads a window in order and keeps the drafts of tasks it has found so far."""

    def __init__(self, messages: Sequence[MessageRecord], tz: ZoneInfo, *, loose: bool = False):
        self.tz = tz
        # Loose: also keep suggestions and hedged commitments, marked tentative, for a model to judge.
        self.loose = loose
        self.messages = [m for m in messages if not m.is_bot]
        self.messages.sort(key=lambda m: (m.created_at, m.id))
        self.by_id = {m.id: m for m in self.messages}
        self.drafts: list[_Draft] = []
        self.people = self._participants()
        self.index = 0

    # -- people -----------------------------------------------------------------------------------

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

    def _handle_id(self, token: str, rendered: RenderedMessage) -> tuple[int, str] | None:
        token = token.lower()
        if token in rendered.mentions:
            user_id = rendered.mentions[token]
            return user_id, rendered.names.get(user_id) or token
        return self.people.get(token)

    # -- clauses ----------------------------------------------------------------------------------

    def clauses(self, rendered: RenderedMessage) -> list[_Clause]:
        message = rendered.record
        parts = sentences(rendered.text)
        message_addressee: tuple[int, str] | None = None
        lead = re.match(r"^\s*@(\w+)", rendered.text)
        if lead:
            message_addressee = self._handle_id(lead.group(1), rendered)
        reply_target = self.by_id.get(message.reply_to_id) if message.reply_to_id else None
        items: list[str] = []
        for part in parts:
            part = _ITEMS_PREFIX.sub("", part)
            for item in _ITEM_SPLIT.split(part):
                items += [piece for piece in _REQUEST_SPLIT.split(item) if piece.strip()]
        clauses = []
        for part in items:
            text = part
            addressee: tuple[int, str] | None = None
            leading = re.match(r"^\s*((?:@\w+[\s,:]*)+)(.*)$", text)
            if leading:
                first = re.match(r"@(\w+)", leading.group(1))
                addressee = self._handle_id(first.group(1), rendered) if first else None
                text = leading.group(2)
            else:
                named = re.match(r"^\s*([A-Za-z][\w'-]*)\s*[,:]\s+(.*)$", text)
                if named and named.group(1).lower() in self.people and named.group(1).lower() not in STOP_NAMES:
                    addressee = self.people[named.group(1).lower()]
                    text = named.group(2)
            trailing = re.search(r"[\s,]+@(\w+)\s*([?!.]*)\s*$", text) or re.search(r",\s*([A-Za-z][\w'-]*)\s*([?!.]*)\s*$", text)
            if trailing and addressee is None:
                found = self._handle_id(trailing.group(1), rendered)
                if found and (trailing.group(0).lstrip().startswith("@") or trailing.group(1).lower() in self.people):
                    addressee = found
                    text = text[: trailing.start()] + trailing.group(2)
            if addressee is None and message_addressee is not None:
                addressee = message_addressee
            if addressee is None and reply_target is not None and reply_target.author_id != message.author_id:
                addressee = (reply_target.author_id, reply_target.author_name)
            if addressee and addressee[0] == message.author_id:
                addressee = None
            clauses.append(
                _Clause(
                    text=text.strip(),
                    raw=part,
                    addressee_id=addressee[0] if addressee else None,
                    addressee_name=addressee[1] if addressee else None,
                    is_question=bool(_QUESTION_TAIL.search(part)),
                )
            )
        return clauses

    # -- the walk ---------------------------------------------------------------------------------

    def run(self) -> list[_Draft]:
        for index, message in enumerate(self.messages):
            self.index = index
            rendered = render(message)
            clauses = self.clauses(rendered)
            if not clauses:
                continue
            answered = self._respond(rendered, clauses)
            for position, clause in enumerate(clauses):
                if self._change_state(rendered, clause, clauses):
                    continue
                following = clauses[position + 1].raw if position + 1 < len(clauses) else ""
                self._detect(rendered, clause, answered, following)
        return self.drafts

    # -- 1. answers to requests ---------------------------------------------------------------------

    def _pending_for(self, message: MessageRecord) -> _Draft | None:
        """The request this message most plausibly answers, if any."""
        if message.reply_to_id:
            for draft in reversed(self.drafts):
                if message.reply_to_id in draft.sources and draft.kind == "request" and draft.requester_id != message.author_id:
                    return draft
        for draft in reversed(self.drafts):
            if draft.kind != "request" or draft.answered or draft.status != "open" or draft.tentative:
                continue
            if self.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                break
            if message.created_at - self._when(draft) > RESPONSE_WINDOW:
                continue
            if draft.owner_id == message.author_id or (draft.owner_id is None and draft.requester_id != message.author_id):
                return draft
        return None

    def _when(self, draft: _Draft) -> datetime:
        last = self.by_id.get(draft.sources[-1])
        return last.created_at if last else draft.said_at

    def _respond(self, rendered: RenderedMessage, clauses: list[_Clause]) -> _Draft | None:
        message = rendered.record
        pending = self._pending_for(message)
        if pending is None:
            return None
        first = clauses[0].raw
        if _REFUSE.search(first) and not _NOT_A_REFUSAL.search(first) and not _ACCEPT.search(first.replace("sorry", "", 1).strip(" ,")):
            if pending.owner_id == message.author_id:
                pending.refused = True
                pending.answered = True
                pending.last_index = self.index
            return None
        whole = rendered.text.strip()
        if (message.attachments or LINK in rendered.text) and verb_group(pending.verb) & SEND_VERBS and pending.owner_id == message.author_id:
            pending.answered = True
            pending.status = "done"
            pending.changes.append(self._change("done", message, pending))
            self._touch(pending, message)
            return pending
        accepted = bool(_ACCEPT.search(first)) or bool(_ACCEPT_EMOJI.match(whole)) or bool(
            re.search(r"\b(?:i'm on it|im on it|i(?:'ve)? got (?:it|this)|leave it to me|i'll do (?:it|that|them)|i can do (?:it|that|this))\b", whole, re.IGNORECASE)
        )
        if not accepted:
            return None
        pending.answered = True
        if (message.attachments or LINK in rendered.text) and verb_group(pending.verb) & SEND_VERBS:
            # "sure, here" with the file attached: the sending is the answer.
            pending.status = "done"
            pending.changes.append(self._change("done", message, pending))
        if pending.owner_id is None:
            pending.owner_id, pending.owner_name = message.author_id, message.author_name
            pending.changes.append(self._change("claimed", message, pending))
        self._touch(pending, message)
        due = find_due(rendered.text, message.created_at, self.tz)
        if due is not None:
            pending.due = due
        return pending

    # -- 2. changes to existing tasks -----------------------------------------------------------------

    def _change_state(self, rendered: RenderedMessage, clause: _Clause, clauses: list[_Clause]) -> bool:
        message = rendered.record
        text = clause.raw
        lower = text.lower()
        if clause.is_question and not _REQUEST.search(clause.text):
            return False
        cancel = _CANCEL.search(text)
        if cancel and not clause.is_question and not _only_a_date(text[cancel.end() :], message.created_at, self.tz):
            targets = self._link(rendered, clause, allow_requester=True)
            if targets:
                for draft in targets:
                    if draft.status == "open":
                        draft.status = "cancelled"
                        draft.changes.append(self._change("cancelled", message, draft))
                        self._touch(draft, message)
                return True
        if _REASSIGN_WORDS.search(text) or _HANDOFF.search(text):
            if self._reassign(rendered, clause):
                return True
        done_word = _DONE.search(text)
        if (done_word or self._past_tense_of_task(rendered, clause)) and not _FUTURE.search(lower[: done_word.start() if done_word else len(lower)]):
            if _NOT_DONE.search(lower.replace("\u2705", "")) and not re.search(r"[\u2705\u2714\u2611]", text):
                return False
            targets = []
            # "filed it and linked #1423": each part may complete a different task.
            for part in re.split(r"\s+and\s+|,\s+", clause.raw):
                part_clause = replace(clause, raw=part)
                for draft in self._link(rendered, part_clause, allow_requester=False, done=True, fallback=False):
                    if draft not in targets:
                        targets.append(draft)
            if not targets:
                targets = self._link(rendered, clause, allow_requester=False, done=True)
            if targets:
                for draft in targets:
                    if draft.status == "open" and not draft.refused:
                        draft.status = "done"
                        draft.changes.append(self._change("done", message, draft))
                        self._touch(draft, message)
                return True
        return False

    def _past_tense_of_task(self, rendered: RenderedMessage, clause: _Clause) -> bool:
        """"rules updated" from the owner of "update the rules": a past form of the task's verb."""
        message = rendered.record
        tokens = words(clause.raw)
        if _NEGATION.search(clause.raw.lower()) or clause.is_question:
            return False
        for draft in self._open_drafts(owner_id=message.author_id):
            group = verb_group(draft.verb)
            for token in tokens:
                if token.endswith("ed") or base_form(token) != token:
                    if base_form(token) in group and token != draft.verb:
                        if self._overlap(draft, clause.raw, with_verbs=False) >= 1:
                            return True
        return False

    def _open_drafts(self, owner_id: int | None = None) -> list[_Draft]:
        return [d for d in self.drafts if d.live and (owner_id is None or d.owner_id == owner_id)]

    def _overlap(self, draft: _Draft, text: str, *, with_verbs: bool = True) -> int:
        ignore = {"take", "over", "instead", "done", "finish", "merged", "merg", "ship", "shipped", "fix", "fixed"}
        task_stems = content_stems(draft.text) - ignore
        text_stems = content_stems(text) - ignore
        count = len(task_stems & text_stems)
        if with_verbs and draft.verb:
            group = verb_group(draft.verb)
            if any(base_form(token) in group or token in group for token in words(text)):
                count += 1
        return count

    def _link(self, rendered: RenderedMessage, clause: _Clause, *, allow_requester: bool, done: bool = False, fallback: bool = True) -> list[_Draft]:
        """The tasks a done/cancel sentence is about: the replied-to one, one it names, or the speaker's latest."""
        message = rendered.record
        speaker = message.author_id
        mentioned = set(rendered.mentions.values())
        if clause.addressee_id:
            mentioned.add(clause.addressee_id)

        def concerned(draft: _Draft) -> bool:
            if draft.owner_id == speaker:
                return True
            if allow_requester and (draft.requester_id == speaker or draft.owner_id in mentioned):
                return True
            return False

        candidates = [d for d in self.drafts if d.status == "open" and (not d.refused or allow_requester)]
        if message.reply_to_id:
            replied = [d for d in candidates if message.reply_to_id in d.sources]
            mine = [d for d in replied if concerned(d)]
            if mine or (replied and not done):
                return mine or replied
            if replied and done:
                return replied
        scored = [(self._overlap(d, clause.raw), d) for d in candidates if concerned(d)]
        best = max((score for score, _ in scored), default=0)
        if best >= 1:
            return [d for score, d in scored if score == best]
        # Someone else's task, named clearly enough ("the windows crash is fixed").
        others = [(self._overlap(d, clause.raw, with_verbs=False), d) for d in candidates if not concerned(d)]
        best_other = max((score for score, _ in others), default=0)
        if best_other >= 2:
            return [d for score, d in others if score == best_other]
        # "done", "never mind", "✅": the most recent task that concerns the speaker.
        leftover = content_stems(re.sub(_DONE.pattern + "|" + _CANCEL.pattern, " ", clause.raw, flags=re.IGNORECASE))
        if fallback and len(leftover) <= 3:
            for draft in reversed(candidates):
                if self.index - draft.last_index > DONE_WINDOW_MESSAGES:
                    break
                if concerned(draft):
                    return [draft]
        return []

    def _reassign(self, rendered: RenderedMessage, clause: _Clause) -> bool:
        message = rendered.record
        text = clause.text
        new_owner: tuple[int, str] | None = None
        handoff = _HANDOFF.search(clause.raw)
        if handoff:
            new_owner = self._handle_id(handoff.group("handle") or handoff.group("handle2"), rendered)
        elif _REQUEST.search(text) or _PLEASE.search(text):
            if clause.addressee_id and _TAKE.search(text):
                new_owner = (clause.addressee_id, clause.addressee_name or self.name_of(clause.addressee_id, rendered) or "")
        elif _COMMITMENT.search(text) and _TAKE.search(text):
            new_owner = (message.author_id, message.author_name)
        if new_owner is None:
            return False
        candidates = [d for d in self.drafts if d.status == "open" and d.owner_id != new_owner[0]]
        target: _Draft | None = None
        if message.reply_to_id:
            target = next((d for d in reversed(candidates) if message.reply_to_id in d.sources), None)
        if target is None:
            scored = [(self._overlap(d, clause.raw, with_verbs=False), d) for d in candidates]
            best = max((score for score, _ in scored), default=0)
            if best >= 1:
                target = next(d for score, d in reversed(scored) if score == best)
        if target is None and _REASSIGN_PRONOUN.search(text):
            for draft in reversed(candidates):
                if self.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                    break
                target = draft
                break
        if target is None:
            return False
        target.owner_id, target.owner_name = new_owner
        target.refused = False
        target.answered = False
        target.kind = "request" if new_owner[0] != message.author_id else target.kind
        due = find_due(_CLAUSE_CUT.split(text)[0], message.created_at, self.tz)
        if due is not None:
            target.due = due
        target.changes.append(self._change("reassigned", message, target))
        self._touch(target, message)
        return True

    # -- 3. new tasks -------------------------------------------------------------------------------

    def _detect(self, rendered: RenderedMessage, clause: _Clause, answered: _Draft | None, following: str = "") -> None:
        message = rendered.record
        text = clause.text
        if not text or _JOKE.search(clause.raw.lower()):
            return
        if following and _JOKE.search(following.lower()) and len(words(following)) <= 3:
            return
        lower = text.lower()
        if _HYPOTHETICAL.search(lower):
            return
        tentative = False
        if self.loose and _HEDGES.search(lower):
            text = re.sub(r"\s+", " ", _HEDGES.sub(" ", text)).strip()
            clause = replace(clause, text=text)
            tentative = True
        topic = None
        topic_match = _TOPIC_IS_MINE.search(text)
        if topic_match:
            topic = topic_match.group("topic")
        found = self._find_request(rendered, clause) or self._find_commitment(rendered, clause)
        if found is None and self.loose and not clause.is_question:
            suggestion = _SUGGESTION.search(text)
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
        task_text, pronoun_only, due = self._task_text(rest, message.created_at, rendered, owner_id=owner[0] if owner else None, addressee=clause)
        if topic and task_text and not (content_stems(topic) & content_stems(task_text)):
            task_text = f"{task_text} for {_strip_article_free(topic)}"
        if not task_text:
            return
        count = len(self.drafts)
        if kind == "commitment":
            self._add_commitment(rendered, clause, task_text, pronoun_only, due, answered)
        else:
            self._add_request(rendered, clause, owner, task_text, pronoun_only, due)
        if tentative:
            for draft in self.drafts[count:]:
                draft.tentative = True

    def _find_request(self, rendered: RenderedMessage, clause: _Clause):
        """("request", (owner id, name) or None, the action words, the text to search for a deadline)."""
        text = clause.text
        someone = _SOMEONE.search(text)
        if someone:
            rest = _QUALIFIER.sub("", someone.group("rest"))
            if someone.group("who_ing"):
                rest = base_form(someone.group("who_ing").strip()) + " " + rest
            return "request", None, rest, someone.group(0)
        request = _REQUEST.search(text)
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
            if mind:
                rest = base_form(mind.group("ger")) + rest[mind.end() :]
            if _DIAGNOSTIC.search(rest) or _PERCEPTION.search(rest):
                return None
            if who in ("someone", "somebody", "anyone", "anybody", "everyone", "you all", "you guys", "y'all", "yall", "you both"):
                rest = _QUALIFIER.sub("", rest)
                return "request", None, rest, rest
            owner = (clause.addressee_id, clause.addressee_name) if clause.addressee_id else None
            return "request", owner, rest, rest
        mind = _MIND.search(text)
        if mind and clause.is_question:
            rest = base_form(mind.group("ger")) + mind.group("rest")
            owner = (clause.addressee_id, clause.addressee_name) if clause.addressee_id else None
            return "request", owner, rest, rest
        if clause.is_question:
            return None
        please = _PLEASE.search(text)
        if please:
            rest = please.group("rest")
            first = words(rest)[:1]
            if first and first[0] not in NON_ACTION_VERBS and first[0] not in ("don't", "dont", "do", "no", "stop") and _looks_like_verb(first[0]):
                owner = (clause.addressee_id, clause.addressee_name) if clause.addressee_id else None
                return "request", owner, rest, rest
        third = _THIRD_PERSON.search(clause.raw) or _THIRD_PERSON_NAME.search(clause.raw)
        if third:
            found = self._handle_id(third.group("handle"), rendered)
            if found:
                return "request", found, third.group("rest"), third.group("rest")
        if clause.addressee_id and clause.raw.lstrip().startswith("@"):
            first = words(text)[:1]
            if first and first[0] in ACTION_VERBS:
                return "request", (clause.addressee_id, clause.addressee_name), text, text
        need = _WE_NEED.search(text)
        if need:
            return "request", None, need.group("rest"), need.group("rest")
        return None

    def _find_commitment(self, rendered: RenderedMessage, clause: _Clause):
        if clause.is_question:
            return None
        message = rendered.record
        text = _INTERJECTION.sub("", clause.text)
        match = _COMMITMENT.search(text)
        if match:
            before = text[: match.start()].lower()
            if re.search(r"\b(?:if|unless|when you|what|how|wish|whether)\b", before):
                return None
            if before.strip() and not _CLAUSE_START.search(before):
                return None
            trigger = match.group("trigger").lower()
            rest = match.group("rest")
            if trigger in _OBLIGATIONS or trigger == "i can":
                # "I can rap quite fast", "I have to go": abilities and leaving are not work.
                first = words(rest)[:1]
                if not first or first[0] in _ABILITY_ADVERBS or base_form(first[0]) not in ACTION_VERBS:
                    return None
            if re.match(r"^have to\b", rest, re.IGNORECASE) and trigger in ("i'll", "i will"):
                if not self.loose:
                    return None  # "I'll have to watch it": a note to self, not a promise
            if trigger == "i can" and (re.match(r"^\s*(?:but|too|if|also but)\b", rest, re.IGNORECASE) or re.search(r"\bbut\b", rest[:12], re.IGNORECASE)):
                return None
            return "commitment", (message.author_id, message.author_name), rest, rest
        subjectless = _SUBJECTLESS.search(text)
        if subjectless:
            return "commitment", (message.author_id, message.author_name), subjectless.group("rest"), subjectless.group("rest")
        listed = _LIST_PREFIX.search(clause.text)
        if listed:
            rest = listed.group("rest")
            first = words(rest)[:1]
            again = _SUBJECTLESS.search(rest) or _COMMITMENT.search(rest)
            if again:
                return "commitment", (message.author_id, message.author_name), again.group("rest"), again.group("rest")
            if first and _looks_like_verb(first[0]):
                if first[0].endswith("ing"):
                    rest = base_form(first[0]) + rest[len(first[0]) :]
                return "commitment", (message.author_id, message.author_name), rest, rest
        return None

    def _task_text(self, rest: str, said_at: datetime, rendered: RenderedMessage, *, owner_id: int | None, addressee: _Clause) -> tuple[str | None, bool, Due | None]:
        """A short imperative from the words after the trigger, and its deadline; (None, _, _) when they are not a task."""
        text = re.sub(r"\s+", " ", rest).strip()
        text = _LEADING_FILLER.sub("", text)
        text = re.sub(r"^(?:will|gonna|going to)\s+", "", text, flags=re.IGNORECASE)
        cut = _CLAUSE_CUT.search(text)
        remainder = ""
        if cut and cut.start() > 0:
            text, remainder = text[: cut.start()], text[cut.start() :]
        # The deadline is in the task's own words, or in a follow-up clause that is not a reason
        # ("..., should have a PR up by tomorrow EOD" but not "since I'm free this afternoon").
        due = find_due(text, said_at, self.tz)
        if due is not None:
            text = (text[: due.start] + " " + text[due.end :]).strip()
        else:
            follow = remainder.lstrip(" ,:;-\u2014\u2013")
            if follow and not _REASON.match(follow):
                due = find_due(follow, said_at, self.tz)
        text = re.sub(r"\s+", " ", text).strip()
        # "be handling X" -> "handle X"; "have to X" -> "X".
        text = re.sub(r"^(?:be\s+(?P<ing>\w+ing))", lambda m: base_form(m.group("ing")), text, flags=re.IGNORECASE)
        text = re.sub(r"^(?:have to|need to|got to)\s+", "", text, flags=re.IGNORECASE)
        text = _LEADING_FILLER.sub("", text)
        for _ in range(3):
            text = _TRAILING_FILLER.sub("", text).strip()
            text = re.sub(r"\s+(?:over|during|on|by|in|at|for|before|until|from|around|within)$", "", text, flags=re.IGNORECASE)
        tokens = words(text)
        if tokens[:1] == ["go"] and len(tokens) > 1 and (tokens[1] == "and" or _looks_like_work(tokens[1])):
            # "go pick up the badges" -> "pick up the badges"
            text = re.sub(r"^go\s+(?:and\s+)?", "", text, flags=re.IGNORECASE)
            tokens = words(text)
        if not tokens:
            return None, False, None
        verb = tokens[0]
        if verb in _LEAVING or _LEAVING_CHAT.search(text):
            return None, False, None  # "I have to go to church", "I'm going to end this chat"
        if verb in NON_ACTION_VERBS or verb in ("not", "never", "no", "n't", "get") and len(tokens) < 2:
            return None, False, None
        if verb in NON_ACTION_VERBS:
            return None, False, None
        if re.match(r"^(?:not|never|no longer)\b", text, re.IGNORECASE):
            return None, False, None
        if re.match(r"^(?:get back to|keep you|let you|talk to you later|see you)", text, re.IGNORECASE):
            return None, False, None
        if _HEDGES.search(" ".join(tokens[:3])):
            return None, False, None
        if re.search(r"\bif (?:i|we) (?:have|get|find) (?:the |a |some )?(?:time|chance|minute|sec)\b", rest, re.IGNORECASE):
            return None, False, None
        if not _looks_like_verb(verb):
            return None, False, None
        rest_tokens = tokens[1:]
        if set(rest_tokens) & LEISURE_WORDS and len(rest_tokens) <= 4:
            return None, False, None
        meaningful = [t for t in rest_tokens if t not in PRONOUN_OBJECTS and t not in STOPWORDS]
        pronoun_only = not meaningful
        if len(tokens) > MAX_TASK_WORDS:
            text = " ".join(text.split()[:MAX_TASK_WORDS])
        text = self._rewrite_people(text, rendered, owner_id=owner_id, addressee=addressee)
        return capitalize(text.strip()), pronoun_only, due

    def _rewrite_people(self, text: str, rendered: RenderedMessage, *, owner_id: int | None, addressee: _Clause) -> str:
        """Words like "me" and "you" name the speaker and the listener; a task list needs their names."""
        speaker = rendered.record
        text = re.sub(r"@(\w+)", lambda m: (self._handle_id(m.group(1), rendered) or (0, m.group(1)))[1], text)
        if owner_id != speaker.author_id:
            text = re.sub(r"\bme\b", speaker.author_name, text)
            text = re.sub(r"\bmy\b", speaker.author_name + "'s", text)
        elif addressee.addressee_name:
            text = re.sub(r"\byou\b", addressee.addressee_name, text)
            text = re.sub(r"\byour\b", addressee.addressee_name + "'s", text)
        return text

    def _antecedent(self, message: MessageRecord, answered: _Draft | None) -> _Draft | None:
        """The request a pronoun commitment ("I'll do it", "I'll take it") refers to."""
        if answered is not None:
            return answered
        if message.reply_to_id:
            for draft in reversed(self.drafts):
                if message.reply_to_id in draft.sources and draft.status == "open":
                    return draft
        for draft in reversed(self.drafts):
            if self.index - draft.last_index > RESPONSE_WINDOW_MESSAGES:
                break
            if draft.status != "open" or draft.kind != "request" or draft.tentative:
                continue
            if draft.owner_id == message.author_id and not draft.refused:
                return draft
            if draft.owner_id is None or draft.refused:
                if draft.requester_id != message.author_id or draft.refused:
                    return draft
        return None

    def _add_commitment(self, rendered, clause, text, pronoun_only, due, answered) -> None:
        message = rendered.record
        has_pronoun = bool(set(words(text)) & PRONOUN_OBJECTS)
        target = None
        if pronoun_only or has_pronoun or answered is not None:
            target = self._antecedent(message, answered)
            if target is not None and not (pronoun_only or has_pronoun) and answered is not None:
                # "yes! I'll message her tonight" answers the request; a different piece of work does not.
                if self._overlap(target, text) < 1 and not self._same_message(target, answered):
                    target = None
        if target is None and (has_pronoun or pronoun_only):
            target = self._own_task_in_message(message.author_id, rendered.text)
        if target is None:
            target = self._same_task(message.author_id, text)
        if target is not None:
            if target.owner_id != message.author_id:
                kind = "claimed" if target.owner_id is None or target.refused else "reassigned"
                target.owner_id, target.owner_name = message.author_id, message.author_name
                target.refused = False
                target.changes.append(self._change(kind, message, target))
            target.answered = True
            if due is not None:
                target.due = due
            self._touch(target, message)
            return
        if pronoun_only and not has_pronoun and base_form(words(text)[0]) in _DEPARTURE_VERBS:
            return
        if has_pronoun or pronoun_only:
            # "I'll look into it" after "the login page is broken on safari": say what "it" is.
            # "grab one" is about a thing, not about the last message.
            context = self._context(message, clause.raw) if set(words(text)) & CONTEXT_PRONOUNS or not has_pronoun else None
            if context:
                text = f"{text} (re: {context})"
            elif pronoun_only:
                return
        self.drafts.append(self._new("commitment", text, (message.author_id, message.author_name), None, due, rendered, clause))

    def _context(self, message: MessageRecord, sentence: str = "") -> str | None:
        """A few words of what "it" is: the speaker's own previous sentence, the replied-to message, or the last one by someone else."""
        own = sentences(render(message).text)
        if sentence in own and own.index(sentence) > 0:
            mine = _snippet(own[own.index(sentence) - 1])
            if mine and len(mine.split()) >= 3:
                return mine
        previous = self.by_id.get(message.reply_to_id) if message.reply_to_id else None
        if previous is None:
            for earlier in reversed(self.messages[max(0, self.index - 3) : self.index]):
                if earlier.author_id != message.author_id:
                    previous = earlier
                    break
        if previous is None or message.created_at - previous.created_at > RESPONSE_WINDOW:
            return None
        rendered = render(previous)
        parts = sentences(rendered.text)
        if not parts:
            return None
        me = "@" + handle(message.author_name).lower()
        addressed = [clause for part in parts for clause in re.split(r",\s+", part) if me in clause.lower()]
        if addressed:
            return _snippet(addressed[-1])
        return _snippet(parts[-1] if len(parts[-1].split()) >= 4 else " ".join(parts[-2:]))

    def _own_task_in_message(self, owner_id: int, text: str) -> _Draft | None:
        """"bibs won't be ready until wednesday, I'll get them wednesday": the task the rest of the message names."""
        best, best_score = None, 0
        for draft in self.drafts:
            if draft.owner_id != owner_id or draft.status == "done":
                continue
            score = len(content_stems(draft.text) & content_stems(text))
            if score > best_score:
                best, best_score = draft, score
        return best if best_score >= 2 else None

    @staticmethod
    def _same_message(target: _Draft, answered: _Draft | None) -> bool:
        return answered is not None and target is answered

    def _same_task(self, owner_id: int | None, text: str) -> _Draft | None:
        """An open task of the same person that this sentence repeats ("I'll do the logo export" after "@kai please export the logo")."""
        best, best_score = None, 0
        for draft in self._open_drafts():
            if draft.owner_id != owner_id or draft.tentative:
                continue
            score = len((content_stems(draft.text) & content_stems(text)) - {"take", "do", "make", "get"})
            first = words(text)[:1]
            if score and first and draft.verb and base_form(first[0]) in verb_group(draft.verb):
                score += 1  # "get the badges" repeats "pick up the badges"
            if score > best_score:
                best, best_score = draft, score
        return best if best_score >= 2 else None

    def _add_request(self, rendered, clause, owner, text, pronoun_only, due) -> None:
        message = rendered.record
        owner_id = owner[0] if owner else None
        if pronoun_only:
            # "we need to turn on X, can someone do that tonight?": the same need, now with a deadline.
            for draft in reversed(self.drafts):
                if message.id in draft.sources and draft.status == "open":
                    if due is not None:
                        draft.due = due
                    if owner_id and draft.owner_id is None:
                        draft.owner_id, draft.owner_name = owner
                    return
        same = self._same_task(owner_id, text) if owner_id else None
        if same is not None:
            if due is not None:
                same.due = due
            self._touch(same, message)
            return
        if pronoun_only and not owner_id:
            return
        self.drafts.append(self._new("request", text, owner, message.author_id, due, rendered, clause))

    def _new(self, kind, text, owner, requester_id, due, rendered, clause) -> _Draft:
        message = rendered.record
        return _Draft(
            kind=kind,
            text=text,
            owner_id=owner[0] if owner else None,
            owner_name=owner[1] if owner else None,
            requester_id=requester_id,
            due=due,
            sources=[message.id],
            created_index=self.index,
            said_at=message.created_at,
            evidence=clause.raw,
            last_index=self.index,
        )

    def _touch(self, draft: _Draft, message: MessageRecord) -> None:
        if message.id not in draft.sources:
            draft.sources.append(message.id)
        draft.last_index = self.index

    def _change(self, kind: str, message: MessageRecord, draft: _Draft) -> TaskChange:
        status = {"done": "done", "cancelled": "cancelled"}.get(kind, draft.status)
        return TaskChange(kind=kind, message_id=message.id, actor_id=message.author_id, at=message.created_at, status=status, owner_id=draft.owner_id)


# "double check", "quickly fix": the verb is the second word.
VERB_MODIFIERS = frozenset({"double", "triple", "quickly", "re", "also", "just", "properly", "finally"})
CONTEXT_PRONOUNS = frozenset({"it", "this", "that", "them", "these", "those"})
SEND_VERBS = frozenset({"send", "share", "post", "upload", "forward", "attach"})
STOP_NAMES = frozenset({"me", "you", "we", "i", "it", "ok", "okay", "so", "yes", "no", "hey", "hi", "also", "and", "the", "dev", "team", "all", "everyone"})


def _looks_like_work(word: str) -> bool:
    return word.lower() in ACTION_VERBS or base_form(word) in ACTION_VERBS


def _looks_like_verb(word: str) -> bool:
    word = word.lower()
    if word in ACTION_VERBS or base_form(word) in ACTION_VERBS:
        return True
    if word in NON_ACTION_VERBS or word in STOP_NAMES:
        return False
    # Unknown words pass unless they are clearly not verbs (articles, pronouns, numbers).
    return word.isalpha() and word not in {"the", "a", "an", "my", "your", "our", "their", "this", "that", "it", "there", "here", "some", "any", "too", "so", "sure", "also", "not"}


def _snippet(text: str) -> str | None:
    snippet = _INTERJECTION.sub("", text)
    snippet = re.sub(r"^(?:(?:one more thing|also|btw|fyi|so|and|hey|hi|reminder)\W+|@\w+\W*)+", "", snippet, flags=re.IGNORECASE)
    snippet = _TRAILING_FILLER.sub("", snippet).strip()
    tokens = snippet.split()
    if len(tokens) < 2:
        return None
    return " ".join(tokens[:CONTEXT_WORDS]) + (" ..." if len(tokens) > CONTEXT_WORDS else "")


def _only_a_date(text: str, said_at: datetime, tz: ZoneInfo) -> bool:
    """"never mind monday": what is called off is a day, not the task."""
    head = re.split(r"[,.;!?]", text, maxsplit=1)[0].strip()
    due = find_due(head, said_at, tz) if head else None
    return bool(due) and not content_stems(head[: due.start] + head[due.end :])


def _due_span(text: str, due: Due) -> tuple[int, int] | None:
    # The phrase was found in the same words: find it again with its preposition.
    pattern = re.compile(
        r"(?:\b(?:by|before|until|till|on|for|due|in|within|at|around|no later than)\s+)?" + re.escape(due.text), re.IGNORECASE
    )
    match = pattern.search(text)
    return (match.start(), match.end()) if match else None


def _strip_article_free(topic: str) -> str:
    return re.sub(r"^\s*(?:so|ok|also|and)\s+", "", topic.strip(), flags=re.IGNORECASE)


def _to_task(draft: _Draft, channel_id: int | None) -> ExtractedTask:
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


def find_drafts(messages: Iterable[MessageRecord], *, timezone: str | ZoneInfo = "UTC", loose: bool = False) -> list[_Draft]:
    return [d for d in _Tracker(list(messages), zone(timezone), loose=loose).run() if not d.refused]


def extract_tasks(
    messages: Iterable[MessageRecord], *, timezone: str | ZoneInfo = "UTC", include_tentative: bool = False
) -> list[ExtractedTask]:
    """The action items in `messages` (any order; bots ignored), with their state at the end of the window.

    Pure and deterministic: rules only, no model. Deadlines resolve in `timezone` (IANA name).
    `include_tentative` also returns suggestions and hedged offers ("we should ...", "I'll
    probably ..."), marked `tentative`, for a model pass to confirm or drop.
    """
    messages = list(messages)
    tz = zone(timezone)
    drafts = find_drafts(messages, timezone=tz, loose=include_tentative)
    channel_id = messages[0].channel_id if messages else None
    return [_to_task(draft, channel_id) for draft in drafts]
