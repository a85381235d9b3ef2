"""A small billing world: Leiden (provider and customer), two municipalities, agreements and tariffs."""

import pytest

from core.periods import Period

from .factories import billing_world


@pytest.fixture
def world(db):
    return billing_world()


@pytest.fixture
def q1():
    return Period.parse("2024-Q1")
