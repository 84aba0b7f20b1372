"""The openai backend against a REAL OpenAI-compatible server on loopback (llama-cpp-python's server serving the
SmolLM2 GGUF), plus a tiny aiohttp server for the faults a real one rarely shows: garbage, a slow answer, a stream
cut mid-reply. Assertions are on structure and the product's own one-line messages, never on model wording."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from agents import chat
from agents.backends.openai import RemoteModelError, RemoteTimeoutError, check_base_url
from agents.loading import ModelLoadError, ModelTimeoutError
from agents.records import MessageRecord
from tests.fixtures.models import model_manager_with

KEY = "remote"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def remote_manager(tmp_path: Path, base_url: str, **fields: Any):
    entry = {"backend": "openai", "base_url": base_url, "context_window": 2048, **fields}
    return model_manager_with(tmp_path, {"text_generation": {KEY: entry}})


def question(text: str = "What should we do about the failed deploy?") -> MessageRecord:
    from datetime import datetime

    return MessageRecord(
        id=1000,
        channel_id=42,
        author_id=7,
        author_name="alice",
        content=text,
        created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        guild_id=1,
    )


def reply_job(updates: list[str]):
    """What the chat cog runs in the model's worker: pack the prompt, stream the reply."""

    def job(loaded: Any) -> str:
        prompt = chat.build_chat_prompt(
            loaded.tokenizer,
            question(),
            bot_user_id=99,
            bot_name="smolcord",
            context_window=loaded.spec.context_window,
            max_new_tokens=24,
        )
        return chat.generate_reply(
            loaded,
            prompt.messages,
            max_new_tokens=prompt.max_new_tokens,
            on_text=updates.append,
            stop_strings=prompt.stop_strings,
            assistant_name=prompt.assistant_name,
        )

    return job


# --- the real server -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llama_server(smollm2_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("uvicorn") is None:
        pytest.skip("llama-cpp-python[server] is not installed: bash scripts/install-llamacpp.sh")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(smollm2_gguf),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                "2",
                "--model_alias",
                "smollm2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {process.returncode}: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base_url + "/models", timeout=2) as response:
                    json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start in 90 s: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.slow
async def test_a_real_server_streams_a_chat_reply(tmp_path: Path, llama_server: str) -> None:
    manager = remote_manager(tmp_path, llama_server, api_model="smollm2", concurrency=2)
    try:
        updates: list[str] = []
        text = await manager.run("text_generation", KEY, reply_job(updates))
        assert text.strip() and updates and updates[-1] == text
        assert len(updates) >= 2  # it streamed rather than answering once at the end
        row = manager.status()[0]
        assert row["backend"] == "openai" and row["memory_mb"] == 0.0 and manager.memory_used_mb() == 0.0
        # Two replies at once: the spec's concurrency lets both be in flight.
        both = await asyncio.gather(*(manager.run("text_generation", KEY, reply_job([])) for _ in range(2)))
        assert all(isinstance(t, str) for t in both)
    finally:
        await manager.close()


async def test_a_server_that_is_down_is_one_line_naming_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    manager = remote_manager(tmp_path, url)
    try:
        with pytest.raises(RemoteModelError) as raised:
            await manager.run("text_generation", KEY, reply_job([]))
    finally:
        await manager.close()
    line = str(raised.value)
    assert "\n" not in line and url in line and "connection refused" in line and "check that it is running" in line


def test_an_endpoint_url_without_a_scheme_is_refused_in_one_line() -> None:
    with pytest.raises(ModelLoadError) as raised:
        check_base_url("127.0.0.1:8080/v1", "remote")
    assert "needs a scheme and a host, e.g. http://127.0.0.1:8080/v1" in str(raised.value)
    assert check_base_url("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080/v1"


# --- a fake server for the faults ----------------------------------------------------------------------------


def event(content: str) -> bytes:
    return f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': content}, 'finish_reason': None}]})}\n\n".encode()


async def models(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [{"id": "fake", "object": "model"}]})


async def serve(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_get("/v1/models", models)
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/v1"


async def ask(tmp_path: Path, handler, **fields: Any) -> tuple[str | BaseException, list[str]]:
    runner, url = await serve(handler)
    manager = remote_manager(tmp_path, url, **fields)
    updates: list[str] = []
    try:
        return await manager.run("text_generation", KEY, reply_job(updates)), updates
    except Exception as error:
        return error, updates
    finally:
        await manager.close()
        await runner.cleanup()


async def test_a_fake_server_streams_and_the_request_is_openai_shaped(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.update(await request.json())
        seen["auth"] = request.headers.get("Authorization")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in ("The deploy ", "needs a ", "retry."):
            await response.write(event(piece))
        await response.write(b"data: [DONE]\n\n")
        return response

    import os

    os.environ["SMOLCORD_TEST_REMOTE_KEY"] = "sk-test"
    try:
        result, updates = await ask(tmp_path, handler, api_key_env="SMOLCORD_TEST_REMOTE_KEY", api_model="fake")
    finally:
        del os.environ["SMOLCORD_TEST_REMOTE_KEY"]
    assert result == "The deploy needs a retry." and updates[-1] == result and len(updates) >= 2
    assert seen["model"] == "fake" and seen["stream"] is True and seen["auth"] == "Bearer sk-test"
    assert seen["messages"][0]["role"] == "system" and "alice: What should we do" in seen["messages"][-1]["content"]


async def test_a_slow_server_times_out_with_the_busy_line(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(1.5)
        return web.json_response({})

    result, _ = await ask(tmp_path, handler, request_timeout_s=0.3)
    assert isinstance(result, RemoteTimeoutError) and isinstance(result, ModelTimeoutError)
    assert "busy" in str(result) and "\n" not in str(result)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", "Content-Type text/html"),
        (b"data: {not json\n\n", "text/event-stream", "not JSON"),
        (b'data: {"object": "chat.completion.chunk"}\n\n', "text/event-stream", "an event without choices"),
        (b"hello\n", "text/event-stream", "not a server-sent event"),
    ],
)
async def test_a_server_that_sends_garbage_is_one_line(tmp_path: Path, body: bytes, content_type: str, expected: str) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": content_type})

    result, _ = await ask(tmp_path, handler)
    assert isinstance(result, RemoteModelError), result
    assert "not an OpenAI-compatible reply" in str(result) and expected in str(result) and "\n" not in str(result)


async def test_an_http_error_is_one_line_with_the_servers_reason(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"error": {"message": "model 'remote' not found"}}, status=404)

    result, _ = await ask(tmp_path, handler)
    assert isinstance(result, RemoteModelError) and "HTTP 404: model 'remote' not found" in str(result)


async def test_a_stream_closed_mid_reply_says_the_reply_was_cut(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(event("We should roll "))
        await response.write(event("back the"))
        request.transport.close()  # the server dies: no [DONE], no finish_reason
        return response

    result, updates = await ask(tmp_path, handler)
    assert isinstance(result, str), result
    assert result.startswith("We should roll back the") and result.endswith(chat.CUT_NOTE)
    assert updates[-1] == result


@pytest.mark.slow
async def test_switch_across_backends_and_the_budget_counts_only_local_models(tmp_path: Path, tiny_llama_dir: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(event("ok"))
        await response.write(b"data: [DONE]\n\n")
        return response

    runner, url = await serve(handler)
    manager = model_manager_with(
        tmp_path,
        {"text_generation": {"local": str(tiny_llama_dir), KEY: {"backend": "openai", "base_url": url}}},
        memory_budget_mb=1.0,  # smaller than the tiny model: any local load would have to evict the others
    )
    try:
        local = await manager.get("text_generation", "local")
        assert local.memory_mb > 0
        remote = await manager.get("text_generation", KEY)
        # The remote model needs no memory here, so the local one was not evicted to make room for it.
        assert {row["key"] for row in manager.status()} == {"local", KEY}
        assert manager.memory_used_mb() == pytest.approx(local.memory_mb)
        assert remote.memory_mb == 0.0 and remote.device == "remote"
        await manager.switch("text_generation", "local")
        assert [row["key"] for row in manager.status()] == ["local"]
        await manager.switch("text_generation", KEY)
        assert [(row["key"], row["backend"]) for row in manager.status()] == [(KEY, "openai")]
        assert manager.memory_used_mb() == 0.0
        assert await manager.run("text_generation", KEY, reply_job([])) == "ok"
    finally:
        await manager.close()
        await runner.cleanup()
