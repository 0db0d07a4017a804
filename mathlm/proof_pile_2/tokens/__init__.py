"""Tokenization into Megatron/GPT-NeoX indexed shards: tokenizer loading, the datatrove step, the format."""
