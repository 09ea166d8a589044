"""Fixtures for staff accounts: each test counts password-reset requests from zero."""

import copy
import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    # Rate-limit counters live in the cache, which `make test` shares through Redis with every
    # other test run on the machine: a prefix of its own keeps each test's counters apart.
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
