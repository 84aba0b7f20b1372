"""The offline recap: topics, final decisions, action items with their final state, open questions, key facts.

No model weights: messages are classified with rules (decision, outcome, plan, reversal, question,
filler, spam), plans and decisions that later messages overturned are set aside, the tasks agent
gives each action item's owner, due date and final state, and every line is written from a
template around the key clause of the messages it cites. Every line then passes the grounding
check (agents/summarize/grounding.py) like any model's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from agents.markup import clean_name
from agents.records import MessageRecord
from agents.summarize.extractive import score_messages
from agents.summarize.grounding import (
    INVITE_LINK,
    GroundingReport,
    ground_lines,
    key_clause,
    relays_instruction,
)
from agents.summarize.segment import segments
from agents.summarize.summary import Bullet
from agents.summarize.textsim import words as words_of

# Section names a Bullet carries; the renderers show them in this order under these headings.
TOPIC, DECISION, ACTION, QUESTION, FACT, NOTE = "topic", "decision", "action", "question", "fact", "note"
SECTIONS = (TOPIC, DECISION, ACTION, QUESTION, FACT, NOTE)
HEADINGS = {
    TOPIC: "",
    DECISION: "Decisions",
    ACTION: "Action items",
    QUESTION: "Open questions",
    FACT: "Key numbers, dates and links",
    NOTE: "",
}

MAX_TOPICS = 6
CLAUSES_PER_TOPIC = 2
MAX_DECISIONS = 8
MAX_ACTIONS = 12
MAX_QUESTIONS = 4
MAX_FACTS = 5
TOPIC_CLAUSE_CHARS = 140
# A question is answered when someone else writes within this many messages and this long after it.
ANSWER_WITHIN_MESSAGES = 3
ANSWER_WITHIN = timedelta(hours=2)
# A later message may overturn a plan or decision this long after it.
SUPERSEDE_WITHIN = timedelta(days=3)
SUPERSEDE_LOOKBACK = 150  # messages: keeps the pass linear in the window's size

_FILLER_HOSTS = re.compile(r"\b(tenor\.com|giphy\.com|gfycat\.com|imgur\.com|media\.discordapp\.net)\b", re.IGNORECASE)
_LAUGH = re.compile(
    r"^(l+o+l+|lmf?a+o+|ha(ha)+|he(he)+|rofl|xd+|omg|same|classic|nice|lol+|ty|thx|thanks?( you)?|ok(ay)?|yes|yep|no|nope|\W+)$",
    re.IGNORECASE,
)
_DECISION = re.compile(
    r"(^(ok(ay)?|alright|agreed|deal|decided|final(ly)?|so)\b(?![,!.]*\s*(\?|$|will\b|i'?ll\b|i will\b|i can\b|thanks?\b|on it\b|sure\b))|"
    r"\blet'?s (go with|do|keep|ship|move|use|switch|cancel|stick|skip|drop|make|book)\b|"
    r"\bwe('ll| will)? (go with|use|keep|ship|switch|move|do|stay)\b|\b(decided|decision is|agreed|settled)\b|"
    r"\bit is\b[.!]*$|\b(going with|moves? to|moving (it |us )?to|switch(ing)? to|stays?|keep(ing)? (it|the)\b)|"
    r"\bis (a|the) (release )?blocker\b|\bnot (in|going to make it)\b|\bno \w+\b.*\bonly\b)",
    re.IGNORECASE,
)
_PROPOSAL = re.compile(
    r"\b(how about|what about|options?:?|shortlist|should we|could we|works for me|fine by me|either works)\b|\)? or \w",
    re.IGNORECASE,
)
_OUTCOME = re.compile(
    r"\b(done|finished|merged|booked|sent|shipped|released|published|submitted|uploaded|rendered|fixed|"
    r"resolved|solved|restored|deployed|live|is up|are up|went out|is out|replaced|approved|reviewed|"
    r"cancell?ed|cancell?ing|removed|banned|moved)\b|✅|🎉",
    re.IGNORECASE,
)
_CAUSE = re.compile(r"\b(because|caused by|it's the|it is the|bug in|the cause|root cause|that lines up|found it)\b", re.IGNORECASE)
_REVERSAL = re.compile(
    r"\b(actually|change of plan|instead|scratch that|never ?mind|no longer|not anymore|anymore|cancel\w*|"
    r"bad news|moved (us|it)|off your plate|is yours|can you (run|take|do|own)|take (it|over)|i'?m out)\b",
    re.IGNORECASE,
)
_PLAN = re.compile(r"\b(i'?ll|i will|i can|i'?m going to|i'?m gonna|we'?ll|we will|let'?s)\b", re.IGNORECASE)
_FACTS = re.compile(
    r"(\d|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*\b|\[[\w.-]+ (PR|issue) #\d+\]|#\d+)",
    re.IGNORECASE,
)
_NUMBERISH = re.compile(r"\d")
_NOTES = re.compile(r"\[(code|attachment|embed|file|spoiler)[^\]]*\]")
# "Wednesday or Thursday", "8 or 9": options on the table, not facts.
_ALTERNATIVES = re.compile(r"\b(\w*day|\d[\w:.]*)\s+or\s+(\w*day|\d[\w:.]*)\b", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9][a-z0-9'_.-]*[a-z0-9]|[a-z0-9]", re.IGNORECASE)


@dataclass(slots=True)
class _Message:
    index: int
    record: MessageRecord
    body: str
    words: frozenset[str]
    author: str
    spam: bool = False
    filler: bool = False
    question: bool = False
    decision: bool = False
    outcome: bool = False
    plan: bool = False
    superseded: bool = False


def _classify(index: int, record: MessageRecord, body: str, words: Sequence[str]) -> _Message:
    author = clean_name(record.author_name)
    message = _Message(index, record, body, frozenset(words), author)
    text = body.strip()
    message.spam = relays_instruction(record.content or "") or bool(INVITE_LINK.search(text))
    without_links = re.sub(r"\[(link|file)[^\]]*\]|https?://\S+", "", text).strip()
    message.filler = (
        bool(_FILLER_HOSTS.search(record.content or ""))
        and len(words) <= 3
        or len(words) < 2
        and not _NUMBERISH.search(without_links)
        or bool(_LAUGH.match(without_links))
    )
    sentences = _sentences(text)
    message.question = (
        text.endswith("?")
        or bool(_ASKS.match(text))
        and len(sentences) == 1
        or (any(x.rstrip().endswith("?") for x in sentences) and not _OUTCOME.search(text) and not _DECISION.search(text))
    )
    message.decision = (
        any(_DECISION.search(sentence) and not sentence.rstrip().endswith("?") and not _PROPOSAL.search(sentence) for sentence in sentences)
        and not message.question
    )
    message.outcome = bool(_OUTCOME.search(text))
    message.plan = bool(_PLAN.search(text))
    return message


# Laughter, in words or in emoji only: "LMFAOOO", "💀💀", "😂".
_LAUGHTER = re.compile(
    r"^\W*(?:l+o+l+|lmf?a+o+|ha(?:ha)+|he(?:he)+|rofl|xd+|dead|i'?m dead|bruh)\W*$|^[\s\U0001F480\U0001F602\U0001F923\U0001F62D\U0001F606]+$",
    re.IGNORECASE,
)
_LAUGH_IN = re.compile(r"\b(?:lol|lmao|lmfao|rofl|jk|haha+)\b|[\U0001F602\U0001F923\U0001F480]", re.IGNORECASE)


def _mark_jokes(messages: list[_Message]) -> None:
    """Jokes are filler: a message someone else laughs at next ("my cat bought a skin" -> "💀💀"), one that laughs
    itself, and the riff that follows a joke on its words ("the cat is the main character now")."""
    jokes: set[int] = set()
    for m in messages:
        if m.filler or m.spam or m.decision and not _LAUGH_IN.search(m.body):
            continue
        following = [n for n in messages[m.index + 1 : m.index + 3] if n.author != m.author]
        laughed_at = bool(following) and bool(_LAUGHTER.match(following[0].record.content or ""))
        if laughed_at or _LAUGH_IN.search(m.body) and not (m.outcome or m.plan):
            jokes.add(m.index)
    for m in messages[1:]:
        if m.decision or m.outcome or m.plan or m.question or m.filler:
            continue
        # The message it follows, past reactions ("💀💀"): a riff on a joke shares its words.
        before = next((n for n in reversed(messages[max(0, m.index - 3) : m.index]) if not n.filler or n.index in jokes), None)
        if before is not None and before.index in jokes and before.author != m.author and (m.words & before.words) - _COMMON_WORDS:
            jokes.add(m.index)
    for index in jokes:
        messages[index].filler = True


_COMMON_WORDS = frozenset(
    {"the", "a", "an", "is", "it", "to", "of", "and", "i", "you", "we", "my", "in", "on", "for", "now", "so", "that", "this"}
)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _sentence_join(parts: Sequence[str]) -> str:
    """Sentences joined with full stops, none doubled and none after a colon."""
    out = []
    for part in parts:
        part = part.strip().rstrip(":;,")
        out.append(part if part.endswith((".", "!", "?", "…")) else part + ".")
    return " ".join(out)


def _overlaps(a: _Message, b: _Message, names: frozenset[str]) -> bool:
    shared = (a.words & b.words) - names
    return bool(shared)


def _mark_superseded(messages: list[_Message], names: frozenset[str]) -> None:
    """Plans and decisions a later message overturned (handed over, cancelled, done, decided otherwise)."""
    by_id = {m.record.id: m for m in messages}
    for later in messages:
        if later.spam or later.filler:
            continue
        replied = by_id.get(later.record.reply_to_id) if later.record.reply_to_id is not None else None
        for earlier in messages[max(0, later.index - SUPERSEDE_LOOKBACK) : later.index]:
            if earlier.superseded or earlier.spam or not (earlier.plan or earlier.decision):
                continue
            if later.record.created_at - earlier.record.created_at > SUPERSEDE_WITHIN:
                continue
            related = replied is earlier or _overlaps(earlier, later, names)
            if not related:
                continue
            reverses = bool(_REVERSAL.search(later.body))
            if earlier.decision:
                # A decision falls to a later decision that answers it or says it reverses one.
                overturned = later.decision and (replied is earlier or reverses)
            else:
                # A plan falls when it is handed over or cancelled, or its author reports it done.
                overturned = reverses or (later.outcome and later.author == earlier.author and not later.plan)
            if overturned:
                earlier.superseded = True


_CHOICE = re.compile(r"\b(or|should we|do we|shall we|keep it|vs\.?)\b", re.IGNORECASE)
# People often drop the question mark: "can we do a day trip to sintra" asks, it does not decide.
_ASKS = re.compile(
    r"^(can|could|should|would|shall|will|do|does|did|is|are|was|were|have|has|what|when|where|who|whom|which|why|how|"
    r"anyone|any ?one|does anyone|is there|wait,? is)\b",
    re.IGNORECASE,
)


def _mark_answers_to_choices(messages: list[_Message]) -> dict[int, _Message]:
    """Answers to "X or Y?" questions are decisions; returns {decision index: the question it settles}."""
    settled: dict[int, _Message] = {}
    for m in messages:
        if not m.question or m.spam or m.filler or not _CHOICE.search(m.body):
            continue
        for later in messages[m.index + 1 : m.index + 1 + ANSWER_WITHIN_MESSAGES]:
            if later.question or later.filler or later.spam or later.author == m.author:
                continue
            if later.record.created_at - m.record.created_at > ANSWER_WITHIN:
                break
            if later.record.reply_to_id != m.record.id and not _answers(m, later):
                continue  # "my cat has been informed of friday" after "do we stream it or nah?": not an answer
            if not later.decision and (later.record.reply_to_id == m.record.id or later.index == m.index + 1 or later.plan is False):
                later.decision = True
            settled.setdefault(later.index, m)
            break
    # A decision that follows its question closely is about that question ("ok keeping it").
    for m in messages:
        if m.decision and not m.filler and m.index not in settled:
            for earlier in reversed(messages[max(0, m.index - 6) : m.index]):
                if earlier.question and not earlier.spam and _CHOICE.search(earlier.body):
                    settled[m.index] = earlier
                    break
    return settled


def _answers(question: _Message, later: _Message) -> bool:
    """Whether a later message reads as an answer: it shares a word with the question or opens with yes/no/an option."""
    if (later.words & question.words) - _COMMON_WORDS:
        return True
    return bool(
        re.match(
            r"^\W*(?:yes|yeah|yep|yup|no|nah|nope|sure|ok|okay|definitely|absolutely|let'?s|both|neither)\b", later.body, re.IGNORECASE
        )
    )


MIN_TOPIC_INFORMATION = 1.0


def _informative(message: _Message, centrality: float) -> float:
    score = min(len(message.words), 14) / 14 + centrality
    score += 0.6 * min(3, len(_FACTS.findall(message.body)))
    if message.outcome:
        score += 0.8
    if _CAUSE.search(message.body):
        score += 0.6
    if message.decision:
        score += 0.5
    if message.question:
        score -= 1.0
    return score


def _clause(message: _Message, limit: int = TOPIC_CLAUSE_CHARS, prefer: re.Pattern[str] | None = None) -> str:
    return key_clause(message.body, limit=limit, prefer=prefer or _FACTS).rstrip(".")


def _says(message: _Message, limit: int = TOPIC_CLAUSE_CHARS) -> str:
    """`Author: clause`, or `Author (outcome): clause` style sentences from one message."""
    clause = _clause(message, limit)
    if _CAUSE.search(message.body):
        return f"{message.author} found: {clause}"
    if message.outcome and not message.plan:
        return f"{message.author} reported: {clause}"
    return f"{message.author}: {clause}"


def _pretty_due(task: object) -> str:
    due_text = getattr(task, "due_text", None)
    return f", due {due_text}" if due_text else ""


def _action_line(task: object, names_by_id: dict[int, str], by_id: dict[int, _Message]) -> tuple[str, tuple[int, ...]] | None:
    owner = clean_name(getattr(task, "owner_name", None) or "", "") or "unassigned"
    sources = tuple(i for i in getattr(task, "source_message_ids", ()) if i in by_id)
    status = getattr(task, "status", "open")
    if not sources or any(by_id[i].spam for i in sources):
        return None
    text = " ".join(str(getattr(task, "task", "")).split())
    text = re.sub(r"\s*\(re: .*?\)?$", "", text)  # the tasks agent's context note; the links carry it
    if not text:
        return None
    origin = by_id[sources[0]]
    if status == "open" and origin.superseded:
        return None  # a plan a later message handed over, cancelled or replaced: not current
    if len(words_of(text)) < 2:
        # "Take it", "Same": the tasks agent's wording is too thin to read alone; say it with the
        # key clause of the message the task came from.
        clause = _clause(origin, limit=120)
        text = clause if origin.author == owner else f"asked by {origin.author}: {clause}"
    state = {"done": "done", "cancelled": "cancelled"}.get(status, "open")
    changes = list(getattr(task, "changes", ()) or ())
    handed = [c for c in changes if getattr(c, "kind", "") == "reassigned"]
    if handed:
        state += f", handed to {owner}"
    last = changes[-1].message_id if changes else None
    cited = tuple(dict.fromkeys([sources[0], *([last] if last in by_id else []), *sources[1:]]))[:3]
    if state != "open" and last in by_id and last != sources[0] and not by_id[last].filler:
        # How it ended, in the words of the message that ended it ("done: merged (PR #233)").
        state = f"{state}: {_clause(by_id[last], limit=90, prefer=_OUTCOME)}"
    return f"{owner}: {text}{_pretty_due(task)} ({state})", cited


def build_recap(
    records: Sequence[MessageRecord],
    bodies: Sequence[str],
    message_words: Sequence[Sequence[str]],
    starts: Sequence[int],
    *,
    tasks: Sequence[object] | None = None,
    timezone: str = "UTC",
    report: GroundingReport | None = None,
) -> list[Bullet]:
    """The recap's lines, grounded, each with its section and the messages it cites.

    `tasks` are the tasks agent's ExtractedTask results for these messages (extracted here when
    None). `report` collects what the grounding check did.
    """
    if not records:
        return []
    messages = [_classify(i, r, b, w) for i, (r, b, w) in enumerate(zip(records, bodies, message_words, strict=False))]
    _mark_jokes(messages)
    by_id = {m.record.id: m for m in messages}
    names = frozenset(w.lower() for m in messages for w in _WORDS.findall(m.author))
    settles = _mark_answers_to_choices(messages)
    _mark_superseded(messages, names)
    # Two decisions on one question: the later one is the decision ("keep" votes, then "ok keeping it").
    last_on: dict[int, int] = {}
    for index, question in sorted(settles.items()):
        if messages[index].decision:
            previous = last_on.get(question.index)
            if previous is not None:
                messages[previous].superseded = True
            last_on[question.index] = index
    raw_scores = score_messages(message_words, starts)
    top = float(raw_scores.max()) if len(raw_scores) and raw_scores.max() > 0 else 1.0
    centrality = np.asarray(raw_scores) / top
    if tasks is None:
        from agents.tasks import extract_tasks

        tasks = extract_tasks(records, timezone=timezone)
    task_sources = {i for t in tasks for i in getattr(t, "source_message_ids", ())[:1]}

    lines: list[tuple[str, str, tuple[int, ...]]] = []  # (section, text, cited ids)
    eligible = [m for m in messages if not (m.spam or m.filler)]

    # --- topics: per conversation segment, what happened and what was decided ---
    parts = [p for p in segments(len(messages), starts)]
    ranked_parts = sorted(parts, key=lambda p: -sum(1 for i in p if not (messages[i].spam or messages[i].filler)))[:MAX_TOPICS]
    for part in sorted(ranked_parts, key=lambda p: p.start):
        members = [messages[i] for i in part if not (messages[i].spam or messages[i].filler)]
        if len(members) < 2:
            continue
        picks = sorted(
            (
                m
                for m in members
                if not m.superseded
                and not m.question
                and m.record.id not in task_sources
                and _informative(m, centrality[m.index]) >= MIN_TOPIC_INFORMATION
                and len(m.words) >= 3
            ),
            key=lambda m: (-_informative(m, centrality[m.index]), m.index),
        )[: CLAUSES_PER_TOPIC + (1 if len(members) > 15 else 0)]
        decided = [m for m in members if m.decision and not m.superseded]
        final = decided[-1] if decided else None
        if final is not None and final in picks:
            picks.remove(final)
        if not picks and final is None:
            continue
        picks.sort(key=lambda m: m.index)
        sentences = [_says(m) for m in picks]
        if final is not None:
            sentences.append(f"Decided: {_clause(final, prefer=_DECISION)} ({final.author})")
        cited = tuple(m.record.id for m in [*picks, *([final] if final else [])])
        lines.append((TOPIC, _sentence_join(sentences), cited))

    # --- decisions: the final ones ---
    decisions = [m for m in eligible if m.decision and not m.superseded][-MAX_DECISIONS:]
    for m in decisions:
        settled = settles.get(m.index)
        if settled is not None:
            asked = _clause(settled, limit=110, prefer=re.compile(r"\?"))
            lines.append((DECISION, f"{_clause(m, prefer=_DECISION)} ({m.author}), on: {asked}", (m.record.id, settled.record.id)))
        else:
            lines.append((DECISION, f"{_clause(m, prefer=_DECISION)} ({m.author})", (m.record.id,)))

    # --- action items, with the state the tasks agent found at the end of the window ---
    names_by_id = {m.record.author_id: m.author for m in messages}
    shown_tasks = 0
    for task in sorted(tasks, key=lambda t: (getattr(t, "status", "open") == "open", min(getattr(t, "source_message_ids", (0,)) or (0,)))):
        if shown_tasks >= MAX_ACTIONS:
            break
        line = _action_line(task, names_by_id, by_id)
        if line:
            lines.append((ACTION, *line))
            shown_tasks += 1

    # --- open questions: asked and never answered ---
    questions = []
    for m in eligible:
        if not m.question or len(m.words) < 2:
            continue
        after = messages[m.index + 1 : m.index + 1 + ANSWER_WITHIN_MESSAGES]
        replied = any(x.record.reply_to_id == m.record.id for x in messages[m.index + 1 :])
        # A short "yes obviously" answers a yes/no question; a gif does not.
        answered = replied or any(
            x.author != m.author
            and not x.spam
            and not _FILLER_HOSTS.search(x.record.content or "")
            and x.record.created_at - m.record.created_at <= ANSWER_WITHIN
            for x in after
        )
        if not answered:
            questions.append(m)
    for m in questions[-MAX_QUESTIONS:]:
        asked_text = key_clause(m.body, limit=TOPIC_CLAUSE_CHARS, prefer=re.compile(r"\?"))
        lines.append((QUESTION, f"{m.author} asked: {asked_text}", (m.record.id,)))

    # --- key numbers, dates and links not already cited ---
    cited_ids = {i for _, _, ids in lines for i in ids}
    facts = sorted(
        (
            m
            for m in eligible
            if not m.superseded
            and not m.question
            and m.record.id not in cited_ids
            and _FACTS.search(_NOTES.sub("", m.body))
            and len(m.words) >= 2
            and not _ALTERNATIVES.search(m.body)
        ),
        key=lambda m: (-len(_FACTS.findall(m.body)), m.index),
    )[:MAX_FACTS]
    for m in sorted(facts, key=lambda m: m.index):
        lines.append((FACT, f"{m.author}: {_clause(m)}", (m.record.id,)))

    # --- a window too small for any section still says what it holds ---
    if not lines and eligible:
        best = max(eligible, key=lambda m: (_informative(m, centrality[m.index]), -m.index))
        lines.append((TOPIC, _sentence_join([_says(best)]), (best.record.id,)))

    # --- what was left out on purpose ---
    spammers = list(dict.fromkeys(m.author for m in messages if m.spam))
    if spammers:
        who = ", ".join(spammers[:3]) + (f" and {len(spammers) - 3} more" if len(spammers) > 3 else "")
        ids = tuple(m.record.id for m in messages if m.spam)[:3]
        lines.append((NOTE, f"{who} posted spam or tried to give the bot instructions (not relayed)", ids))

    report = report if report is not None else GroundingReport()
    records_by_id = {r.id: r for r in records}
    shown: list[Bullet] = []
    for section in SECTIONS:
        section_lines = [(text, ids) for s, text, ids in lines if s == section]
        grounded = ground_lines(section_lines, records_by_id, report, fallback_to_quote=section == TOPIC)
        seen = {b.text for b in shown}
        shown += [Bullet(text, ids, section) for text, ids in grounded if text not in seen]
    return shown


def grouped(bullets: Sequence[Bullet]) -> list[tuple[str, list[Bullet]]]:
    """(heading, lines) per section in reading order; the topics and the notes have no heading."""
    groups = []
    for section in SECTIONS:
        members = [b for b in bullets if getattr(b, "section", TOPIC) == section]
        if members:
            groups.append((HEADINGS[section], members))
    known = set(SECTIONS)
    others = [b for b in bullets if getattr(b, "section", TOPIC) not in known]
    if others:
        groups.append(("", others))
    return groups
