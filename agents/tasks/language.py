"""Small English helpers for task extraction: mentions, sentences, words, verb forms and word overlap."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from agents.markup import plain_text
from agents.records import MessageRecord

# Verbs that name work. Used to recognise an imperative after "@bob ..." and to turn "reviewing" into
# "review"; a commitment ("I'll <verb> ...") does not need its verb to be listed here.
ACTION_VERBS = frozenset(
    [
        "add",
        "adjust",
        "apply",
        "approve",
        "archive",
        "arrange",
        "ask",
        "assemble",
        "assign",
        "attend",
        "audit",
        "automate",
        "back",
        "backport",
        "bake",
        "ban",
        "benchmark",
        "block",
        "book",
        "borrow",
        "bring",
        "build",
        "bump",
        "buy",
        "call",
        "cancel",
        "carry",
        "change",
        "charge",
        "chase",
        "check",
        "clarify",
        "clean",
        "clear",
        "close",
        "coach",
        "collect",
        "comment",
        "commit",
        "compile",
        "compose",
        "configure",
        "confirm",
        "connect",
        "contact",
        "contribute",
        "convert",
        "cook",
        "coordinate",
        "copy",
        "copyedit",
        "correct",
        "count",
        "cover",
        "craft",
        "create",
        "cut",
        "debug",
        "decide",
        "decorate",
        "delete",
        "deliver",
        "demo",
        "deploy",
        "design",
        "dig",
        "disable",
        "distribute",
        "do",
        "document",
        "donate",
        "double",
        "download",
        "draft",
        "draw",
        "drive",
        "drop",
        "edit",
        "email",
        "enable",
        "escalate",
        "estimate",
        "evaluate",
        "execute",
        "expand",
        "explain",
        "export",
        "extend",
        "fetch",
        "figure",
        "file",
        "fill",
        "film",
        "finalise",
        "finalize",
        "find",
        "finish",
        "fix",
        "flag",
        "follow",
        "format",
        "forward",
        "fund",
        "gather",
        "generate",
        "get",
        "give",
        "go",
        "grab",
        "grade",
        "greet",
        "hand",
        "handle",
        "help",
        "hire",
        "host",
        "implement",
        "import",
        "improve",
        "include",
        "install",
        "integrate",
        "interview",
        "introduce",
        "investigate",
        "invite",
        "kick",
        "knit",
        "label",
        "laminate",
        "land",
        "launch",
        "lead",
        "lease",
        "link",
        "list",
        "load",
        "lock",
        "log",
        "look",
        "mail",
        "maintain",
        "make",
        "manage",
        "map",
        "mark",
        "measure",
        "meet",
        "mentor",
        "merge",
        "message",
        "migrate",
        "mock",
        "moderate",
        "monitor",
        "move",
        "mow",
        "mute",
        "negotiate",
        "note",
        "notify",
        "onboard",
        "open",
        "optimise",
        "optimize",
        "order",
        "organise",
        "organize",
        "outline",
        "own",
        "pack",
        "package",
        "paint",
        "pair",
        "paste",
        "patch",
        "pay",
        "photograph",
        "pick",
        "pin",
        "ping",
        "pitch",
        "plan",
        "polish",
        "port",
        "post",
        "pre-order",
        "prep",
        "prepare",
        "present",
        "print",
        "prioritize",
        "profile",
        "proofread",
        "prototype",
        "publish",
        "pull",
        "purchase",
        "purge",
        "push",
        "put",
        "quarantine",
        "quote",
        "raise",
        "reach",
        "read",
        "rebase",
        "rebook",
        "rebuild",
        "reconcile",
        "record",
        "recreate",
        "recruit",
        "redesign",
        "redo",
        "refactor",
        "refill",
        "refund",
        "regenerate",
        "register",
        "reimburse",
        "reindex",
        "release",
        "reload",
        "remind",
        "remove",
        "rename",
        "render",
        "renew",
        "rent",
        "reopen",
        "repair",
        "replace",
        "replay",
        "reply",
        "report",
        "request",
        "rerun",
        "reschedule",
        "research",
        "resend",
        "reserve",
        "reset",
        "resolve",
        "respond",
        "restart",
        "restock",
        "restore",
        "retest",
        "retry",
        "return",
        "revert",
        "review",
        "rewrite",
        "roll",
        "rotate",
        "run",
        "sand",
        "save",
        "scan",
        "schedule",
        "scope",
        "script",
        "sell",
        "send",
        "sequence",
        "set",
        "setup",
        "sew",
        "share",
        "shift",
        "ship",
        "shoot",
        "sign",
        "sketch",
        "skim",
        "smoke",
        "sort",
        "source",
        "speak",
        "split",
        "stage",
        "start",
        "store",
        "stream",
        "study",
        "submit",
        "summarize",
        "support",
        "swap",
        "swing",
        "sync",
        "tackle",
        "tag",
        "take",
        "talk",
        "tally",
        "teach",
        "tell",
        "test",
        "text",
        "tidy",
        "track",
        "train",
        "translate",
        "triage",
        "try",
        "tune",
        "turn",
        "tutor",
        "tweak",
        "unblock",
        "uninstall",
        "unlock",
        "unpin",
        "update",
        "upgrade",
        "upload",
        "vacuum",
        "validate",
        "verify",
        "vet",
        "walk",
        "water",
        "welcome",
        "wipe",
        "wire",
        "wrap",
        "write",
    ]
    # The chores, crafts and admin of clubs, households and small teams ("i can squash it w handbrake", "@kaz scout
    # Lotus's last 2 matches", "i'll hoover the stairs").
    + [
        "advertise",
        "animate",
        "annotate",
        "announce",
        "assess",
        "bisect",
        "brief",
        "caption",
        "chair",
        "compress",
        "crop",
        "debrief",
        "declutter",
        "dismantle",
        "downgrade",
        "drain",
        "dub",
        "dust",
        "emcee",
        "facilitate",
        "ferry",
        "flush",
        "fold",
        "frame",
        "glue",
        "groom",
        "hang",
        "harvest",
        "haul",
        "hoover",
        "inspect",
        "invoice",
        "iron",
        "lend",
        "lint",
        "localize",
        "mend",
        "mix",
        "mop",
        "mount",
        "nudge",
        "offboard",
        "photocopy",
        "plant",
        "poll",
        "practice",
        "practise",
        "prune",
        "reboot",
        "recap",
        "refuel",
        "rehearse",
        "reorder",
        "repro",
        "reproduce",
        "resize",
        "revoke",
        "rig",
        "scout",
        "scrub",
        "sculpt",
        "seal",
        "service",
        "shortlist",
        "shrink",
        "solder",
        "sponsor",
        "squash",
        "stack",
        "stamp",
        "staple",
        "stock",
        "storyboard",
        "subtitle",
        "summarise",
        "survey",
        "sweep",
        "tape",
        "tow",
        "transcribe",
        "transfer",
        "trim",
        "tweet",
        "typeset",
        "unban",
        "unclog",
        "unload",
        "unpack",
        "wash",
        "weed",
        "weigh",
        "whitelist",
    ]
)

# Verbs after "I'll" that are not work: "I'll be late", "I'll see", "I'll never understand".
NON_ACTION_VERBS = frozenset(
    [
        "be",
        "been",
        "see",
        "think",
        "guess",
        "bet",
        "believe",
        "hope",
        "wonder",
        "understand",
        "know",
        "remember",
        "forget",
        "miss",
        "love",
        "hate",
        "like",
        "enjoy",
        "die",
        "cry",
        "laugh",
        "come",
        "sleep",
        "eat",
        "drink",
        "live",
        "wait",
        "need",
        "want",
        "mean",
        "say",
        "tell",
        "keep",
        "let",
        "feel",
        "admit",
        "assume",
        "suppose",
        "imagine",
        "pass",
        "bite",
        "stay",
        "probably",
        "xd",
        "xp",
        "lol",
        "agree",
        "disagree",
        "trust",
    ]
)

# Plans that are not work ("I'll grab lunch", "I need to head out").
LEISURE_WORDS = frozenset(
    [
        "lunch",
        "dinner",
        "breakfast",
        "brunch",
        "coffee",
        "tea",
        "beer",
        "beers",
        "drink",
        "drinks",
        "snack",
        "food",
        "nap",
        "sleep",
        "bed",
        "home",
        "gym",
        "walk",
        "shower",
        "break",
        "vacation",
        "holiday",
        "movie",
        "game",
        "anime",
        "manga",
        "show",
        "shows",
        "series",
        "episode",
        "episodes",
        "tv",
        "netflix",
        "youtube",
        "twitch",
        "homework",
        "groceries",
        "laundry",
        "errands",
        "haircut",
        "nails",
    ]
)

IRREGULAR_PAST = {
    "be": ("was", "were", "been"),
    "begin": ("began", "begun"),
    "bring": ("brought",),
    "build": ("built",),
    "buy": ("bought",),
    "catch": ("caught",),
    "choose": ("chose", "chosen"),
    "cut": ("cut",),
    "do": ("did", "done"),
    "draw": ("drew", "drawn"),
    "drive": ("drove", "driven"),
    "find": ("found",),
    "forget": ("forgot", "forgotten"),
    "get": ("got", "gotten"),
    "give": ("gave", "given"),
    "go": ("went", "gone"),
    "grow": ("grew", "grown"),
    "have": ("had",),
    "hold": ("held",),
    "keep": ("kept",),
    "know": ("knew", "known"),
    "lay": ("laid",),
    "lead": ("led",),
    "leave": ("left",),
    "lend": ("lent",),
    "let": ("let",),
    "lose": ("lost",),
    "make": ("made",),
    "meet": ("met",),
    "pay": ("paid",),
    "put": ("put",),
    "read": ("read",),
    "redo": ("redid", "redone"),
    "rewrite": ("rewrote", "rewritten"),
    "ring": ("rang", "rung"),
    "run": ("ran",),
    "rerun": ("reran",),
    "say": ("said",),
    "see": ("saw", "seen"),
    "sell": ("sold",),
    "send": ("sent",),
    "set": ("set",),
    "setup": ("set",),
    "shut": ("shut",),
    "sit": ("sat",),
    "speak": ("spoke", "spoken"),
    "spend": ("spent",),
    "split": ("split",),
    "stand": ("stood",),
    "take": ("took", "taken"),
    "teach": ("taught",),
    "tell": ("told",),
    "think": ("thought",),
    "throw": ("threw", "thrown"),
    "understand": ("understood",),
    "wear": ("wore", "worn"),
    "win": ("won",),
    "write": ("wrote", "written"),
    "upload": ("uploaded",),
}

PAST_FORMS = frozenset(form for forms in IRREGULAR_PAST.values() for form in forms)

# Words that name the same act, so "filed the issue" completes "open an issue" and
# "rollback done" completes "roll back the deploy".
VERB_GROUPS = (
    frozenset({"open", "file", "create", "raise", "log", "start"}),
    frozenset({"fix", "patch", "resolve", "repair", "solve"}),
    frozenset({"send", "share", "post", "upload", "forward", "email", "attach", "paste", "deliver"}),
    frozenset({"move", "shift", "reschedule", "relocate"}),
    frozenset({"review", "read", "approve", "look", "check", "lgtm"}),
    frozenset({"write", "draft", "document"}),
    frozenset({"deploy", "ship", "release", "launch", "publish"}),
    frozenset({"update", "edit", "change", "refresh", "redo"}),
    frozenset({"merge", "land"}),
    frozenset({"roll", "rollback", "revert"}),
    frozenset({"book", "reserve", "order", "buy"}),
    frozenset({"ping", "contact", "message", "reach", "email", "call", "ask"}),
    frozenset({"mock", "mockup", "design", "sketch"}),
    frozenset({"set", "setup", "configure", "enable", "turn", "apply"}),
    frozenset({"clear", "delete", "remove", "purge", "clean", "drop", "wipe", "prune"}),
    frozenset({"get", "pick", "fetch", "collect", "grab"}),
)

PRONOUN_OBJECTS = frozenset({"it", "this", "that", "them", "these", "those", "one", "ones", "him", "her"})

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "about",
        "into",
        "onto",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "ours",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "they",
        "them",
        "their",
        "theirs",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "then",
        "than",
        "too",
        "very",
        "just",
        "also",
        "still",
        "yet",
        "already",
        "not",
        "no",
        "nor",
        "only",
        "own",
        "same",
        "some",
        "any",
        "all",
        "each",
        "every",
        "both",
        "few",
        "more",
        "most",
        "other",
        "such",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "again",
        "further",
        "once",
        "now",
        "ok",
        "okay",
        "please",
        "pls",
        "plz",
        "thanks",
        "thank",
        "ty",
        "sure",
        "yes",
        "yeah",
        "yep",
        "really",
        "actually",
        "maybe",
        "probably",
        "today",
        "tomorrow",
        "tonight",
        "asap",
        "quick",
        "quickly",
        "new",
    ]
)

LINK = "\u2197"
# What `plain_text(compact=True)` writes for a link ("[link: host]", "[github.com PR #12]", "[file]").
_LINK_NOTE = re.compile(r"\[(?:link: [^\]\s]+|[^\]\s]+ (?:PR|issue) #\d+|file|message link)\]")
_WORD = re.compile(r"[a-z0-9][a-z0-9'_\-]*", re.IGNORECASE)


def handle(name: str) -> str:
    """A display name as one token: "Maya Lopez" -> "Maya_Lopez"."""
    return re.sub(r"\s+", "_", name.strip()) or "someone"


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A message's text ready for the rules: mentions as `@Handle`, code and links shortened."""

    record: MessageRecord
    text: str
    mentions: dict[str, int]  # lower-case handle -> user id
    names: dict[int, str]  # user id -> display name


def render(record: MessageRecord) -> RenderedMessage:
    """The message as the rules read it: `agents.markup.plain_text` with user mentions as one-token `@Handle`s."""
    names = dict(record.mention_names)
    mentions: dict[str, int] = {}

    def mention(user_id: int, name: str) -> str:
        name = names.get(user_id) or name
        names.setdefault(user_id, name)
        mentions[handle(name).lower()] = user_id
        return "@" + handle(name)

    # plain_text writes one line; the rules read each line as a sentence, so each line is rendered on its own.
    text = "\n".join(
        plain_text(replace(record, content=line), compact=True, mention=mention, notes=False) for line in _lines(record.content)
    )
    # Exports and some clients already show mentions as "@Name": map those names to their ids too.
    for user_id, name in record.mention_names.items():
        token = handle(name)
        mentions.setdefault(token.lower(), user_id)
        if " " in name.strip():
            text = re.sub(r"@" + re.escape(name.strip()), "@" + token, text, flags=re.IGNORECASE)
    # A link becomes an arrow, not a word: "link" would look like the verb to the rules.
    text = _LINK_NOTE.sub(f" {LINK} ", text)
    return RenderedMessage(record, text, mentions, names)


def _lines(content: str) -> list[str]:
    """The lines of a message, a fenced code block kept whole so it is condensed as one."""
    lines: list[str] = []
    inside = False
    for line in (content or "").split("\n"):
        if inside:
            lines[-1] += "\n" + line
        else:
            lines.append(line)
        if line.count("```") % 2:
            inside = not inside
    return lines


# An emoji between two statements ends the first: "writeup submitted \U0001F389 deck is attached to it".
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+|\n+|\s+[\u2014\u2013]\s+|\s+-\s+|;\s+|(?<=[.!?])(?=[A-Z@])|(?<=[\U0001F300-\U0001FAFF\u2b07\u2193\ufe0f])\s+(?=[A-Za-z@])"
)


_PIPED_ROW = re.compile(r"(?m)^.*\s\|\s.*\s\|\s.*$")


def sentences(text: str) -> list[str]:
    """The sentences and lines of a message, each stripped; "e.g." style dots are rare in chat."""
    # "hana — spectroscopy | tyler — ch19 | jess — ch20": a row of pieces, one sentence, not a sentence per dash.
    if " | " in text:
        text = _PIPED_ROW.sub(lambda row: re.sub(r"\s+[\u2014\u2013-]\s+", " ", row.group(0)).replace(" | ", ", "), text)
    parts = [part.strip() for part in _SENTENCE_END.split(text)]
    return [part for part in parts if part and re.search(r"\w|[\u2705\u2714\u2611\U0001F44D]", part)]


def words(text: str) -> list[str]:
    return list(_words(text))


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower().strip("'-_") for w in _WORD.findall(text))


def stem(word: str) -> str:
    """A rough stem for overlap: "migrations" ~ "migration", "tokens" ~ "token", "updated" ~ "updat"."""
    word = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                base += "y"
            return base[:6]
    return word[:6]


def content_words(text: str) -> set[str]:
    # "deck's at 8 slides" names the deck.
    found = {re.sub(r"['\u2019]s$", "", w) for w in words(text)}
    return {w for w in found if w not in STOPWORDS and len(w) > 1}


def content_stems(text: str) -> set[str]:
    return set(_content_stems(text))


@functools.lru_cache(maxsize=4096)
def _content_stems(text: str) -> frozenset[str]:
    """(Cached: the same sentences and task texts are compared again and again within a window.)"""
    stems = {stem(w) for w in content_words(text)}
    # "batch-merge", "on-call": each part of a hyphenated word is a word too.
    stems |= {stem(part) for w in content_words(text) if "-" in w for part in w.split("-") if len(part) > 2 and part not in STOPWORDS}
    # "roll back" and "rollback" are the same word in chat.
    tokens = [w for w in words(text)]
    for first, second in zip(tokens, tokens[1:], strict=False):
        if first not in STOPWORDS and second in ("back", "up", "out", "in", "off", "over"):
            stems.add(stem(first + second))
    return frozenset(stems)


# A ticket, issue or pull request by its number: "PAY-412", "#412", or "412" said on its own (not "$412", "412ms",
# "4.12", "14:12"); four-digit numbers from 1900 to 2099 read as years and are left out.
_TICKET = re.compile(
    r"\b[A-Za-z]{2,10}-(?P<key>\d{2,6})\b|#(?P<hash>\d{2,6})\b"
    r"|(?<![$\u00a3\u20ac\d.,:/-])\b(?P<bare>\d{3,5})\b(?![.,:/]\d|\s*(?:%|am|pm|k\b|ms|s\b|x\b|min|h\b|mb|gb|px|words|people|rows))",
    re.IGNORECASE,
)


def stems_and_numbers(text: str) -> set[str]:
    """Content stems and the numbers said ("ch 17-18" and "ch17-18" share "17-18")."""
    return content_stems(text) | numbers_in(text)


def numbers_in(text: str) -> set[str]:
    """The numbers and number ranges a sentence says ("ch17-18 posted" -> {"17-18"})."""
    return set(re.findall(r"(?<![\d.,:])\d{1,4}(?:[-\u2013]\d{1,4})?(?![\d.,:]\d)", text))


def ticket_numbers(text: str) -> set[str]:
    """The ticket numbers a sentence names ("wrap up 398, then PAY-415" -> {"398", "415"})."""
    found = set()
    for match in _TICKET.finditer(text):
        number = match.group("key") or match.group("hash") or match.group("bare")
        if match.group("bare") and re.fullmatch(r"(?:19|20)\d\d", number):
            continue
        found.add(number)
    return found


# Gerunds too short for the suffix rule ("would you mind doing the spray" -> "do the spray").
_SHORT_GERUNDS = {"doing": "do", "going": "go", "being": "be", "having": "have", "seeing": "see", "dying": "die", "tying": "tie"}


def base_form(word: str) -> str:
    """The base form of a verb given as a gerund or past tense ("reviewing" -> "review", "wrote" -> "write")."""
    word = word.lower()
    if word in _SHORT_GERUNDS:
        return _SHORT_GERUNDS[word]
    for base, forms in IRREGULAR_PAST.items():
        if word in forms:
            return base
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            root = word[: -len(suffix)]
            candidates = [root, root + "e"]
            if len(root) > 2 and root[-1] == root[-2]:
                candidates.insert(0, root[:-1])
            if root.endswith("i"):
                candidates.append(root[:-1] + "y")
            for candidate in candidates:
                if candidate in ACTION_VERBS:
                    return candidate
            return candidate_guess(root)
    return word


def candidate_guess(root: str) -> str:
    # Unknown verbs: "updat" -> "update" (consonant + t/d/z/v/c endings usually lost an "e").
    if root.endswith(("at", "iz", "yz", "iv", "ov", "rc", "ag", "ut")) and not root.endswith("ght"):
        return root + "e"
    return root


def is_past_of(token: str, verb: str) -> bool:
    """ "quarantined" of "quarantine", "bumped" of "bump": regular past forms of any verb, listed or not."""
    token, verb = token.lower(), verb.lower()
    if not verb or token == verb:
        return False
    return token in (verb + "ed", verb + "d", verb + verb[-1:] + "ed", verb[:-1] + "ied") or token in IRREGULAR_PAST.get(verb, ())


def verb_group(word: str) -> frozenset[str]:
    base = base_form(word)
    for group in VERB_GROUPS:
        if base in group or word in group:
            return group
    return frozenset({base})


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
