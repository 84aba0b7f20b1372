"""The monolithic baseline's router: one generative model (SmolLM2-135M by default) prompted to emit the JSON.

Loaded through the project's own loader (agents.loading) from the registry; few-shot prompt, greedy
decoding, the first JSON object of the answer parsed and checked against the command table. An answer
that is not valid JSON or names no known command is None (the orchestrator treats it as chat).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from agents.swarm.commands import COMMANDS
from agents.swarm.data import ROUTE_SYSTEM

FEW_SHOT = (
    ("summarize #dev since 2h", {"command": "summarize", "args": {"channel": "dev", "window": "since 2h"}}),
    ("what's still open for me?", {"command": "tasks list", "args": {"user": "me", "status": "open"}}),
    ("switch the summarizer to pegasus-xsum", {"command": "model switch", "args": {"task": "summarization", "key": "pegasus-xsum"}}),
    ("good morning!", {"command": "chat", "args": {}}),
    ("post the digest in #daily at 09:00", {"command": "digest set", "args": {"channel": "daily", "time": "09:00"}}),
)
MAX_NEW_TOKENS = 48


class GenerativeRouter:
    def __init__(self, loaded: Any, *, threads: int | None = 1) -> None:
        self.tokenizer = loaded.tokenizer
        self.model = loaded.model
        if threads:
            import torch

            # One request at a time: extra threads only spin against each other on a busy 2-core machine.
            torch.set_num_threads(threads)

    def _messages(self, text: str, previous: Mapping[str, Any] | None) -> list[dict[str, str]]:
        messages = [{"role": "system", "content": ROUTE_SYSTEM}]
        for question, answer in FEW_SHOT:
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": json.dumps(answer)}]
        content = text if previous is None else f"(previous request: {json.dumps(previous)})\n{text}"
        messages.append({"role": "user", "content": content[:500]})
        return messages

    def raw(self, text: str, previous: Mapping[str, Any] | None = None) -> str:
        import torch

        prompt = self.tokenizer.apply_chat_template(self._messages(text, previous), tokenize=False, add_generation_prompt=True)
        encoded = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            output = self.model.generate(
                **encoded,
                max_new_tokens=MAX_NEW_TOKENS,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        return self.tokenizer.decode(output[0, encoded["input_ids"].shape[1] :], skip_special_tokens=True)

    def route(self, text: str, previous: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]] | None:
        return parse_answer(self.raw(text, previous))


def parse_answer(answer: str) -> tuple[str, dict[str, Any]] | None:
    match = re.search(r"\{.*\}", answer, re.DOTALL)
    candidates = [match.group(0)] if match else []
    if match:
        # A truncated answer often lacks only its closing braces.
        candidates.append(match.group(0) + "}")
    elif "{" in answer:
        candidates += [answer[answer.index("{") :] + "}", answer[answer.index("{") :] + "}}"]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and value.get("command") in COMMANDS:
            raw_args = value.get("args")
            args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
            return str(value["command"]), {k: v for k, v in args.items() if k in COMMANDS[value["command"]].options}
    return None
