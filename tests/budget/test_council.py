"""A council reader reads its municipality's issued budget letters, and nothing else of the budget."""

import pytest
from django.urls import reverse

from budget.models import BudgetLetter
from tenants.roles import Role
from tests.factories import OrganisationFactory, user_with_role

from .tenancy import letter_of

pytestmark = pytest.mark.django_db


def test_a_council_reader_reads_its_issued_letters_but_no_draft_and_no_other_municipality(client):
    alfa = OrganisationFactory(name="Gemeente Alfa", slug="alfa", cbs_code="9001")
    bravo = OrganisationFactory(name="Gemeente Bravo", slug="bravo", cbs_code="9002")
    issued = letter_of(alfa)
    draft = letter_of(alfa, status=BudgetLetter.Status.DRAFT)
    foreign = letter_of(bravo)
    client.force_login(user_with_role(alfa, Role.COUNCIL_READER))

    listing = client.get(reverse("budget:letter_list")).content.decode()
    assert issued.number in listing
    assert foreign.number not in listing
    assert client.get(reverse("budget:letter_detail", args=[issued.pk])).status_code == 200
    assert client.get(reverse("budget:letter_pdf", args=[issued.pk])).status_code == 200
    assert client.get(reverse("budget:letter_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("budget:letter_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("budget:realisation")).status_code == 404
    assert client.get(reverse("api:budget-letter-list")).status_code == 404
