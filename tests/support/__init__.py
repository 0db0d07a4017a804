"""Helpers shared by the test suite, imported as ``tests.support.<module>`` (the repository root is on
pytest's ``pythonpath``), never ``from conftest import ...``: several folders have a ``conftest.py``,
so that name means whichever was imported last.

Plain functions, constants and fake servers live here; fixtures stay in the ``conftest.py`` of the
folder that uses them, or in a plugin module here listed in ``tests/conftest.py``.
"""
