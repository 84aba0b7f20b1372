"""The one generation interface (agents/backends): the transformers backend through it, stop strings, a backend
whose package is missing, and the registry's backend field."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents import backends
from agents.backends import FINISH_LENGTH, FINISH_STOP, GenerationRequest, TextStream, complete
from agents.loading import BackendNotInstalledError, LoadedModel
from sml_config import ModelConfigError, load_registry
from tests.fixtures.models import model_manager_with, write_models_file


def test_text_stream_finds_a_stop_string_split_across_deltas_and_never_shows_it() -> None:
    shown: list[str] = []
    stream = TextStream(GenerationRequest(stop_strings=("\nBob:",)), shown.append)
    assert not stream.add("Hello there")
    assert not stream.add("\nBo")  # could be the start of the stop string: held back
    assert "".join(shown) == "Hello there"
    assert stream.add("b: hi")
    result = stream.finish(FINISH_LENGTH)
    assert result.text == "Hello there" and result.finish_reason == FINISH_STOP
    assert "".join(shown) == "Hello there"


def test_text_stream_stops_when_the_caller_asks() -> None:
    stream = TextStream(GenerationRequest(), lambda delta: "stop" in delta)
    assert not stream.add("go on ")
    assert stream.add("stop now")
    assert stream.finish(FINISH_LENGTH).finish_reason == "cancelled"


@pytest.mark.slow
def test_transformers_backend_streams_through_the_one_interface(tiny_registry) -> None:
    loaded = tiny_registry.load_sync("text_generation")
    assert isinstance(loaded, LoadedModel) and loaded.backend_name == "transformers"
    deltas: list[str] = []
    result = loaded.stream(GenerationRequest(messages=[{"role": "user", "content": "alice: hi"}], max_new_tokens=6), deltas.append)
    assert result.new_tokens <= 6 and "".join(deltas) == result.text
    assert result.finish_reason in ("length", "stop")
    # The same call without streaming (what the swarm's generative roles use).
    assert isinstance(complete(loaded, prompt="alice: hello", max_new_tokens=4), str)
    assert tiny_registry.status()[0]["backend"] == "transformers"


def test_a_backend_whose_package_is_missing_names_the_pip_extra(tmp_path: Path, tiny_llama_dir: Path, monkeypatch) -> None:
    module, cls, _package, extra = backends._BACKENDS["llamacpp"]
    monkeypatch.setitem(backends._BACKENDS, "llamacpp", (module, cls, "smolcord_no_such_package", extra))
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)
    manager = model_manager_with(tmp_path, {"text_generation": {"local-gguf": {"path": str(gguf), "backend": "llamacpp"}}})
    try:
        with pytest.raises(BackendNotInstalledError) as raised:
            manager.load_sync("text_generation", "local-gguf")
    finally:
        manager.close_sync()
    line = str(raised.value)
    assert "\n" not in line and "pip install 'smolcord[llamacpp]'" in line and "local-gguf" in line


def test_registry_backend_field_from_toml_and_env(tmp_path: Path, tiny_bart_dir: Path) -> None:
    models = write_models_file(
        tmp_path / "models.toml",
        {
            "summarization": {"fast-bart": {"path": str(tiny_bart_dir), "backend": "ctranslate2"}},
            "text_generation": {"remote": {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "concurrency": 2}},
        },
    )
    registry = load_registry(models, env={"SMOLCORD_BACKEND__TEXT_GENERATION__SMOLLM2_135M": "llamacpp"})
    assert registry.spec("summarization", "fast-bart").backend == "ctranslate2"
    remote = registry.spec("text_generation", "remote")
    assert remote.is_remote and remote.concurrency == 2 and remote.family == "causal"
    assert registry.spec("text_generation", "smollm2-135m").backend == "llamacpp"
    assert registry.spec("text_generation", "tinyllama").backend == "transformers"
    url = load_registry(env={"SMOLCORD_MODEL__TEXT_GENERATION__BIG": "http://gpu-box:8000/v1"}).spec("text_generation", "big")
    assert url.backend == "openai" and url.base_url == "http://gpu-box:8000/v1"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"backend": "vllm", "hub_id": "x/y"}, "must be one of transformers, ctranslate2, llamacpp, openai"),
        ({"backend": "openai", "base_url": "gpu-box:8000/v1"}, "needs a scheme and a host, e.g. http://gpu-box:8000/v1"),
        ({"backend": "openai"}, "has no base_url"),
        ({"backend": "llamacpp", "hub_id": "x/y", "family": "seq2seq"}, "cannot run seq2seq"),
    ],
)
def test_registry_rejects_a_backend_it_cannot_use_in_one_line(tmp_path: Path, fields: dict, expected: str) -> None:
    models = write_models_file(
        tmp_path / "models.toml", {"summarization" if fields.get("family") == "seq2seq" else "text_generation": {"bad": fields}}
    )
    with pytest.raises(ModelConfigError) as raised:
        load_registry(models, env={})
    assert expected in str(raised.value) and "\n" not in str(raised.value)
