"""Helpers shared by the test areas (import as ``tests.support.<module>``, never from conftest)."""
