import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.tenancy import api_token_for


def test_organisations_list_is_scoped_and_paginated(contract_manager, municipality, other_municipality):
    response = client_for(contract_manager).get(reverse("api:organisation-list"))
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["slug"] == municipality.slug


def test_page_size_is_chosen_by_the_client(provider_staff, municipality, other_municipality):
    response = client_for(provider_staff).get(reverse("api:organisation-list"), {"page_size": 1})
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 1
    assert body["next"]


def test_csv_streams_every_row(provider_staff, municipality, other_municipality):
    response = client_for(provider_staff).get(
        reverse("api:organisation-list"), {"format": "csv", "page_size": 1}
    )
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["slug"] for r in rows] == ["alfa", "bravo", "leiden"]
    assert rows[0]["active_from"] == "2023-01-01"


def test_xlsx_holds_every_row(provider_staff, municipality, other_municipality):
    response = client_for(provider_staff).get(reverse("api:organisation-list"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.values)
    assert rows[0][0] == "slug"
    assert [r[0] for r in rows[1:]] == ["alfa", "bravo", "leiden"]


def test_csv_of_a_municipality_holds_only_its_own_rows(finance_user, municipality, other_municipality):
    response = client_for(finance_user).get(reverse("api:organisation-list"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert "alfa" in text
    assert "bravo" not in text


def test_token_auth_works_and_is_scoped(api_client, finance_user, other_municipality):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(finance_user)}")
    response = api_client.get(reverse("api:organisation-list"))
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()["results"]] == ["alfa"]
    assert api_client.get(reverse("api:organisation-detail", kwargs={"slug": "bravo"})).status_code == 404


def test_without_credentials_the_api_answers_401(api_client, db):
    assert api_client.get(reverse("api:organisation-list")).status_code == 401


def test_list_query_count_stays_flat(provider_staff, django_assert_max_num_queries):
    from tests.factories import OrganisationFactory

    client = client_for(provider_staff)
    OrganisationFactory.create_batch(3)
    with django_assert_max_num_queries(6):
        client.get(reverse("api:organisation-list"))
    OrganisationFactory.create_batch(30)
    with django_assert_max_num_queries(6):
        client.get(reverse("api:organisation-list"))


def test_schema_and_docs_are_served(client, db):
    assert client.get(reverse("schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200


def test_csv_of_a_filter_that_can_match_nothing_is_just_the_header(db):
    from core.exports import Column, iter_csv
    from tenants.models import Organisation

    assert "".join(iter_csv(Organisation.objects.filter(pk__in=[]), [Column("slug", "slug")])) == "slug\n"


def test_a_missing_object_answers_404_without_naming_the_model(provider_staff):
    response = client_for(provider_staff).get(reverse("api:organisation-detail", kwargs={"slug": "nergens"}))
    assert response.status_code == 404
    assert response.json() == {"detail": "Niet gevonden."}


def test_the_api_docs_load_swagger_from_the_portal_itself(client, db):
    content = client.get(reverse("api-docs")).content.decode()
    assert "cdn.jsdelivr.net" not in content
    assert "swagger-ui" in content
