"""Fixtures shared by the tests."""

import pytest


@pytest.fixture
def tmp_cwd(tmp_path, monkeypatch):
    """Run in a fresh temporary folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
