"""Axolotl's own checks of the training configs, run by scripts/check-axolotl.sh inside the Axolotl venv.

    check_axolotl.py check WORK CONFIG...       validate every config and preprocess its datasets (one process)
    check_axolotl.py smoke-config WORK CONFIG   write WORK/smoke.yaml: CONFIG cut down to a 2-step CPU run

Run from the folder the configs' relative paths start from (the repository root). Each config goes through
the same steps as `axolotl preprocess CONFIG`: `axolotl.cli.config.load_cfg` (plugins, Axolotl's pydantic
validator with this machine's capabilities, then normalize_config and normalize_cfg_datasets), then
`load_datasets`, which loads the tokenizer and tokenizes every row with the dataset's prompt strategy.
The validator alone accepts a misspelled dataset `type`; preprocessing does not. Doing all configs in one
process saves Axolotl's ~13 s import per config. Preprocessed data and debug logs go under WORK, never
into the configs' own output/ folders, so a stale prepared dataset cannot hide a broken one.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

import yaml

SMOKE_OVERRIDES = {
    "max_steps": 2,
    "micro_batch_size": 1,
    "gradient_accumulation_steps": 1,
    "num_epochs": 1,
    "warmup_steps": 0,
    "logging_steps": 1,
    # the final save still writes the adapter; no intermediate checkpoints
    "save_strategy": "no",
    "bf16": False,
    "fp16": False,
    "tf32": False,
}


def _work_paths(work: Path, config: Path) -> dict[str, str]:
    slug = "-".join(config.parent.parts[-2:]) or "config"
    return {
        "dataset_prepared_path": str(work / "prepared" / slug),
        "output_dir": str(work / "output" / slug),
    }


def _file_rows(entries) -> int:
    total = 0
    for entry in entries or []:
        path = Path(entry.get("path", ""))
        if path.is_file():
            with path.open(encoding="utf-8") as handle:
                total += sum(1 for line in handle if line.strip())
    return total


def _trained_rows(dataset) -> int:
    """Rows with at least one token the loss sees (roles_to_train / train_on_inputs did mask something else)."""
    if dataset is None or "labels" not in dataset.column_names:
        return 0
    return sum(1 for labels in dataset["labels"] if any(label != -100 for label in labels))


def _local_base_model_problem(cfg) -> str | None:
    base = cfg.get("base_model")
    if not base:
        return "no base_model"
    if not Path(base).is_dir():
        return f"base_model {base!r} is not a local folder (the hub is offline here; build it first)"
    if not (Path(base) / "config.json").is_file():
        return f"base_model {base!r} has no config.json"
    return None


def _report_to_stdout_rest_to(log_path: Path):
    """Keep stdout for the one-line-per-config report; Axolotl's own logs and progress bars go to `log_path`."""
    report = os.fdopen(os.dup(1), "w", buffering=1)
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    return report


def check(work: Path, configs: list[Path]) -> int:
    out = _report_to_stdout_rest_to(work / "check.log")

    def say(line: str) -> None:
        out.write(line + "\n")
        print(line, flush=True)  # the same line in the log, to find one's way in it

    started = time.monotonic()
    from axolotl.cli.args import PreprocessCliArgs
    from axolotl.cli.config import load_cfg
    from axolotl.common.datasets import load_datasets, load_preference_datasets
    from axolotl.utils.trainer import disable_datasets_caching

    say(f"  (axolotl imported in {time.monotonic() - started:.0f} s)")
    failures: list[str] = []
    for config in configs:
        step = "validate"
        t0 = time.monotonic()
        try:
            with config.open(encoding="utf-8") as handle:
                raw = yaml.safe_load(handle)
            if not isinstance(raw, dict):
                raise ValueError("the file is not a YAML mapping")
            cfg = load_cfg(str(config), **_work_paths(work, config))
            problem = _local_base_model_problem(cfg)
            if problem:
                raise ValueError(problem)
            say(f"  valid         {config}")

            step = "preprocess"
            cfg.is_preprocess = True
            with disable_datasets_caching():
                loader = load_preference_datasets if cfg.rl else load_datasets
                meta = loader(cfg=cfg, cli_args=PreprocessCliArgs(download=False))
            train_rows = len(meta.train_dataset)
            eval_rows = len(meta.eval_dataset) if meta.eval_dataset is not None else 0
            if train_rows == 0:
                raise ValueError("preprocessing left no training rows")
            trained = _trained_rows(meta.train_dataset)
            if not cfg.rl and trained == 0:
                raise ValueError("no training row has a token the loss sees (check roles_to_train / field names)")
            file_train, file_eval = _file_rows(raw.get("datasets")), _file_rows(raw.get("test_datasets"))
            say(
                f"  preprocessed  {config}: {train_rows} train rows (of {file_train} in the file), "
                f"{eval_rows} eval rows (of {file_eval}), {time.monotonic() - t0:.0f} s"
            )
        except Exception as exc:  # one line per broken config; all of them are checked
            detail = str(exc).strip().splitlines()
            reason = f"{type(exc).__name__}: {detail[0] if detail else ''}"
            say(f"  FAILED        {config} ({step}): {reason}")
            traceback.print_exc()  # into the log
            if len(detail) > 1:
                say("                " + "\n                ".join(detail[1:12]))
            failures.append(f"{config} ({step})")
    if failures:
        say(f"  {len(failures)} of {len(configs)} configs failed: {', '.join(failures)}")
        return 1
    return 0


def smoke_config(work: Path, config: Path) -> int:
    with config.open(encoding="utf-8") as handle:
        cfg = yaml.safe_load(handle)
    cfg.update(SMOKE_OVERRIDES)
    # the same prepared path as the check step: the tokenized rows are reused, not made again
    cfg.update(_work_paths(work, config))
    cfg["output_dir"] = str(work / "smoke-output")
    # No evaluation: the eval rows were preprocessed in the check step, and Axolotl 0.19 evaluates on start
    # whenever eval_steps or eval_strategy is set (even "no"): a full pass over them before step 1.
    for key in ("test_datasets", "eval_steps", "eval_strategy", "save_steps"):
        cfg.pop(key, None)
    cfg["val_set_size"] = 0
    target = work / "smoke.yaml"
    with target.open("w", encoding="utf-8") as handle:
        yaml.safe_dump(cfg, handle, sort_keys=False)
    print(target)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in {"check", "smoke-config"}:
        print(__doc__, file=sys.stderr)
        return 2
    work, configs = Path(argv[1]).resolve(), [Path(arg) for arg in argv[2:]]
    if argv[0] == "check":
        return check(work, configs)
    return smoke_config(work, configs[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
