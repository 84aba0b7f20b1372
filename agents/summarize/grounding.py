"""The grounding check every summary line passes before it is shown, whoever wrote it.

A line may only state names, numbers, dates and quotations that occur in the messages it cites.
A line that states more is repaired (its unsupported clauses dropped) or replaced by the key
clause of its best source message, or dropped; `GroundingReport` counts each case so the
coverage note can say exactly what happened. Lines that look cut off (an unclosed quote, a
trailing "and", half a word) and lines that relay an instruction to the bot or an invite link
never pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from agents.markup import clean_name, clean_text, plain_text
from agents.records import MessageRecord

# Weekday, month and relative-day words: a line that names one must find it in its sources.
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_RELATIVE_DAYS = ("today", "tonight", "tomorrow", "yesterday", "weekend")
_DATE_WORD = re.compile(
    r"\b(" + "|".join(_WEEKDAYS + _MONTHS[:4] + _MONTHS[5:] + _RELATIVE_DAYS) + r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])\$?\d+(?:[.,:]\d+)*")
_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,})[\"“”]")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’_-]*")
_CAPITALIZED = re.compile(r"(?<![\w@#/.-])([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*)\b")
_SENTENCE_START = re.compile(r"(^|[.!?:;•]\s+|\(\s*|\n\s*|—\s+|-\s+)$")

# Instructions aimed at the bot, and invite links: relayed as content they would make the bot the
# spammer's megaphone. A line with one is never shown; the recap says someone tried it.
INSTRUCTION_TO_BOT = re.compile(
    r"\b(ignore (all |any |the )?(previous|prior|above|earlier) (instructions|prompts?|messages)|"
    r"disregard (all |the |your )?(previous|prior|above) |system prompt|you are now (a|an|the)\b|"
    r"(new|updated) instructions?:|act as (a|an|the)\b|jailbreak|"
    r"(summari[sz]er?|bot|assistant)[,:]? (must|should|please|now) )",
    re.IGNORECASE,
)
INVITE_LINK = re.compile(r"(discord\.gg|discord(app)?\.com/invite|dsc\.gg|discord\.me)/\S*", re.IGNORECASE)

# Words a line may end with only when it was cut off mid-sentence.
_DANGLING = frozenset(
    """a an the to and or of for with in on at by from but that which who we i you he she they it is are was
    were be been being will would should can could must my our your their his her its this these those if so as
    than then when while because about into onto over under need needs needed want wants let lets
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

# Words the recap's own templates write; they are not facts of the conversation.
TEMPLATE_WORDS = frozenset(
    """decided decision decisions outcome open done cancelled canceled handed asked questions question action
    items item key numbers links topic topics due owner unassigned still reassigned from to and later also
    posted spam tried instruct bot not relayed message messages said says the a an of in on by for with""".split()  # noqa: SIM905
)


def _tail(text: str, count: int = 3) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower())[-count:])


def _norm(text: str) -> str:
    """Lower-case, every run of non-alphanumerics one space: for substring tests of quotations."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


@dataclass(frozen=True, slots=True)
class Sources:
    """What the cited messages say, in every form a line may echo: raw, rendered, condensed."""

    text: str  # lower-cased, all forms joined
    normalized: str
    words: frozenset[str]
    authors: tuple[str, ...]
    endings: frozenset[str] = frozenset()  # the last words of each message: a line ending there is not cut

    @classmethod
    def of(cls, messages: Iterable[MessageRecord]) -> Sources:
        parts: list[str] = []
        authors: list[str] = []
        endings: set[str] = set()
        for message in messages:
            name = clean_name(message.author_name, "")
            authors.append(name)
            forms = [message.content or "", plain_text(message), plain_text(message, compact=True)]
            parts += [name, *forms]
            for form in forms:
                for sentence in re.split(r"(?<=[.!?])\s+|\n+", form):
                    endings.add(_tail(sentence, 2))
            parts += [clean_name(n, "") for n in (message.mention_names or {}).values()]
            parts += [clean_name(n, "") for n in (message.channel_names or {}).values()]
        text = "\n".join(parts).lower()
        words = {w.lower() for w in _WORD.findall(text)}
        words |= {w[:-2] for w in words if w.endswith(("'s", "’s"))}  # "thursday's" also says "thursday"
        return cls(text, _norm(text), frozenset(words), tuple(authors), frozenset(endings - {""}))

    def has_word(self, word: str) -> bool:
        word = word.lower().strip("'’")
        if word in self.words:
            return True
        # "Jonas's" / "PRs": the word itself with a possessive or plural ending.
        return any(word.endswith(suffix) and word[: -len(suffix)] in self.words for suffix in ("'s", "’s", "es", "s"))

    def has_number(self, number: str) -> bool:
        number = number.lstrip("$")
        return re.search(r"(?<!\d)" + re.escape(number) + r"(?!\d)", self.text) is not None

    def has_quote(self, quote: str) -> bool:
        return _norm(quote) in self.normalized


def unsupported_facts(line: str, sources: Sources, *, allowed: Iterable[str] = (), people: frozenset[str] = frozenset()) -> list[str]:
    """The names, numbers, dates and quotations in `line` that its sources do not contain.

    `people` are the lower-cased name words of everyone in the window: such a word is a name even
    where a sentence starts ("Jonas fixed it" cites a message Jonas is not part of).
    """
    allowed_words = {w.lower() for w in allowed} | TEMPLATE_WORDS
    missing: list[str] = []
    for match in _QUOTED.finditer(line):
        if not sources.has_quote(match.group(1)):
            missing.append(f'"{match.group(1)}"')
    for match in _NUMBER.finditer(line):
        if not sources.has_number(match.group(0)):
            missing.append(match.group(0))
    for match in _DATE_WORD.finditer(line):
        if not sources.has_word(match.group(0)) and match.group(0).lower() not in allowed_words:
            missing.append(match.group(0))
    for match in _CAPITALIZED.finditer(line):
        word = match.group(1)
        if word.lower() in allowed_words or sources.has_word(word):
            continue
        if _SENTENCE_START.search(line[: match.start()]) and not _looks_like_name(word) and word.lower() not in people:
            continue  # a capital because a sentence starts here, not because it is a name
        missing.append(word)
    return list(dict.fromkeys(missing))


def _looks_like_name(word: str) -> bool:
    # CamelCase or a digit inside ("PyTorch", "Mx3") is a name wherever it stands.
    return any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)


def people_words(messages: Iterable[MessageRecord]) -> frozenset[str]:
    """The lower-cased words of every author's and mentioned member's name in `messages`."""
    found: set[str] = set()
    for message in messages:
        for name in (message.author_name, *(message.mention_names or {}).values()):
            found.update(w.lower() for w in _WORD.findall(clean_name(name, "")) if len(w) > 1)
    return frozenset(found - TEMPLATE_WORDS)


def relays_instruction(text: str) -> bool:
    """True when `text` passes on an instruction to the bot or an invite link."""
    return bool(INSTRUCTION_TO_BOT.search(text) or INVITE_LINK.search(text))


def looks_cut(line: str, sources: Sources | None = None) -> bool:
    """True when `line` stops mid-sentence: an open quote or bracket, a dangling word, half a word."""
    text = line.strip()
    if not text:
        return True
    if text.count('"') % 2 or text.count("“") != text.count("”"):
        return True
    if text.count("(") > text.count(")") or text.count("[") > text.count("]"):
        return True
    if text[-1] in ",:;-–—(/&" or text.endswith("..."):
        return True
    tail = re.findall(r"[A-Za-z0-9][A-Za-z0-9'’_-]*", text)
    if not tail:
        return False
    last = tail[-1]
    if sources is not None and _tail(text, 2) in sources.endings:
        return False  # it ends where its source message (or one of its sentences) ends
    if last.lower() in _DANGLING and not text.endswith(("?", "!", ".")):
        return True
    if sources is not None and text[-1].isalnum() and not sources.has_word(last):
        # The last word is the beginning of a source word ("implementat" of "implementation").
        low = last.lower()
        if len(low) >= 2 and any(w.startswith(low) and len(w) > len(low) for w in sources.words):
            return True
    return False


# A model's own line (strict): at most this share of its content words may be missing from its
# sources. SmolLM2 wrote "Deployed v4.12.0 to 200 servers with 80% capacity" from messages that hold
# 4.12.0, 200 and 80% but say nothing of servers or capacity: every number checks out, the claim is
# invented. Words the cited messages never use are where such claims show.
STRICT_MISSING_SHARE = 0.2


def unsupported_words(line: str, sources: Sources) -> list[str]:
    """Content words of `line` (stopwords, names and numbers aside) its sources never use."""
    from agents.summarize.textsim import words as content_words

    known = {w for w in (content_words(sources.text))}
    return [w for w in content_words(line) if w not in known and not any(c.isdigit() for c in w)]


def check_line(
    line: str,
    sources: Sources,
    *,
    allowed: Iterable[str] = (),
    people: frozenset[str] = frozenset(),
    strict: bool = False,
) -> list[str]:
    """Why `line` may not be shown (empty when it may). `strict` is for a model's own wording."""
    problems = [f"unsupported {fact}" for fact in unsupported_facts(line, sources, allowed=allowed, people=people)]
    if strict:
        from agents.summarize.textsim import words as content_words

        missing = unsupported_words(line, sources)
        total = len(content_words(line))
        if missing and (len(missing) > 1 and len(missing) > STRICT_MISSING_SHARE * total):
            problems.append(f"words its sources never use: {', '.join(missing[:5])}")
    if looks_cut(line, sources):
        problems.append("cut off")
    if relays_instruction(line):
        problems.append("relays an instruction or invite")
    return problems


_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\s+[—–]\s+|,\s+(?=(?:and|but|so|then|which|while|because)\b)")


def repair_line(
    line: str,
    sources: Sources,
    *,
    allowed: Iterable[str] = (),
    people: frozenset[str] = frozenset(),
    strict: bool = False,
) -> str | None:
    """`line` without its unsupported clauses, or None when too little of it is left to say anything."""
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(line) if c and c.strip()]
    if len(clauses) < 2:
        return None
    kept = [c for c in clauses if not check_line(c, sources, allowed=allowed, people=people, strict=strict)]
    if not kept or len(" ".join(kept)) < 0.4 * len(line) or len(_WORD.findall(" ".join(kept))) < 4:
        return None
    repaired = " ".join(c if c[-1] in ".!?" else c + "." for c in kept)
    return repaired if not check_line(repaired, sources, allowed=allowed, people=people, strict=strict) else None


MAX_CITATIONS = 5


def _cite_more(
    text: str,
    ids: tuple[int, ...],
    cited: list[MessageRecord],
    pool: list[MessageRecord],
    allowed: tuple[str, ...],
    people: frozenset[str],
) -> tuple[tuple[int, ...], list[MessageRecord]]:
    """Cited messages plus, for each unsupported fact, the first pool message that states it."""
    ids, cited = tuple(ids), list(cited)
    for fact in unsupported_facts(text, Sources.of(cited), allowed=allowed, people=people):
        if len(cited) >= MAX_CITATIONS:
            break
        probe = fact.strip('"')
        for message in pool:
            if message.id in ids:
                continue
            one = Sources.of([message])
            if one.has_quote(probe) if fact.startswith('"') else (one.has_number(probe) or one.has_word(probe)):
                ids, cited = ids + (message.id,), cited + [message]
                break
    return ids, cited


# --- key clauses: the last resort of quoting a message, compressed, never cut mid-word ---

KEY_CLAUSE_CHARS = 160
_CLAUSES = re.compile(r"(?<=[.!?;])\s+|\s+[—–]\s+|\s+/\s+|\n+")
_SUBCLAUSES = re.compile(r"(?<=,)\s+|\s+(?=(?:but|because|which|so|while|although)\b)")
_LEAD_IN = re.compile(
    r"^((good )?morning( all| everyone| team)?|hi all|hey all|ok(ay)?|so|well|yeah|yep|yes|hmm+|oh|also|and|but|btw|"
    r"fyi|lol|ah|right|cool|great|nice|thanks!?)\b[,!.:]*\s*",
    re.IGNORECASE,
)


def key_clause(text: str, *, limit: int = KEY_CLAUSE_CHARS, prefer: re.Pattern[str] | None = None) -> str:
    """The clause of `text` that carries the most, at most `limit` characters, cut only between words.

    Clauses with numbers, dates, names or `prefer` matches score higher; chat lead-ins ("ok so")
    go. A clause still over the limit ends at the last whole word before it, with an ellipsis.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return _trim(text)
    clauses = []
    for clause in (c.strip() for c in _CLAUSES.split(text) if c and c.strip()):
        # A sentence longer than the limit is cut between its comma clauses, never inside one.
        clauses += [p.strip() for p in _SUBCLAUSES.split(clause) if p.strip()] if len(clause) > limit else [clause]
    best_score, best = -1.0, text
    for i in range(len(clauses)):
        for j in range(i + 1, min(len(clauses), i + 4) + 1):
            candidate = " ".join(clauses[i:j])
            if len(candidate) > limit and j > i + 1:
                break
            score = _clause_score(candidate, prefer) - (0.3 if len(candidate) > limit else 0.0)
            if candidate.count("(") != candidate.count(")") or candidate.count("[") != candidate.count("]"):
                score -= 5.0  # a clause cut inside brackets reads as garbage
            if score > best_score:
                best_score, best = score, candidate
    return _trim(shorten_at_word(best.rstrip(","), limit))


def _clause_score(clause: str, prefer: re.Pattern[str] | None) -> float:
    words = _WORD.findall(clause)
    score = min(len(words), 25) / 25
    score += 0.5 * len(_NUMBER.findall(clause)) + 0.5 * len(_DATE_WORD.findall(clause))
    if prefer is not None and prefer.search(clause):
        score += 1.5
    if clause.rstrip().endswith("?"):
        score -= 0.5
    return score


def shorten_at_word(text: str, limit: int) -> str:
    """`text` within `limit` characters, ending on a whole word (with "…" when shortened)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    for opening, closing in (("[", "]"), ("(", ")")):
        if cut.count(opening) > cut.count(closing):  # never stop inside brackets: end before them
            cut = cut[: cut.rfind(opening)]
    cut = cut.rstrip(" ,;:-–—(/&")
    words = cut.split()
    while words and words[-1].lower().strip(".,") in _DANGLING:
        words.pop()
    return " ".join(words) + "…"


def _trim(text: str) -> str:
    text = _LEAD_IN.sub("", text.strip()).strip()
    while True:
        shorter = _LEAD_IN.sub("", text).strip()
        if shorter == text:
            break
        text = shorter
    return text[:1].upper() + text[1:] if text else text


# --- applying the check to a whole summary ---


@dataclass(slots=True)
class GroundingReport:
    """What the check did to a summary's lines, for the coverage note."""

    checked: int = 0
    repaired: int = 0
    replaced: int = 0  # by the key clause of the line's best source message
    dropped: int = 0
    reasons: list[str] = field(default_factory=list)

    def note(self, writer: str = "the model") -> str | None:
        if not (self.repaired or self.replaced or self.dropped):
            return None
        parts = []
        if self.repaired:
            parts.append(f"{self.repaired} shortened to the clauses they support")
        if self.replaced:
            parts.append(f"{self.replaced} replaced by the key clause of the message they cite")
        if self.dropped:
            parts.append(f"{self.dropped} dropped")
        failed = self.repaired + self.replaced + self.dropped
        return (
            f"{failed} of {self.checked} line{'s' if self.checked != 1 else ''} {writer} wrote stated something "
            f"the messages they cite do not support or were cut off: " + ", ".join(parts)
        )


def quote_line(message: MessageRecord, *, prefer: re.Pattern[str] | None = None, limit: int = KEY_CLAUSE_CHARS) -> str | None:
    """`Name: key clause` of one message, or None for a message that must not be relayed or says nothing."""
    body = plain_text(message, compact=True, notes=False)
    if not body or relays_instruction(body) or len(_WORD.findall(body)) < 3:
        return None
    clause = key_clause(body, limit=limit, prefer=prefer)
    line = f"{clean_name(message.author_name)}: {clause}"
    return line if not looks_cut(line.rstrip("…"), Sources.of([message])) or line.endswith("…") else None


def ground_lines(
    lines: Sequence[tuple[str, tuple[int, ...]]],
    by_id: dict[int, MessageRecord],
    report: GroundingReport,
    *,
    allowed: Iterable[str] = (),
    fallback_to_quote: bool = True,
    pools: Sequence[Sequence[int]] | None = None,
    strict: bool = False,
) -> list[tuple[str, tuple[int, ...]]]:
    """Each (text, cited ids) line checked against its cited messages: kept, repaired, replaced or dropped.

    `pools[k]` are the messages line k was written from (a model's chunk): a fact missing from the
    cited messages but stated in one message of the pool makes that message a citation too.
    `strict` (a model's own wording) also rejects a line whose content words its sources never use.
    """
    allowed = tuple(allowed)
    people = people_words(by_id.values())
    shown: list[tuple[str, tuple[int, ...]]] = []
    for k, (text, ids) in enumerate(lines):
        text = " ".join(clean_text(text).split())  # whoever wrote it: no bidi, invisible or control characters
        report.checked += 1
        cited = [by_id[i] for i in ids if i in by_id]
        sources = Sources.of(cited)
        problems = check_line(text, sources, allowed=allowed, people=people, strict=strict) if cited else ["cites no message of the window"]
        if problems and cited and pools is not None:
            ids, cited = _cite_more(text, ids, cited, [by_id[i] for i in pools[k] if i in by_id], allowed, people)
            sources = Sources.of(cited)
            problems = check_line(text, sources, allowed=allowed, people=people, strict=strict)
        if not problems:
            shown.append((text, ids))
            continue
        report.reasons.append(f"{text[:80]!r}: {', '.join(problems)}")
        repaired = repair_line(text, sources, allowed=allowed, people=people, strict=strict) if cited else None
        if repaired:
            report.repaired += 1
            shown.append((repaired, ids))
            continue
        quoted = quote_line(cited[0]) if cited and fallback_to_quote else None
        if quoted and not any(quoted == old for old, _ in shown):
            report.replaced += 1
            shown.append((quoted, (cited[0].id,)))
            continue
        report.dropped += 1
    return shown
