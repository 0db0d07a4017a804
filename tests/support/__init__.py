"""Helpers shared by the test suite, imported as ``support.<module>`` (``tests/`` is on ``pythonpath``).

Plain functions and constants live here; fixtures stay in the ``conftest.py`` of the folder that uses
them (or in a plugin module here listed in ``tests/conftest.py``). Never ``from conftest import ...``:
several folders have a ``conftest.py``, so that name means whichever was imported last.
"""
