"""Continued pretraining of Llama-architecture models with FSDP2 or DeepSpeed ZeRO."""
