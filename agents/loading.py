"""Turning a ModelSpec into a tokenizer and a torch model: sources, dtype, GGUF conversion, int8, hub cache and pull."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sml_config import ModelSpec

if TYPE_CHECKING:
    from agents.backends.base import GenerationRequest, GenerationResult

log = logging.getLogger(__name__)

# transformers builds models inside context managers that patch process-wide state (meta-device
# initialisation, skipped weight init). Two loads in two threads interleave those patches and
# leave later loads with uninitialised ("meta" or MISSING) weights, so loads and conversions
# take turns. Inference never takes this lock.
LOAD_LOCK = threading.RLock()


# --- errors (re-exported by agents.runtime, where callers import them from) ----------------


class ModelError(RuntimeError):
    """Base of all model errors; str() is one line a user can read (the first line of the message)."""

    def __str__(self) -> str:
        text = super().__str__().strip()
        return text.splitlines()[0] if text else type(self).__name__


class ModelNotDownloadedError(ModelError):
    """The model's weights are not in the model cache (and may not be fetched now)."""

    def __init__(self, spec: ModelSpec, reason: str | None = None):
        self.key = spec.key
        self.task = spec.task
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"model '{spec.key}' ({spec.hub_id or spec.local_path}) is not downloaded{why}: run `smolcord models pull {spec.key}`"
        )


class ModelLoadError(ModelError):
    """The weights exist but could not be loaded (corrupt folder, wrong architecture, out of memory)."""


class ModelBusyError(ModelError):
    """Too many inference jobs are waiting; `position` is the place this job would have had."""

    def __init__(self, position: int, limit: int):
        self.position = position
        self.limit = limit
        super().__init__(f"the models are busy ({limit} jobs already waiting): try again in a minute")


class ModelTimeoutError(ModelError):
    """An inference job did not finish within its time limit."""


class BackendNotInstalledError(ModelLoadError):
    """A model's backend needs a package that is not installed; the message names the pip extra."""

    def __init__(self, spec: ModelSpec, module: str, extra: str):
        self.key = spec.key
        self.extra = extra
        super().__init__(
            f"model '{spec.key}' runs on the {spec.backend} backend, which needs the `{module}` package: pip install 'smolcord[{extra}]'"
        )


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception as `Type: first line`, short enough for a chat message or a CLI error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- device and dtype -----------------------------------------------------------------------


def _cpuinfo_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    flags: set[str] = set()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):  # x86, ARM
            flags.update(value.split())
    return flags


def cpu_supports_bf16(cpu_flags: Iterable[str] | None = None) -> bool:
    """True when the CPU computes bf16 natively (AVX512-BF16, AMX-BF16 or ARM BF16).

    Without native support torch emulates bf16 and it is slower than fp32, so this matters.
    `cpu_flags` (e.g. from /proc/cpuinfo) is for tests; None asks torch, then /proc/cpuinfo.
    """
    if cpu_flags is None:
        import torch

        try:
            if torch.cpu._is_avx512_bf16_supported():  # private but stable since torch 2.1
                return True
        except AttributeError:
            pass
        cpu_flags = _cpuinfo_flags()
    flags = {flag.lower() for flag in cpu_flags}
    return bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})


def resolve_device(device: str) -> str:
    """ "auto" → cuda when torch sees a GPU, else cpu; "cuda" without a GPU is an error."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("SMOLCORD_DEVICE is cuda but torch sees no CUDA device (use auto or cpu)")
    if device not in ("cpu", "cuda"):
        raise ModelLoadError(f"unknown device {device!r}: choose auto, cpu or cuda")
    return device


def choose_dtype(device: str, *, cpu_flags: Iterable[str] | None = None):
    """The compute dtype for `device`: bf16 where the hardware does bf16, else fp16 on GPU, fp32 on CPU."""
    import torch

    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if cpu_supports_bf16(cpu_flags) else torch.float32


# --- where the weights are ------------------------------------------------------------------


def hub_cache_dir(cache_dir: str | os.PathLike) -> Path:
    return Path(cache_dir) / "hub"


def _file_fingerprint(path: Path) -> str:
    """name-size-mtime: changes whenever the file is replaced, without hashing 100 MB."""
    stat = path.stat()
    return f"{path.stem}-{stat.st_size}-{stat.st_mtime_ns}"


@dataclass(frozen=True)
class WeightSource:
    """Where a spec's weights are: kind is folder, gguf, zip or hub."""

    kind: str
    location: str  # a path, or a hub repository id
    gguf_file: str | None = None


def weight_source(spec: ModelSpec) -> WeightSource:
    if spec.local_path:
        path = Path(spec.local_path).expanduser()
        if path.exists():
            if path.is_dir():
                return WeightSource("folder", str(path))
            if path.suffix.lower() == ".gguf":
                return WeightSource("gguf", str(path), path.name)
            if path.suffix.lower() == ".zip":
                return WeightSource("zip", str(path))
            raise ModelLoadError(f"model '{spec.key}' points to {path}, which is not a folder, a .gguf or a .zip file")
        if not spec.hub_id:
            raise ModelLoadError(f"model '{spec.key}' points to {path}, which does not exist")
    if spec.hub_id:
        return WeightSource("hub", spec.hub_id, spec.hub_gguf_file)
    raise ModelLoadError(f"model '{spec.key}' has neither a hub id nor a local path")


def cached_snapshot(spec: ModelSpec, cache_dir: str | os.PathLike) -> Path | None:
    """The folder of a hub model's downloaded snapshot in the model cache, or None."""
    if not spec.hub_id:
        return None
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(spec.hub_id, cache_dir=hub_cache_dir(cache_dir), local_files_only=True))
    except Exception:  # LocalEntryNotFoundError and friends: not cached
        return None
    wanted = spec.hub_gguf_file or "config.json"
    return folder if (folder / wanted).exists() else None


def is_downloaded(spec: ModelSpec, cache_dir: str | os.PathLike) -> bool:
    """True when loading needs no download (local weights, or the hub snapshot is cached)."""
    if not spec.needs_weights or spec.is_local or spec.is_remote:
        return True
    return cached_snapshot(spec, cache_dir) is not None


def extract_zip(archive: Path, cache_dir: str | os.PathLike) -> Path:
    """Extract a zipped model folder once into <cache>/extracted/<name-size-mtime>/ and return the folder with config.json."""
    target = Path(cache_dir) / "extracted" / _file_fingerprint(archive)
    if not (target / ".complete").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
        try:
            with zipfile.ZipFile(archive) as bundle:
                for member in bundle.namelist():  # never write outside the scratch folder
                    resolved = (scratch / member).resolve()
                    if not resolved.is_relative_to(scratch.resolve()):
                        raise ModelLoadError(f"{archive} contains an unsafe path {member!r}")
                bundle.extractall(scratch)
            (scratch / ".complete").write_text("ok")
            _publish(scratch, target)
        except zipfile.BadZipFile as exc:
            raise ModelLoadError(f"{archive} is not a valid zip file: {exc}") from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    configs = sorted(target.rglob("config.json"), key=lambda p: len(p.parts))
    if not configs:
        raise ModelLoadError(f"{archive} holds no config.json: not a transformers model folder")
    return configs[0].parent


def _publish(scratch: Path, target: Path) -> None:
    """Move a finished folder into place; a concurrent publisher that won the race is fine."""
    try:
        scratch.rename(target)
    except OSError:
        if not target.exists():
            raise


def converted_gguf_dir(gguf_path: Path, cache_dir: str | os.PathLike) -> Path:
    return Path(cache_dir) / "converted" / _file_fingerprint(gguf_path)


def _convert_gguf(gguf_path: Path, cache_dir: str | os.PathLike) -> Path:
    """Dequantize a GGUF file once into a transformers folder in the model cache; return that folder.

    Reading the GGUF vocabulary and weights takes ~15-25 s here; loading the saved folder ~2 s.
    The folder is keyed by the file's name, size and mtime, so replacing the file converts again.
    """
    target = converted_gguf_dir(gguf_path, cache_dir)
    if (target / ".complete").exists():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    log.info("converting %s into %s (once)", gguf_path, target)
    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    # save_pretrained only works on a GGUF loaded with GgufConfig(dequantize=True) (transformers' GGUF loader);
    # bf16 keeps more than the 4-bit source had and halves the folder against fp32.
    model = AutoModelForCausalLM.from_pretrained(
        folder,
        gguf_file=name,
        quantization_config=GgufConfig(gguf_file=str(gguf_path), dequantize=True),
        dtype=torch.bfloat16,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        model.save_pretrained(scratch)
        tokenizer.save_pretrained(scratch)
        (scratch / ".complete").write_text(str(gguf_path))
        _publish(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


# --- loading --------------------------------------------------------------------------------


def model_class(spec: ModelSpec):
    """The transformers Auto class for a spec's family and task."""
    import transformers

    if spec.family == "seq2seq":
        return transformers.AutoModelForSeq2SeqLM
    if spec.family == "causal":
        return transformers.AutoModelForCausalLM
    if spec.family == "encoder":
        if spec.task == "classification":
            return transformers.AutoModelForSequenceClassification
        return transformers.AutoModel
    raise ModelLoadError(f"model '{spec.key}' is {spec.family}: it has no weights to load")


def local_folder(spec: ModelSpec, cache_dir: str | os.PathLike, *, offline: bool) -> tuple[str, dict[str, Any]]:
    """The name to pass to from_pretrained and the extra keyword arguments, preparing local sources.

    Raises ModelNotDownloadedError when a hub model is not cached and may not be fetched.
    """
    source = weight_source(spec)
    if source.kind == "folder":
        return source.location, {"local_files_only": True}
    if source.kind == "zip":
        return str(extract_zip(Path(source.location), cache_dir)), {"local_files_only": True}
    if source.kind == "gguf":
        return str(convert_gguf(Path(source.location), cache_dir)), {"local_files_only": True}
    snapshot = cached_snapshot(spec, cache_dir)
    if snapshot is not None:
        extra: dict[str, Any] = {"local_files_only": True}
        if source.gguf_file:
            return str(convert_gguf(snapshot / source.gguf_file, cache_dir)), extra
        return str(snapshot), extra
    if offline or _hub_offline_env():
        raise ModelNotDownloadedError(spec, "offline mode")
    if source.gguf_file:  # from_pretrained cannot convert a hub GGUF into our cache: fetch it first
        try:
            snapshot = pull(spec, cache_dir, offline=offline, progress=False)
        except ModelError as exc:
            raise ModelNotDownloadedError(spec, str(exc)) from None
        return str(convert_gguf(snapshot / source.gguf_file, cache_dir)), {"local_files_only": True}
    # Online: from_pretrained downloads into the same cache `smolcord models pull` uses.
    return source.location, {"cache_dir": str(hub_cache_dir(cache_dir))}


def _hub_offline_env() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _quantize_int8(model):
    import torch

    with warnings.catch_warnings():
        # torch.ao.quantization warns that it is moving to torchao; the API still works.
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def model_memory_mb(model) -> float:
    """MiB held by the model's tensors (parameters, buffers, int8 packed weights), shared storage counted once."""
    import torch

    seen: set[int] = set()
    total = 0

    def add(value: Any) -> None:
        nonlocal total
        if isinstance(value, torch.Tensor):
            try:
                key = value.untyped_storage().data_ptr()
            except (RuntimeError, NotImplementedError):  # quantized tensors
                key = id(value)
            if key in seen:
                return
            seen.add(key)
            total += value.numel() * value.element_size()
        elif isinstance(value, (tuple, list)):
            for item in value:
                add(item)

    for value in model.state_dict(keep_vars=True).values():
        add(value)
    return total / 2**20


def estimate_memory_mb(spec: ModelSpec, dtype, quantized: bool) -> float:
    """What loading a spec will need, before loading: parameters x bytes per parameter."""
    import torch

    if not spec.needs_weights:
        return 0.0
    if quantized:
        per_param = 1.3  # int8 Linear weights, the rest (embeddings, norms) stays fp32
    else:
        per_param = torch.empty((), dtype=dtype).element_size()
    if spec.params_m <= 0:
        # A user model without size figures: count the parameters in its weight files.
        params = _local_parameter_count(spec)
        if params is None:
            return _weights_on_disk_mb(spec)
        return params * per_param / 2**20
    return spec.params_m * 1e6 * per_param / 2**20


def _local_parameter_count(spec: ModelSpec) -> int | None:
    """Parameters in a local folder's safetensors files, read from their JSON headers (no weights read)."""
    import json
    import math
    import struct

    if not spec.is_local or spec.local_path is None or not Path(spec.local_path).is_dir():
        return None
    files = list(Path(spec.local_path).glob("*.safetensors"))
    if not files:
        return None
    total = 0
    try:
        for weights in files:
            with weights.open("rb") as handle:
                (header_size,) = struct.unpack("<Q", handle.read(8))
                header = json.loads(handle.read(header_size))
            total += sum(math.prod(t["shape"]) for name, t in header.items() if name != "__metadata__")
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        return None
    return total


def _weights_on_disk_mb(spec: ModelSpec) -> float:
    if not spec.is_local or spec.local_path is None:
        return 0.0
    path = Path(spec.local_path)
    if path.is_file():
        # A Q4 GGUF holds about 2 parameters per byte; dequantized to bf16 that is ~4x the file.
        return path.stat().st_size * (4 if path.suffix.lower() == ".gguf" else 1) / 2**20
    files = [f for pattern in ("*.safetensors", "*.bin") for f in path.glob(pattern)]
    return sum(f.stat().st_size for f in files) / 2**20


@dataclass
class LoadedModel:
    """A model ready for inference, whichever engine runs it. Use it only inside `ModelManager.run` jobs.

    `tokenizer` is the model's own (transformers) tokenizer, or an estimate for a remote model;
    prompt building counts tokens with it. `model` is the engine's object (a torch module, a
    CTranslate2 Translator, a llama.cpp Llama, an HTTP client): only its backend touches it.
    Generation goes through `stream` and `generate_batch`, so callers never depend on the engine.
    """

    spec: ModelSpec
    tokenizer: Any
    model: Any
    device: str
    dtype: Any
    quantized: bool
    memory_mb: float
    backend: Any = None  # the agents.backends GenerationBackend that loaded it; None: no weights
    generation_defaults: dict = field(default_factory=dict)  # the model's own generation_config values

    @property
    def backend_name(self) -> str:
        return getattr(self.backend, "name", "none")

    def stream(self, request: GenerationRequest, on_text: Callable[[str], bool | None] | None = None) -> GenerationResult:
        """Generate one reply, calling `on_text(delta)` for each new piece of text (return True to stop)."""
        if self.backend is None:
            raise ModelError(f"model '{self.spec.key}' has no weights: it cannot generate text")
        return self.backend.stream(self, request, on_text)

    def generate_batch(
        self,
        prompts: Sequence[Sequence[int]],
        *,
        max_new_tokens: int,
        min_new_tokens: int = 0,
        options: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """One output text per prompt (token ids from `tokenizer`, special tokens included), decoded."""
        if self.backend is None:
            raise ModelError(f"model '{self.spec.key}' has no weights: it cannot generate text")
        return self.backend.generate_batch(
            self, prompts, max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens, options=dict(options or {})
        )

    def close(self) -> None:
        """Free what the engine holds outside Python's reach (llama.cpp contexts, HTTP connections)."""
        if self.backend is not None:
            self.backend.close(self)


def convert_gguf(gguf_path: Path, cache_dir: str | os.PathLike) -> Path:
    """Dequantize a GGUF file once into a transformers folder in the model cache; return that folder.

    Reading the GGUF vocabulary and weights takes ~15-25 s here; loading the saved folder ~2 s.
    The folder is keyed by the file's name, size and mtime, so replacing the file converts again.
    """
    with LOAD_LOCK:
        return _convert_gguf(gguf_path, cache_dir)


def load_weights(
    spec: ModelSpec,
    *,
    cache_dir: str | os.PathLike,
    offline: bool,
    device: str,
    quantize: bool,
) -> LoadedModel:
    """Load tokenizer and model for `spec` (blocking: call it off the event loop).

    Raises ModelNotDownloadedError / ModelLoadError with one line, never a raw traceback.
    """
    with LOAD_LOCK:
        return _load_weights(spec, cache_dir=cache_dir, offline=offline, device=device, quantize=quantize)


def silence_progress_bars() -> None:
    """No progress bars from transformers while a model loads ("Loading weights: 100%|████", the GGUF conversion's
    272 steps): the bot's log and a command's output are read by people. Its hub downloads are silenced with them;
    `smolcord models pull`, which wants to show a download's progress, does not load a model."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        import transformers.modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:  # the gguf package is optional
        return
    # The GGUF reader imports tqdm itself, past the switch above: give it transformers' switchable one.
    if getattr(gguf_utils, "tqdm", None) is not None:
        gguf_utils.tqdm = hf_logging.tqdm


def _load_weights(spec: ModelSpec, *, cache_dir, offline: bool, device: str, quantize: bool) -> LoadedModel:
    import torch
    from transformers import AutoTokenizer

    silence_progress_bars()
    device = resolve_device(device)
    if quantize and device != "cpu":
        log.warning("int8 dynamic quantization is CPU-only; loading '%s' unquantized on %s", spec.key, device)
        quantize = False
    dtype = torch.float32 if quantize else choose_dtype(device)
    name, extra = local_folder(spec, cache_dir, offline=offline)
    auto_class = model_class(spec)
    try:
        tokenizer = AutoTokenizer.from_pretrained(name, **extra)
        model = auto_class.from_pretrained(name, dtype=dtype, **extra)
    except ModelError:
        raise
    except OSError as exc:
        if extra.get("cache_dir") is not None:  # online download attempt failed
            raise ModelNotDownloadedError(spec, f"download failed: {one_line(exc, 160)}") from None
        raise ModelLoadError(f"model '{spec.key}' could not be loaded from {name}: {one_line(exc)}") from None
    except Exception as exc:
        raise ModelLoadError(f"model '{spec.key}' could not be loaded from {name}: {one_line(exc)}") from None
    if any(parameter.is_meta for parameter in model.parameters()):
        raise ModelLoadError(f"model '{spec.key}' loaded without weights (meta tensors) from {name}")
    try:
        model.eval()
        if quantize:
            model = _quantize_int8(model)
        elif device != "cpu":
            model.to(device)
    except Exception as exc:
        raise ModelLoadError(f"model '{spec.key}' could not be prepared on {device}: {one_line(exc)}") from None
    if getattr(tokenizer, "pad_token", None) is None and getattr(tokenizer, "eos_token", None) is not None:
        tokenizer.pad_token = tokenizer.eos_token  # batching needs one; decoder-only models often lack it
    own = getattr(model, "generation_config", None)
    defaults = own.to_dict() if own is not None and hasattr(own, "to_dict") else {}
    return LoadedModel(spec, tokenizer, model, device, dtype, quantize, model_memory_mb(model), generation_defaults=defaults)


# --- pull -----------------------------------------------------------------------------------

# What a transformers load needs; skips the TensorFlow/Flax/ONNX copies many repos also carry,
# and remote code (*.py), which smolcord never runs.
_PULL_PATTERNS = ["*.json", "*.txt", "*.model", "*.jinja", "*.tiktoken"]


def check_pullable(spec: ModelSpec, *, offline: bool) -> None:
    """Raise ModelError (one line) when `pull` cannot even start: no weights, local only, offline."""
    if not spec.needs_weights:
        raise ModelError(f"model '{spec.key}' is {spec.family}: it has no weights to download")
    if spec.is_remote:
        raise ModelError(f"model '{spec.key}' runs on the server at {spec.base_url}: nothing to download")
    if not spec.hub_id:
        raise ModelError(f"model '{spec.key}' is local ({spec.local_path}): nothing to download")
    if offline or _hub_offline_env():
        raise ModelError(f"cannot download '{spec.key}' ({spec.hub_id}) in offline mode: unset SMOLCORD_OFFLINE/HF_HUB_OFFLINE")


def pull(spec: ModelSpec, cache_dir: str | os.PathLike, *, offline: bool, progress: bool = True) -> Path:
    """Download a hub model into the model cache (with tqdm progress) and return its snapshot folder.

    Raises ModelError with one line: offline, local-only model, or the hub unreachable.
    """
    check_pullable(spec, offline=offline)
    from huggingface_hub import HfApi, snapshot_download

    hub_id = spec.hub_id
    assert hub_id is not None  # check_pullable refuses a model without one

    cache = hub_cache_dir(cache_dir)
    try:
        if spec.hub_gguf_file:
            patterns = ["*.json", spec.hub_gguf_file]
        else:
            files = [s.rfilename for s in (HfApi().model_info(hub_id).siblings or [])]
            weights = ["*.safetensors"] if any(f.endswith(".safetensors") for f in files) else ["*.bin"]
            patterns = _PULL_PATTERNS + weights
        if not progress:
            from huggingface_hub.utils import disable_progress_bars

            disable_progress_bars()
        folder = snapshot_download(hub_id, cache_dir=cache, allow_patterns=patterns)
    except Exception as exc:
        raise ModelError(f"could not download '{spec.key}' ({spec.hub_id}) from the Hugging Face hub: {one_line(exc, 200)}") from None
    return Path(folder)
