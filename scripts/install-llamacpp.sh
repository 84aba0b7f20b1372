#!/usr/bin/env bash
# Build and install llama-cpp-python (the `llamacpp` backend and the OpenAI-compatible test server) with PORTABLE
# CPU flags, then check that it runs.
#
# Why not a plain `pip install llama-cpp-python`: it compiles for the build machine's own CPU (GGML_NATIVE) and
# died with SIGILL (illegal instruction) on these VMs, whose CPU reports AMX that the VM does not allow. AVX2 + FMA
# + F16C runs on every x86-64 CPU since 2013-2015. Set SMOLCORD_LLAMACPP_CMAKE_ARGS to build for something else
# (e.g. "-DGGML_NATIVE=ON" on the machine that will run it, or "-DGGML_CUDA=ON").
#
# Takes ~4.5 min on 2 idle cores (11 min on a busy shared 2-core machine). The wheel is kept in
# .cache/llamacpp-wheels/<hash of the flags>/, so a second run with the same flags installs in seconds; pip's own
# wheel cache is bypassed because it ignores CMAKE_ARGS and could hand back a native build.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="0.3.36"
CMAKE_ARGS="${SMOLCORD_LLAMACPP_CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
PY=".venv/bin/python"
[ -x "$PY" ] || PY="python3"

flags_hash="$(printf '%s %s' "$VERSION" "$CMAKE_ARGS" | sha256sum | cut -c1-16)"
wheels=".cache/llamacpp-wheels/$flags_hash"
if ! ls "$wheels"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
  echo "building llama-cpp-python $VERSION with CMAKE_ARGS=\"$CMAKE_ARGS\" (several minutes)..."
  start=$(date +%s)
  mkdir -p "$wheels"
  CMAKE_ARGS="$CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$PY" -m pip wheel --quiet --no-deps --no-cache-dir --no-binary llama-cpp-python -w "$wheels" \
    "llama-cpp-python==$VERSION"
  echo "built in $(( $(date +%s) - start )) s"
fi
"$PY" -m pip install --quiet --force-reinstall --no-deps "$wheels"/llama_cpp_python-"$VERSION"-*.whl
# The server extra's and the library's own dependencies (from PyPI wheels, nothing to compile).
"$PY" -m pip install --quiet "llama-cpp-python[server]==$VERSION"

# Check it in a child process: a build for the wrong CPU dies of SIGILL here, not in the bot.
"$PY" - <<'PY'
import subprocess, sys
code = "import llama_cpp; llama_cpp.llama_backend_init(); print(llama_cpp.__version__)"
done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
if done.returncode != 0:
    sys.exit(f"llama-cpp-python does not run on this CPU (exit {done.returncode}): {done.stderr.strip()[-300:]}")
print(f"llama-cpp-python {done.stdout.strip()} installed and runs on this CPU")
PY
