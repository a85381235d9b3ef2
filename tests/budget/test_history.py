"""Budget letters in the one readable history: who, when, from what to what."""

import pytest
from django.urls import reverse

from budget.services.issuing import acknowledge_budget_letter, issue_budget_letter
from budget.services.letters import generate_budget_letter
from tests.history_checks import assert_change_shows, assert_not_found

pytestmark = pytest.mark.django_db


def test_an_issued_and_acknowledged_letter_shows_in_its_history(client, world, staff, manager, bravo_manager):
    letter = generate_budget_letter(customer=world.alfa, year=2026, by=staff)
    letter = issue_budget_letter(letter=letter, by=staff, notify=False)
    acknowledge_budget_letter(letter=letter, by=manager)
    client.force_login(manager)
    assert_change_shows(
        client, "begrotingsbrief", letter.pk, by=staff, field="status", old="Concept", new="Verzonden"
    )
    assert_change_shows(
        client,
        "begrotingsbrief",
        letter.pk,
        by=manager,
        field="status",
        old="Verzonden",
        new="Ontvangst bevestigd",
    )
    client.force_login(bravo_manager)
    assert_not_found(client, "begrotingsbrief", letter.pk)


def test_a_draft_letter_has_no_history_for_the_municipality(client, world, staff, manager):
    letter = generate_budget_letter(customer=world.alfa, year=2026, by=staff)
    client.force_login(manager)
    assert_not_found(client, "begrotingsbrief", letter.pk)
    client.force_login(staff)
    assert client.get(reverse("history-begrotingsbrief", args=[letter.pk])).status_code == 200


@pytest.mark.parametrize("versions", [1, 12])
def test_the_letter_history_keeps_its_query_count(
    client, world, staff, django_assert_max_num_queries, versions
):
    for _step in range(versions):
        letter = generate_budget_letter(customer=world.alfa, year=2026, by=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("history-begrotingsbrief", args=[letter.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:history-begrotingsbrief", args=[letter.pk])).status_code == 200
