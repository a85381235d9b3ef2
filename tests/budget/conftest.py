import pytest
import time_machine

from tenants.roles import Role
from tests.factories import user_with_role

from .factories import budget_world


@pytest.fixture(autouse=True)
def _today():
    """The budget tests run on 1 December 2026: letters for 2027 are due, 2026 is almost invoiced."""
    with time_machine.travel("2026-12-01 10:00 +01:00", tick=True):
        yield


@pytest.fixture
def world(db):
    return budget_world()


@pytest.fixture
def staff(world):
    return user_with_role(world.provider, Role.PROVIDER_STAFF, username="staff")


@pytest.fixture
def manager(world):
    return user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")


@pytest.fixture
def finance(world):
    return user_with_role(world.alfa, Role.FINANCE, username="fin.alfa")


@pytest.fixture
def bravo_manager(world):
    return user_with_role(world.bravo, Role.CONTRACT_MANAGER, username="cm.bravo")
