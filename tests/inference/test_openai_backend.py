"""OpenAIBackend against the loopback fake server (tests/support/openai_server.py): a real model behind
the API, and the replies a client must survive (ignored `n`, rejected prompts, 5xx, odd values)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mathlm.errors import MathlmError
from mathlm.inference import HFBackend, OpenAIBackend, SamplingSettings, make_backend
from tests.support.openai_server import choices_reply, fake_completions_server, prompts_of

PROMPTS = ["Q: one\nA:", "Q: two\nA:", "Q: three\nA:"]


def backend(url: str, **options: Any) -> OpenAIBackend:
    return OpenAIBackend(url, model="tiny", retry_wait_s=0.0, **options)


def test_a_real_model_behind_the_api_gives_the_local_completions(tiny_llama: Path) -> None:
    local = HFBackend(tiny_llama)

    def answer(body: dict[str, Any]) -> tuple[int, Any]:
        settings = SamplingSettings(
            max_new_tokens=body["max_tokens"],
            temperature=body["temperature"],
            top_p=body["top_p"],
            n=body["n"],
            stop=tuple(body.get("stop", ())),
        )
        results = local.generate(prompts_of(body), settings)
        return 200, choices_reply(
            [r.completions for r in results], reverse=True
        )  # out of order, as servers may

    settings = SamplingSettings(max_new_tokens=6, stop=("\n",))
    with fake_completions_server(answer) as server:
        remote = backend(server.url, batch_size=2).generate(PROMPTS, settings)
    assert remote == local.generate(PROMPTS, settings)
    assert [len(prompts_of(body)) for body in server.requests] == [2, 1]


def test_a_server_that_ignores_n_gives_each_prompt_an_error_not_anothers_completions() -> None:
    def ignore_n(body: dict[str, Any]) -> tuple[int, Any]:
        return 200, choices_reply([[f"answer to {p}"] for p in prompts_of(body)])

    with fake_completions_server(ignore_n) as server:
        results = backend(server.url).generate(PROMPTS, SamplingSettings(temperature=0.7, n=3))
    assert all(not r.ok and r.completions == () for r in results)
    assert "asked for 3 completion(s) per prompt for 1 prompt(s), the server returned 1" in results[0].error
    assert [len(prompts_of(body)) for body in server.requests] == [3, 1, 1, 1]  # the batch, then each alone


def test_a_batch_reply_that_cannot_be_split_is_asked_again_prompt_by_prompt() -> None:
    def drops_the_last_of_a_batch(body: dict[str, Any]) -> tuple[int, Any]:
        prompts = prompts_of(body)
        kept = prompts[:-1] if len(prompts) > 1 else prompts
        return 200, choices_reply([[f"{p} {j}" for j in range(body["n"])] for p in kept])

    with fake_completions_server(drops_the_last_of_a_batch) as server:
        results = backend(server.url).generate(PROMPTS, SamplingSettings(temperature=0.7, n=2))
    assert [r.completions for r in results] == [(f"{p} 0", f"{p} 1") for p in PROMPTS]


def test_a_rejected_prompt_is_its_own_error_and_the_others_complete() -> None:
    def reject_long(body: dict[str, Any]) -> tuple[int, Any]:
        if any(len(p) > 20 for p in prompts_of(body)):
            return 400, {"error": {"message": "This model's maximum context length is 8 tokens"}}
        return 200, choices_reply([["ok"] for _ in prompts_of(body)])

    prompts = [PROMPTS[0], "Q: " + "very long " * 10, PROMPTS[2]]
    with fake_completions_server(reject_long) as server:
        results = backend(server.url).generate(prompts, SamplingSettings(max_new_tokens=4))
    assert [r.completions for r in results] == [("ok",), (), ("ok",)]
    assert "answered 400" in results[1].error and "maximum context length" in results[1].error


def test_server_errors_are_retried_then_reported() -> None:
    failures = iter([503, 500])

    def flaky(body: dict[str, Any]) -> tuple[int, Any]:
        status = next(failures, 200)
        return (status, {"error": "overloaded"}) if status != 200 else (200, choices_reply([["fine"]]))

    with fake_completions_server(flaky) as server:
        [result] = backend(server.url, retries=2).generate(["hi"], SamplingSettings(max_new_tokens=1))
    assert result.completions == ("fine",) and len(server.requests) == 3

    with (
        fake_completions_server(lambda body: (502, b"<html>bad gateway</html>")) as server,
        pytest.raises(MathlmError, match="answered 502 3 times"),
    ):
        backend(server.url, retries=2).generate(["hi"], SamplingSettings(max_new_tokens=1))
    assert len(server.requests) == 3


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(MathlmError, match="cannot reach .* Is the server running"):
        backend("http://127.0.0.1:9/v1", retries=0).generate(["hi"], SamplingSettings(max_new_tokens=1))


def test_odd_values_become_safe_text() -> None:
    raw = json.dumps(
        {"choices": [{"index": 0, "text": "x \ud800 y"}, {"index": 1, "text": None}, {"index": 2, "text": 7}]}
    ).encode()  # json.dumps escapes the surrogate
    assert b"\\ud800" in raw
    with fake_completions_server(lambda body: (200, raw)) as server:
        results = backend(server.url).generate(PROMPTS, SamplingSettings(max_new_tokens=2))
    assert [r.completions for r in results] == [("x \ufffd y",), ("",), ("7",)]
    json.dumps([r.completions for r in results], ensure_ascii=False).encode("utf-8")


def test_left_truncation_is_asked_of_the_server() -> None:
    with fake_completions_server(lambda body: (200, choices_reply([["ok"]]))) as server:
        truncating = SamplingSettings(max_new_tokens=100, truncate_prompt=True)
        backend(server.url, context_length=1024).generate(["hi"], truncating)
        with pytest.raises(MathlmError, match="needs backend option context_length"):
            backend(server.url).generate(["hi"], truncating)
    assert server.requests[0]["truncate_prompt_tokens"] == 924


def test_logprobs_and_echo_scoring() -> None:
    def answer(body: dict[str, Any]) -> tuple[int, Any]:
        if body.get("echo"):  # score: tokens "Q:", " a", " b" of prompt "Q:" + continuation " a b"
            [text] = prompts_of(body)
            choice = {
                "index": 0,
                "text": text + " c",
                "logprobs": {
                    "tokens": ["Q:", " a", " b", " c"],
                    "text_offset": [0, 2, 4, 6],
                    "token_logprobs": [None, -1.0, -3.0, -9.0],
                },
            }
            return 200, {"choices": [choice]}
        return 200, choices_reply([["x", "y"]], logprobs=[[[-1.0, None, -2.0], []]])

    with fake_completions_server(answer) as server:
        client = make_backend("openai", "tiny", base_url=server.url, retry_wait_s=0.0)
        [result] = client.generate(["p"], SamplingSettings(temperature=1.0, n=2, logprobs=True))
        assert result.logprobs == (-1.5, float("-inf"))
        assert client.score("Q:", [" a b"]) == [-2.0]  # the generated " c" is not part of it
    assert server.requests[0]["logprobs"] == 1
    assert server.requests[1]["echo"] is True


def test_the_openai_backend_needs_a_url() -> None:
    with pytest.raises(MathlmError, match="needs base_url"):
        make_backend("openai", "tiny")
    with pytest.raises(MathlmError, match="unknown backend 'tgi'; known backends: "):
        make_backend("tgi", "tiny")
