"""`smolcord route`: what the bot would run for a message (the swarm's evaluation contract), without Discord."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli import CliError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "route",
        help="route request texts to commands the way a mention of the bot would (JSON per turn)",
        description="Each TEXT is one turn by the same member in the same channel, in order. "
        'Example: smolcord route --channels general,dev --json "summarize #dev since 2h" "and for #general?"',
    )
    parser.add_argument("texts", nargs="*", metavar="TEXT", help="the turns, in order")
    parser.add_argument(
        "--approach",
        choices=("swarm_architecture", "monolithic_baseline", "hybrid_approach"),
        help="override master_swarm_config.yaml / SMOLCORD_SWARM_APPROACH",
    )
    parser.add_argument("--channels", default="", help="the server's channel names, comma-separated (name or name=id)")
    parser.add_argument("--here", default=None, help="the channel the turns are written in")
    parser.add_argument("--cases", type=Path, help='JSONL file of {"id", "channels", "here", "turns"}: one result line per case')
    parser.add_argument("--json", action="store_true", help="one JSON object per turn (per case with --cases)")
    parser.set_defaults(func=_route)


def parse_channels(value: str | list | None) -> dict[str, int | None]:
    """'general,dev=123' or a list of names -> {name: id or None}."""
    items = value if isinstance(value, list) else [part for part in (value or "").split(",")]
    channels: dict[str, int | None] = {}
    for item in items:
        item = str(item).strip().lstrip("#")
        if not item:
            continue
        name, _, ident = item.partition("=")
        channels[name.strip().lower()] = int(ident) if ident.strip().isdigit() else None
    return channels


def _route(args: argparse.Namespace) -> int:
    if not args.texts and args.cases is None:
        raise CliError("give the request TEXT (one or more turns) or --cases FILE.jsonl")
    cases = _read_cases(args.cases) if args.cases else None

    from agents.swarm.context import ContextManager
    from agents.swarm.orchestrator import Where
    from bot.services.swarm import load_router
    from bot.settings import load_settings

    settings = load_settings()
    try:
        loaded = load_router(settings.model_cache_dir, approach=args.approach or settings.swarm_approach, context=ContextManager())
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from None
    router = loaded.orchestrator

    def run(case_id: str, channels: dict[str, int | None], here: str | None, turns: list[str]) -> list[dict]:
        if here:
            channels = {here.lower().lstrip("#"): None, **channels} if here.lower().lstrip("#") not in channels else channels
        where = Where(
            guild="cli", channel=here or "here", member=case_id, channels=channels, here=here.lower().lstrip("#") if here else None
        )
        return [router.route(str(turn), where).as_json() for turn in turns]

    if cases is None:
        for result in run("cli", parse_channels(args.channels), args.here, args.texts):
            if args.json:
                print(json.dumps(result, ensure_ascii=False), flush=True)
            else:
                print(_human(result), flush=True)
        return 0
    for case in cases:
        turns = run(str(case["id"]), parse_channels(case.get("channels") or args.channels), case.get("here") or args.here, case["turns"])
        line = {"id": case["id"], "turns": turns}
        print(json.dumps(line, ensure_ascii=False) if args.json else f"{case['id']}: " + " | ".join(_human(t) for t in turns), flush=True)
    return 0


def _read_cases(path: Path) -> list[dict]:
    if not path.exists():
        raise CliError(f"{path}: no such file")
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(case, dict) or not isinstance(case.get("turns"), list) or "id" not in case:
            raise CliError(f'{path}:{number}: each line needs "id" and a list of "turns"')
        cases.append(case)
    return cases


def _human(result: dict) -> str:
    args = " ".join(f"{k}:{'#' + v if k == 'channel' else v}" for k, v in result["args"].items())
    text = f"/{result['command']} {args}".strip() if result["command"] != "chat" else "chat"
    if result["clarify"]:
        text += f"  (asks: {result['clarify']})"
    return f"{text}  [{result['confidence']:.2f}, {result['timings_ms'].get('orchestrator', 0):.1f} ms]"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)
