"""mathlm: math-domain continued pretraining (Proof-Pile-2 data, FSDP2/DeepSpeed training, evaluation)."""

__version__ = "0.1.0"
