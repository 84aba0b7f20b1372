"""The openai backend: any OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, TGI) over HTTP.

Requests are `POST {base_url}/chat/completions` with `stream: true`; the reply arrives as
server-sent events (`data: {...}` lines, then `data: [DONE]`). Only the standard library is used
(urllib in the model's worker threads), so nothing extra needs installing. The spec's
`concurrency` is the number of worker threads, i.e. requests in flight at once; `request_timeout_s`
bounds connecting and every wait for the next piece of the stream.

Every failure is one line naming the URL: the server is down (what to check), it is too slow (busy),
it answered with an HTTP error, or it sent something that is not an OpenAI-compatible reply. A
stream that ends without its closing event is returned as a partial reply marked "cut".
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agents.backends.base import (
    FINISH_CUT,
    FINISH_LENGTH,
    FINISH_STOP,
    GenerationRequest,
    GenerationResult,
    TextStream,
    sampling_options,
)
from agents.loading import LoadedModel, ModelError, ModelLoadError, ModelTimeoutError
from sml_config import ModelSpec

DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"


class RemoteModelError(ModelError):
    """The inference server failed (down, HTTP error, garbage); the message names its URL."""


class RemoteTimeoutError(ModelTimeoutError):
    """The inference server sent nothing within the request timeout: it is busy or stuck."""


def check_base_url(url: str, key: str = "") -> str:
    """The URL without a trailing slash; ModelLoadError (one line) when it has no http(s) scheme or no host."""
    if not re.match(r"^https?://[^/\s]+", url or ""):
        raise ModelLoadError(
            f"model '{key}': base_url {url!r} needs a scheme and a host, e.g. http://{(url or '').split('://')[-1] or '127.0.0.1:8080/v1'}"
        )
    return url.rstrip("/")


class ApproxTokenizer:
    """A stand-in tokenizer for a model whose real tokenizer lives on the server.

    Prompt packing and chunking only need token counts and a way to cut text; pieces of at most
    four characters (with their leading spaces) count about as many tokens as a BPE vocabulary
    does for English, erring high, so what is packed fits the server's window. Ids map back to
    their exact text, so `decode(encode(text)) == text`.
    """

    chat_template = None
    all_special_tokens: list[str] = []
    pad_token = eos_token = None
    pad_token_id = eos_token_id = None
    _PIECE = re.compile(r"\s*\S{1,4}|\s+")

    def __init__(self, model_max_length: int = 4096):
        self.model_max_length = model_max_length
        self._ids: dict[str, int] = {}
        self._pieces: list[str] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pieces)

    def get_added_vocab(self) -> dict[str, int]:
        return {}

    def _encode(self, text: str) -> list[int]:
        ids = []
        with self._lock:
            for piece in self._PIECE.findall(text):
                if piece not in self._ids:
                    self._ids[piece] = len(self._pieces)
                    self._pieces.append(piece)
                ids.append(self._ids[piece])
        return ids

    def __call__(self, text: str | Sequence[str], add_special_tokens: bool = True, **_: Any) -> dict[str, Any]:
        if isinstance(text, str):
            return {"input_ids": self._encode(text)}
        return {"input_ids": [self._encode(t) for t in text]}

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True, **_: Any) -> str:
        return "".join(self._pieces[int(i)] for i in ids)

    def batch_decode(self, rows: Sequence[Sequence[int]], **kwargs: Any) -> list[str]:
        return [self.decode(row, **kwargs) for row in rows]

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        return [self._pieces[int(i)] for i in ids]


@dataclass
class Endpoint:
    """What a loaded remote model holds: where to send requests and how."""

    base_url: str
    model: str
    api_key: str | None
    timeout_s: float
    key: str

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    # --- failures as one line ---

    def down(self, reason: Any) -> RemoteModelError:
        return RemoteModelError(
            f"cannot reach the inference server at {self.base_url} ({_reason(reason)}): check that it is running "
            f"and that base_url of model '{self.key}' is right"
        )

    def slow(self) -> RemoteTimeoutError:
        return RemoteTimeoutError(
            f"the inference server at {self.base_url} sent nothing for {self.timeout_s:g} s: it is busy, try again in a minute"
        )

    def garbage(self, what: str) -> RemoteModelError:
        return RemoteModelError(f"the inference server at {self.base_url} sent something that is not an OpenAI-compatible reply ({what})")

    def http_error(self, error: urllib.error.HTTPError) -> RemoteModelError:
        detail = ""
        try:
            body = error.read(2000).decode("utf-8", "replace")
            data = json.loads(body)
            message = data.get("error", data) if isinstance(data, dict) else data
            detail = message.get("message", "") if isinstance(message, dict) else str(message)
        except Exception:  # the error body is optional and may be anything
            detail = ""
        detail = f": {detail.splitlines()[0][:200]}" if detail.strip() else ""
        return RemoteModelError(f"the inference server at {self.base_url} answered HTTP {error.code}{detail}")

    # --- requests ---

    def open(self, path: str, payload: dict[str, Any] | None = None) -> http.client.HTTPResponse:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=self.headers(), method="POST" if data is not None else "GET"
        )
        try:
            return urllib.request.urlopen(request, timeout=self.timeout_s)  # noqa: S310 - an http(s) URL, checked
        except urllib.error.HTTPError as error:
            raise self.http_error(error) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise self.slow() from None
            raise self.down(error.reason) from None
        except TimeoutError:
            raise self.slow() from None
        except (ConnectionError, http.client.HTTPException, OSError) as error:
            raise self.down(error) from None

    def events(self, response: http.client.HTTPResponse) -> Iterator[dict[str, Any] | None]:
        """The JSON objects of a server-sent event stream; None for `[DONE]`. Ends early (no None) when cut."""
        content_type = response.headers.get("Content-Type", "")
        if "text/event-stream" not in content_type and "json" not in content_type:
            raise self.garbage(f"Content-Type {content_type or 'missing'}")
        if "text/event-stream" not in content_type:
            # Some servers answer a stream request with one JSON body: accept it as a single event.
            yield self._json(self._read_all(response))
            yield None
            return
        while True:
            try:
                raw = response.readline()
            except TimeoutError:
                raise self.slow() from None
            except (http.client.IncompleteRead, ConnectionError, OSError):
                return  # the server went away mid-stream
            if not raw:
                return
            line = raw.decode("utf-8", "replace").strip()
            if not line or line.startswith(":"):
                continue  # keep-alive comments and event separators
            if not line.startswith("data:"):
                if line.startswith(("event:", "id:", "retry:")):
                    continue
                raise self.garbage(f"a line that is not a server-sent event: {line[:60]!r}")
            data = line[5:].strip()
            if data == "[DONE]":
                yield None
                return
            yield self._json(data.encode())

    def _read_all(self, response: http.client.HTTPResponse) -> bytes:
        try:
            return response.read(1 << 20)
        except TimeoutError:
            raise self.slow() from None

    def _json(self, data: bytes) -> dict[str, Any]:
        try:
            value = json.loads(data)
        except ValueError:
            raise self.garbage(f"not JSON: {data[:60]!r}") from None
        if not isinstance(value, dict):
            raise self.garbage("a JSON value that is not an object")
        if "error" in value:
            error = value["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise RemoteModelError(f"the inference server at {self.base_url} failed: {str(message).splitlines()[0][:200]}")
        return value


def _reason(reason: Any) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    text = getattr(reason, "strerror", None) or str(reason)
    return text.splitlines()[0][:120] if text else type(reason).__name__


def _delta_text(event: dict[str, Any], endpoint: Endpoint) -> tuple[str, str | None]:
    choices = event.get("choices")
    if not isinstance(choices, list):
        raise endpoint.garbage("an event without choices")
    if not choices:
        return "", None  # usage-only events
    choice = choices[0]
    if not isinstance(choice, dict):
        raise endpoint.garbage("a choice that is not an object")
    delta = choice.get("delta") or choice.get("message") or {}
    text = delta.get("content") if isinstance(delta, dict) else None
    if text is None:
        text = choice.get("text") or ""
    if not isinstance(text, str):
        raise endpoint.garbage("content that is not text")
    return text, choice.get("finish_reason")


class OpenAIBackend:
    name = "openai"
    remote = True

    def estimate_memory_mb(self, spec: ModelSpec, dtype: Any, quantized: bool) -> float:
        return 0.0  # the weights live on the server

    def workers(self, spec: ModelSpec) -> int:
        return max(1, spec.concurrency)

    def load(self, spec: ModelSpec, *, cache_dir: str | os.PathLike, offline: bool, device: str, quantize: bool) -> LoadedModel:
        endpoint = Endpoint(
            base_url=check_base_url(spec.base_url or "", spec.key),
            model=spec.api_model or spec.key,
            api_key=os.environ.get(spec.api_key_env or DEFAULT_API_KEY_ENV) or None,
            timeout_s=float(spec.request_timeout_s),
            key=spec.key,
        )
        # Ask the server once, so a wrong URL or a stopped server shows when the model is loaded.
        with endpoint.open("/models") as response:
            body = endpoint._read_all(response)
        listing = endpoint._json(body)
        if not isinstance(listing.get("data", []), list):
            raise endpoint.garbage("a /models answer without a data list")
        tokenizer = ApproxTokenizer(spec.context_window or 4096)
        return LoadedModel(spec, tokenizer, endpoint, "remote", None, False, 0.0, backend=self)

    def _messages(self, loaded: LoadedModel, request: GenerationRequest) -> list[dict[str, str]]:
        if request.messages is not None:
            return [{"role": m["role"], "content": m["content"]} for m in request.messages]
        if request.prompt is not None:
            return [{"role": "user", "content": request.prompt}]
        if request.prompt_ids is not None:
            return [{"role": "user", "content": loaded.tokenizer.decode(request.prompt_ids)}]
        raise ValueError("a GenerationRequest needs messages, prompt_ids or a prompt")

    def _payload(
        self, endpoint: Endpoint, messages: list[dict[str, str]], max_tokens: int, options: dict[str, Any], stream: bool
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": endpoint.model, "messages": messages, "max_tokens": int(max_tokens), "stream": stream}
        sampling = sampling_options(options)
        if sampling.get("do_sample"):
            for name in ("temperature", "top_p"):
                if name in sampling:
                    payload[name] = sampling[name]
        else:
            payload["temperature"] = 0.0
        return payload

    def stream(self, loaded: LoadedModel, request: GenerationRequest, on_text: Callable[[str], bool | None] | None) -> GenerationResult:
        endpoint: Endpoint = loaded.model
        payload = self._payload(endpoint, self._messages(loaded, request), request.max_new_tokens, request.options, True)
        stream = TextStream(request, on_text)
        finish: str | None = None
        done = False
        with endpoint.open("/chat/completions", payload) as response:
            for event in endpoint.events(response):
                if event is None:
                    done = True
                    break
                text, reason = _delta_text(event, endpoint)
                finish = reason or finish
                if stream.add(text):
                    done = True  # we stop reading; closing the connection tells the server to stop
                    break
        if not done and finish is None:
            if not stream.text:
                raise RemoteModelError(f"the inference server at {endpoint.base_url} closed the connection before answering")
            return stream.finish(FINISH_CUT)
        return stream.finish(FINISH_LENGTH if finish == "length" else FINISH_STOP)

    def generate_batch(
        self,
        loaded: LoadedModel,
        prompts: Sequence[Sequence[int]],
        *,
        max_new_tokens: int,
        min_new_tokens: int,
        options: dict[str, Any],
    ) -> list[str]:
        outputs = []
        for ids in prompts:
            request = GenerationRequest(prompt_ids=ids, max_new_tokens=max_new_tokens, options=options)
            outputs.append(self.stream(loaded, request, None).text)
        return outputs

    def close(self, loaded: LoadedModel) -> None:
        pass  # urllib opens a connection per request
