"""The generator of the embedded sample corpus (``python -m tools.sample_data.generate``).

It lives outside the ``mathlm`` package: only what it writes (``mathlm/assets/sample/``) ships. The
reader of that sample is :mod:`mathlm.sample_data`.
"""
