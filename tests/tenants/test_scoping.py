import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tenants.models import Organisation
from tenants.roles import Role
from tenants.selectors import is_provider_user, visible_organisations
from tenants.services import add_membership, remove_membership
from tests.factories import OrganisationFactory, UserFactory, user_with_role


def test_a_contract_manager_sees_only_its_own_organisation(
    contract_manager, municipality, other_municipality, provider
):
    assert list(visible_organisations(contract_manager)) == [municipality]


def test_provider_roles_see_every_organisation(
    provider_staff, provider_finance, municipality, other_municipality
):
    for user in (provider_staff, provider_finance):
        assert is_provider_user(user)
        assert set(visible_organisations(user)) == set(Organisation.objects.all())


def test_leidens_own_contract_manager_is_a_customer_not_the_provider(provider, municipality):
    user = user_with_role(provider, Role.CONTRACT_MANAGER)
    assert not is_provider_user(user)
    assert list(visible_organisations(user)) == [provider]


def test_a_provider_role_at_a_municipality_is_refused(municipality):
    with pytest.raises(ValidationError, match="alleen bij de aanbieder"):
        add_membership(user=UserFactory(), organisation=municipality, role=Role.PROVIDER_STAFF)


def test_provider_staff_get_admin_access_and_lose_it_with_the_role(provider):
    user = UserFactory()
    membership = add_membership(user=user, organisation=provider, role=Role.PROVIDER_STAFF)
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.filter(name="leiden:provider_staff").exists()
    remove_membership(membership=membership)
    user.refresh_from_db()
    assert not user.is_staff


def test_the_provider_needs_an_iban(db):
    with pytest.raises(IntegrityError):
        OrganisationFactory(kind=Organisation.Kind.PROVIDER, slug="p2", name="P2", iban="")


def test_two_organisations_cannot_share_a_cbs_code(municipality):
    with pytest.raises(IntegrityError):
        OrganisationFactory(slug="dup", name="Dup", cbs_code=municipality.cbs_code)
