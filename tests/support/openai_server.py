"""A fake OpenAI-compatible ``/v1/completions`` server on loopback, for the inference, eval and proving tests.

It is a real HTTP server in a thread (``127.0.0.1``, a free port); what it answers is a function of the
request body, so one server covers a model behind the API (``answer`` calls a real backend), canned
replies, and the misbehaviours a client must survive (ignoring ``n``, 4xx for long prompts, 5xx, odd
JSON values). Every request body is recorded in ``requests``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[dict[str, Any]], tuple[int, Any]]  # request body -> (HTTP status, JSON reply)


@dataclass
class FakeServer:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


def prompts_of(body: dict[str, Any]) -> list[str]:
    """The request's prompts as a list (the API accepts one string or a list)."""
    prompt = body["prompt"]
    return [prompt] if isinstance(prompt, str) else list(prompt)


def choices_reply(
    completions: Sequence[Sequence[str]],
    logprobs: Sequence[Sequence[Sequence[float]]] | None = None,
    reverse: bool = False,
) -> dict[str, Any]:
    """A completions reply in the API's layout: choice ``index = prompt * n + sample``; ``reverse`` sends the
    choices out of order, as servers may."""
    choices = []
    for p, texts in enumerate(completions):
        for j, text in enumerate(texts):
            choice: dict[str, Any] = {"index": p * len(texts) + j, "text": text, "finish_reason": "stop"}
            if logprobs is not None:
                choice["logprobs"] = {"token_logprobs": list(logprobs[p][j])}
            choices.append(choice)
    return {"object": "text_completion", "choices": choices[::-1] if reverse else choices}


@contextmanager
def fake_completions_server(answer: Answer) -> Iterator[FakeServer]:
    """Serve ``answer`` on ``http://127.0.0.1:PORT/v1`` for the duration of the ``with`` block."""
    requests: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append(body)
            status, reply = answer(body)
            payload = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeServer(f"http://127.0.0.1:{server.server_address[1]}/v1", requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
