"""Fixtures of the hostile-input corpus (the harness is in harness.py)."""

import pytest
from harness import Project


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)
