"""``mathlm quickstart``: the end-to-end run on the embedded sample, on top of every stage.

:mod:`mathlm.quickstart.run` holds the stage list and the runner; ``train``, ``eval`` and ``prove`` are
the stages that need more than a call into their area (a held-out set, a model export, a demo search).
This is the only package besides the CLI that imports more than one stage.
"""
