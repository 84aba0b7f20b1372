"""The CTranslate2 backend: encoder-decoder summarizers (BART, DistilBART, PEGASUS) in int8 on the CPU.

A model is converted once, with CTranslate2's own converter, into <cache>/ctranslate2/<folder
fingerprint>-int8/. The conversion writes into a scratch folder beside it and renames that into
place only when it has finished, so a conversion that fails (or is killed) halfway leaves nothing
that a later load would take for a model. Later loads read only the int8 weights: no fp32 copy of
the model is ever held, which keeps the loading peak close to the loaded size.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agents.backends.base import (
    FINISH_LENGTH,
    FINISH_STOP,
    DeltaDecoder,
    GenerationRequest,
    GenerationResult,
    TextStream,
    directory_fingerprint,
    prompt_token_ids,
)
from agents.loading import (
    LOAD_LOCK,
    LoadedModel,
    ModelError,
    ModelLoadError,
    _publish,
    local_folder,
    one_line,
    pull,
    resolve_device,
)
from sml_config import ModelSpec

log = logging.getLogger(__name__)

COMPUTE_TYPE = "int8"


def converted_ct2_dir(source: Path, cache_dir: str | os.PathLike) -> Path:
    return Path(cache_dir) / "ctranslate2" / f"{directory_fingerprint(source)}-{COMPUTE_TYPE}"


def convert(source: Path, cache_dir: str | os.PathLike, *, key: str = "") -> Path:
    """Convert a transformers folder once into the model cache (int8); return the CTranslate2 folder."""
    target = converted_ct2_dir(source, cache_dir)
    if (target / ".complete").exists():
        return target
    log.info("converting %s for CTranslate2 into %s (once)", source, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        output = scratch / "model"
        _converter_class()(str(source), low_cpu_mem_usage=True).convert(str(output), quantization=COMPUTE_TYPE, force=True)
        (output / ".complete").write_text(str(source))
        _publish(output, target)
    except ModelError:
        raise
    except Exception as exc:  # the converter raises whatever its loader hits; one line for the user
        raise ModelLoadError(f"model '{key or source.name}' could not be converted for CTranslate2: {one_line(exc)}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _converter_class():
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            # transformers 5 dropped BartConfig.normalize_before (BART is post-norm); ctranslate2's
            # BART loader still reads it.
            if not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False
            return model

    return Converter


def _source_folder(spec: ModelSpec, cache_dir: str | os.PathLike, offline: bool) -> Path:
    name, extra = local_folder(spec, cache_dir, offline=offline)
    if "cache_dir" in extra:  # a hub model that is not cached yet: fetch it like `smolcord models pull`
        return pull(spec, cache_dir, offline=offline, progress=False)
    return Path(name)


def ct2_threads() -> int:
    """SMOLCORD_CT2_THREADS, else every core up to 4 (summaries are batched matrix work that uses them well)."""
    configured = os.environ.get("SMOLCORD_CT2_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, 4))


class CTranslate2Backend:
    name = "ctranslate2"
    remote = False

    def estimate_memory_mb(self, spec: ModelSpec, dtype: Any, quantized: bool) -> float:
        from agents.loading import estimate_memory_mb

        # int8 weights, ~1 byte a parameter (the quantized estimate of the torch path is close).
        return estimate_memory_mb(spec, dtype, True)

    def workers(self, spec: ModelSpec) -> int:
        return 1

    def load(self, spec: ModelSpec, *, cache_dir: str | os.PathLike, offline: bool, device: str, quantize: bool) -> LoadedModel:
        import ctranslate2
        from transformers import AutoTokenizer

        device = resolve_device(device)
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            device = "cpu"  # this ctranslate2 wheel has no CUDA: run on the CPU
        with LOAD_LOCK:
            source = _source_folder(spec, cache_dir, offline)
            target = convert(source, cache_dir, key=spec.key)
            try:
                tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
                translator = ctranslate2.Translator(
                    str(target),
                    device=device,
                    compute_type=COMPUTE_TYPE if device == "cpu" else "int8_float16",
                    intra_threads=ct2_threads(),
                )
            except Exception as exc:
                raise ModelLoadError(f"model '{spec.key}' could not be loaded by CTranslate2: {one_line(exc)}") from None
        defaults: dict[str, Any] = {}
        config = source / "generation_config.json"
        if config.is_file():
            try:
                defaults = json.loads(config.read_text())
            except (OSError, ValueError):
                defaults = {}
        memory_mb = sum(f.stat().st_size for f in target.glob("*.bin")) / 2**20
        return LoadedModel(spec, tokenizer, translator, device, COMPUTE_TYPE, True, memory_mb, backend=self, generation_defaults=defaults)

    def _options(self, options: dict[str, Any], max_new_tokens: int, min_new_tokens: int) -> dict[str, Any]:
        sampling = bool(options.get("do_sample"))
        return {
            "beam_size": 1 if sampling else int(options.get("num_beams", 1) or 1),
            "max_decoding_length": int(max_new_tokens),
            "min_decoding_length": int(min_new_tokens),
            "no_repeat_ngram_size": int(options.get("no_repeat_ngram_size", 0) or 0),
            "length_penalty": float(options.get("length_penalty", 1.0)),
            "repetition_penalty": float(options.get("repetition_penalty", 1.0)),
            "sampling_topk": int(options.get("top_k", 50)) if sampling else 1,
            "sampling_temperature": float(options.get("temperature", 1.0)) if sampling else 1.0,
        }

    def generate_batch(
        self,
        loaded: LoadedModel,
        prompts: Sequence[Sequence[int]],
        *,
        max_new_tokens: int,
        min_new_tokens: int,
        options: dict[str, Any],
    ) -> list[str]:
        tokenizer = loaded.tokenizer
        sources = [tokenizer.convert_ids_to_tokens(list(ids)) for ids in prompts]
        results = loaded.model.translate_batch(sources, **self._options(options, max_new_tokens, min_new_tokens))
        return [tokenizer.decode(tokenizer.convert_tokens_to_ids(result.hypotheses[0]), skip_special_tokens=True) for result in results]

    def stream(self, loaded: LoadedModel, request: GenerationRequest, on_text: Callable[[str], bool | None] | None) -> GenerationResult:
        tokenizer = loaded.tokenizer
        source = tokenizer.convert_ids_to_tokens(prompt_token_ids(loaded, request))
        options = self._options(request.options, request.max_new_tokens, 0)
        options.pop("beam_size")  # generate_tokens decodes greedily or samples
        options.pop("length_penalty")
        stream = TextStream(request, on_text)
        decoder = DeltaDecoder(tokenizer)
        steps = loaded.model.generate_tokens(source, **options)
        new = 0
        try:
            for step in steps:
                new += 1
                if stream.add(decoder.add([step.token_id]), tokens=1):
                    break
        finally:
            close = getattr(steps, "close", None)
            if close is not None:
                close()
        return stream.finish(FINISH_LENGTH if new >= request.max_new_tokens else FINISH_STOP)

    def close(self, loaded: LoadedModel) -> None:
        unload = getattr(loaded.model, "unload_model", None)
        if unload is not None:
            unload()
