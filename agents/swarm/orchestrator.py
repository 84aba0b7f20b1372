"""The orchestrator: runs the roles in order, decides execute / clarify / chat, and times every role.

    request text -> text.prepare -> intent parser -> context manager -> API mapper -> error recognizer -> Route

Safety rules live here, in code, not in a model: only the member's own words count (quotes are data),
a request to ping everyone is chat (and the bot never pings anyway), and a privacy command about
somebody else's data is never run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from agents.swarm import slots
from agents.swarm.commands import COMMANDS
from agents.swarm.context import ContextManager, TurnState, looks_like_follow_up
from agents.swarm.errors import Diagnosis, recognize
from agents.swarm.intents import IntentHead, features
from agents.swarm.mappers import MapContext, inheritable, map_options, required_missing
from agents.swarm.text import Request, prepare

APPROACHES = ("swarm_architecture", "monolithic_baseline", "hybrid_approach")

_PING_ALL = re.compile(
    r"@everyone|@here|\b(?:ping|mention|notify|tag|alert|page|call|summon)\s+(?:@?everyone|@?everybody|@?here|all|the whole (?:server|channel)|the team|all the \w+|every ?one)\b"
)
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|former|system|safety)?\s*"
    r"(?:instructions?|rules|prompts?|guidelines|restrictions|safeguards)\b|\b(?:reveal|print|leak|dump|repeat|show me) (?:your|the) (?:system |hidden |secret )?(?:prompt|instructions)\b|\bjailbreak\b|\bdeveloper mode\b|\bpretend (?:to be|you are|i am) (?:an? )?(?:admin|moderator|owner)\b"
)
_OTHERS_DATA = re.compile(
    r"\b(?:everyone|everybody|all users|all members|other people|someone else|the whole server)'?s?\b|"
    r"\b(?!(?:my|me|i)\b)[a-z][\w.-]{1,31}'s?\s+(?:messages?|data|stuff|history|posts?|account|logs?)\b|<@!?\d+>"
)


# Shapes of small talk that use command words: a statement about oneself, a general-knowledge question, an idiom.
_CHAT_SHAPES = (
    re.compile(
        r"^(?:\W*(?:ugh|lol|honestly|man|omg|ok|so)\W+)?(?:my|our|the|i|i'm|i've|we|we're)\b"
        r"(?:(?!\b(?:can you|could you|please|pls|show|list|give|tell|set|switch|summar\w*|scan|find|want|need|would like|'d like)\b).)*?"
        r"\b(?:are|is|was|were|have|has|had|keep|keeps|never|always|hate|love|got)\b(?!\s+to\b)"
    ),
    re.compile(
        r"^(?:\W*(?:so|ok|hey|quick one)\W+)?(?:how (?:do|does) \w+(?: \w+)? work|what is an? |what'?s an? |what does \w+(?: \w+)? mean)"
    ),
    re.compile(r"\bforget (?:it|that|about it|what i said|i asked|this)\b|\bnever ?mind\b"),
)
_EXACT_NAMES = {name: re.compile(r"(?:^|/|\b)" + re.escape(name).replace("\\ ", r"[ _-]?") + r"\b") for name in COMMANDS if " " in name}
_OPT_OUT = re.compile(
    r"\bopt[ -]?out\b|\bstop\b|\bdon'?t\b|\bno more\b|\bno guardes\b|\bnicht mehr\b|\bne stocke plus\b|\bexclude\b|\bnever store\b"
)
_OPT_IN = re.compile(
    r"\bopt[ -]?(?:back )?in\b|\bagain\b|\bwieder\b|\bà nouveau\b|\bde nuevo\b|\botra vez\b|\bresume\b|\bre-?enable\b|\bback on\b|\bundo\b|\bchanged my mind\b|\binclude me\b|\bincluded\b|\bvuelve\b"
)
_STATUS_WORDS = re.compile(
    r"\bloaded\b|\bin memory\b|\bmemory\b|\bram\b|\bqueue\b|\bbusy\b|\brunning\b|\bpending\b|\boverloaded\b|\bwarm\b|\bjobs?\b"
)
_SWITCH_VERB = re.compile(
    r"^(?:\W*(?:please|pls|can you|could you|hey|ok)\W+)*(?:switch|change|swap|replace|set|load|use|try|upgrade|swtich|siwtch|cambia|wechsel)\b"
)


_SCAN_STRONG = re.compile(
    r"\b(?:re)?scann?(?:s|ed|ing)?\b|\bextract(?:s|ed|ing)?\b|\bdetect(?:s|ed|ing)?\b|\bharvest(?:s|ed|ing)?\b|\bpull out\b"
)
_SCAN_SEARCH = re.compile(
    r"\b(?:find|look for|look through|go through|search|cherche\w*|finde|busca)\b.*\b(?:tasks?|action items?|to-?dos?|t[âa]ches|aufgaben|tareas|commit\w*|promised)\b"
)


def refine(command: str, text: str) -> str:
    """Deterministic choice between a head's near neighbours: a written command name, opt in vs out, list vs status."""
    for name, pattern in _EXACT_NAMES.items():
        if pattern.search(text):
            return name
    api = COMMANDS[command].api
    if command in ("tasks list", "summarize") and (
        _SCAN_STRONG.search(text) or (_SCAN_SEARCH.search(text) and not re.search(r"\b(?:my|mine)\b", text))
    ):
        return "tasks scan"
    if api == "privacy" and command in ("privacy optin", "privacy optout"):
        if _OPT_IN.search(text) and not _OPT_OUT.search(text):
            return "privacy optin"
        if _OPT_OUT.search(text) and not _OPT_IN.search(text):
            return "privacy optout"
    if api == "models":
        if _SWITCH_VERB.search(text):
            return "model switch"
        if command in ("model list", "model status"):
            return "model status" if _STATUS_WORDS.search(text) else command
    return command


RESCUE_MIN = 0.25
RESCUE_CHAT_MAX = 0.7
_API_WORDS = {
    "summaries": re.compile(
        r"summ?ar|recap|tl;?dr|r[ée]sum|zusammen|riassum|gist|catch me up|what did i miss|what happened|discussed|rundown|highlights|verpasst|rat[ée]|perd"
    ),
    "tasks": re.compile(r"tasks?\b|to-?dos?|action items?|aufgaben|t[âa]ches|tareas|assigned|pending|left to do|owe|scan"),
    "digest": re.compile(r"digest|daily (?:recap|summary)|zusammenfassung"),
    "models": re.compile(r"\bmodels?\b|\bqueue\b|\bloaded\b|modell|modelo|mod[èe]le"),
    "settings": re.compile(r"time ?zone|retention|settings?|prompt|persona|zeitzone|fuseau|zona horaria"),
    "privacy": re.compile(r"\bopt|stor(?:e|ing)|my (?:messages|data)|forget me|speicher|guard|stock"),
}


class Generative(Protocol):
    """A generative router (the monolithic baseline): text (+ the previous request) -> (command, args) or None."""

    def route(self, text: str, previous: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]] | None: ...


@dataclass
class Route:
    command: str
    args: dict[str, Any]
    clarify: str | None
    confidence: float
    approach: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    step: str = "execute"  # execute | clarify | chat | explain
    message: str | None = None
    follow_up: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "args": self.args,
            "clarify": self.clarify,
            "confidence": round(self.confidence, 4),
            "approach": self.approach,
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }


@dataclass(frozen=True)
class Where:
    """Who asks where: the context manager's key and the channel facts the mappers need."""

    guild: Hashable
    channel: Hashable
    member: Hashable
    channels: Mapping[str, int | None]
    here: str | None


class Orchestrator:
    def __init__(
        self,
        *,
        embed: Callable[[list[str]], np.ndarray],
        head: IntentHead,
        model_keys: Mapping[str, str],
        context: ContextManager | None = None,
        validators: Mapping[str, Callable[[Any], Any]] | None = None,
        approach: str = "swarm_architecture",
        generative: Generative | None = None,
        hybrid_threshold: float = 0.7,
    ) -> None:
        if approach not in APPROACHES:
            raise ValueError(f"unknown approach {approach!r}: use one of {', '.join(APPROACHES)}")
        if approach != "swarm_architecture" and generative is None:
            raise ValueError(f"{approach} needs a generative model")
        self.embed = embed
        self.head = head
        self.model_keys = dict(model_keys)
        self.context = context if context is not None else ContextManager()
        self.validators = dict(validators or {})
        self.approach = approach
        self.generative = generative
        self.hybrid_threshold = hybrid_threshold

    # --- the roles -------------------------------------------------------------------------------------

    def classify(self, request: Request) -> tuple[str, float, dict[str, float]]:
        text = request.own.replace("quote", " ").strip() or "..."
        x = features(self.embed([text]), [text])
        label, p, top = self.head.predict(x)[0]
        return label, p, top

    def route(self, message: str, where: Where, *, bot_mention: str | None = None) -> Route:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        request = prepare(message, bot_mention=bot_mention)
        key = (where.guild, where.channel, where.member)
        ctx = MapContext(channels=where.channels, here=where.here, model_keys=self.model_keys, validators=self.validators)

        t = time.perf_counter()
        top: Mapping[str, float]
        if self.approach == "monolithic_baseline":
            label, p, top = "chat", 0.0, {}
        elif re.search(r"[a-z0-9?]", request.own.replace("quote", "")):
            label, p, top = self.classify(request)
        else:
            label, p, top = "chat", 1.0, {}  # an empty mention, only emoji, only a quote: nothing asked
        timings["intent_parser"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        state = self.context.get(key)
        command, confidence, base_args, follow_up = self._resolve(request, label, p, state, ctx, top)
        timings["context_manager"] = (time.perf_counter() - t) * 1000

        generated = False
        if (
            self.approach == "monolithic_baseline"
            or (self.approach == "hybrid_approach" and not follow_up and confidence < self.hybrid_threshold and label != "chat")
            or (self.approach == "hybrid_approach" and not follow_up and label == "chat" and p < self.hybrid_threshold)
        ):
            t = time.perf_counter()
            previous = {"command": state.command, "args": state.args} if state else None
            answer = self.generative.route(request.original, previous) if self.generative else None
            timings["generative"] = (time.perf_counter() - t) * 1000
            if answer is not None:
                command, gen_args = answer
                base_args = {k: v for k, v in gen_args.items() if k in COMMANDS[command].options}
                confidence = max(confidence, 0.5)
                generated = True
            elif self.approach == "monolithic_baseline":
                command, base_args = "chat", {}

        if not follow_up and (command not in ("chat", "help") or len(request.own.split()) <= 6):
            command = refine(command, request.own)
        command = self._safety(command, request, ctx)

        t = time.perf_counter()
        if command in ("chat", "help"):
            args: dict[str, Any] = {}
            problems: list = []
        else:
            mapped = map_options(command, request, ctx) if not generated else None
            args = dict(base_args)
            if mapped is not None:
                if follow_up and re.search(r"\b(?:here|this channel)\b", request.own) and "channel" in args and command != "digest set":
                    args.pop("channel")
                args.update(mapped.args)
                problems = mapped.problems
            else:
                problems = []
        timings["api_mapper"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        missing = required_missing(command, args) if command not in ("chat", "help") else []
        keys = sorted(k for k, task in self.model_keys.items() if task == args.get("task")) if command == "model switch" else []
        if command == "model switch" and not keys:
            keys = sorted(self.model_keys)
        diagnosis: Diagnosis = recognize(command, problems, missing, keys_for_task=keys)
        timings["error_recognizer"] = (time.perf_counter() - t) * 1000

        if command not in ("chat", "help"):
            self.context.put(key, TurnState(command, dict(args), confidence, pending=missing))
        elif command == "help":
            self.context.clear(key)
        step = "chat" if command == "chat" else diagnosis.step
        timings["orchestrator"] = (time.perf_counter() - started) * 1000
        return Route(
            command=command,
            args=args,
            clarify=diagnosis.message if diagnosis.step == "clarify" else None,
            confidence=confidence,
            approach=self.approach,
            timings_ms=timings,
            step=step,
            message=diagnosis.message,
            follow_up=follow_up,
        )

    def _resolve(
        self,
        request: Request,
        label: str,
        p: float,
        state: TurnState | None,
        ctx: MapContext,
        top: Mapping[str, float] | None = None,
    ) -> tuple[str, float, dict, bool]:
        """(command, confidence, inherited options, is a follow-up) from the intent and the member's state."""
        text = request.own
        confident_new = label != "chat" and p >= max(self.head.threshold, 0.8)
        if state is not None and state.pending and not (confident_new and label != state.command):
            # The answer to a clarifying question: it gives (or tries to give) an option that was asked for.
            trial = map_options(state.command, request, ctx)
            if any(option in trial.args for option in state.pending) or trial.problems:
                return state.command, state.confidence, dict(state.args), True
        if state is not None and (looks_like_follow_up(text) or (label == "chat" and self._fills_something(state.command, request, ctx))):
            command = state.command
            if (
                label not in ("chat", "help")
                and label != state.command
                and p >= self.head.threshold
                and self._switches_command(label, state.command, request)
            ):
                command = label
            return command, state.confidence if command == state.command else p, inheritable(command, state.args), True
        if label == "chat" or p < self.head.threshold:
            rescued = self._rescue(request, ctx, top or {})
            if rescued is not None:
                return rescued[0], rescued[1], {}, False
            return "chat", (p if label == "chat" else 1.0 - p), {}, False
        return label, p, {}, False

    def _rescue(self, request: Request, ctx: MapContext, top: Mapping[str, float]) -> tuple[str, float] | None:
        """An unsure command with evidence in the words: the command's own keyword and an option it can read.

        Why: the head is calibrated to prefer chat when unsure (a false command is the worst error), which
        also drops real requests in unseen phrasings ("riassumi #ops", "what was discussed past 6h").
        Both kinds of evidence together are rare in small talk.
        """
        candidates = [(c, q) for c, q in top.items() if c not in ("chat", "help") and q >= RESCUE_MIN]
        if not candidates or top.get("chat", 0.0) >= RESCUE_CHAT_MAX:
            return None
        command, q = max(candidates, key=lambda item: item[1])
        keyword = _API_WORDS.get(COMMANDS[command].api)
        if keyword is None or not keyword.search(request.own):
            return None
        mapped = map_options(command, request, ctx)
        if not mapped.args and COMMANDS[command].options:
            return None
        return command, q

    def _fills_something(self, command: str, request: Request, ctx: MapContext) -> bool:
        # A bare "#general?" or "last 50 please" after a summary: short, and only option values.
        if len(request.own.split()) > 6 or command in ("chat", "help"):
            return False
        return bool(map_options(command, request, ctx).args)

    @staticmethod
    def _switches_command(label: str, previous: str, request: Request) -> bool:
        # "now the open ones for Maya" after a summary: words only tasks have; "and for #general?" keeps the command.
        if COMMANDS[label].api != COMMANDS[previous].api:
            return bool(
                re.search(
                    r"\b(?:tasks?|to-?dos?|action items?|open ones|done ones|summar\w*|recap|digest|scan|models?|settings?)\b", request.own
                )
            )
        return bool(re.search(r"\b(?:scan|list|find|show)\b", request.own))

    def _safety(self, command: str, request: Request, ctx: MapContext) -> str:
        text = request.own
        if command == "chat":
            return command
        if _INJECTION.search(text):
            return "chat"  # an attempt to override the rules is answered by chat, never executed
        if any(shape.search(text) for shape in _CHAT_SHAPES):
            said = {k: v for k, v in map_options(command, request, ctx).args.items() if (k, v) != ("user", "me")}
            if not said:
                return "chat"
        if _PING_ALL.search(text) and not re.search(r"\b(?:summar\w*|recap|tasks?|digest|model|settings?|timezone)\b", text):
            return "chat"  # "ping everyone": never a command, and the bot never pings anyway
        if COMMANDS[command].api == "privacy":
            other = slots.read_user(text, request.original, ctx.channels)
            if _OTHERS_DATA.search(text) or (other not in (None, "me")):
                return "chat"  # privacy commands act on the requester only; another member's data is theirs to erase
        return command
