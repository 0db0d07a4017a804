"""Evaluation: MATH, GSM8k, OCW, MMLU-STEM, SAT, tool use, majority voting and memorization analysis."""
