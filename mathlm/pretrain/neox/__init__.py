"""GPT-NeoX interoperability: training configs for the Llemma recipes and Llama checkpoint conversion."""
