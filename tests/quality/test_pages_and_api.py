"""Pages and API of service quality: scoping, the council reader, formats and flat query counts."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from quality.models import Kpi, Measurement
from tenants.roles import Role
from tests.factories import OrganisationFactory, user_with_role
from tests.services.factories import ServiceFactory, ServiceLevelFactory
from tests.tenancy import api_token_for

from .factories import measure, quality_world, report_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = quality_world()
    measure(world.alfa, world.ict, Kpi.AVAILABILITY, {"2024-01": "99.00", "2024-02": "99.20"})
    measure(world.alfa, world.ict, Kpi.SATISFACTION, {"2024-01": "7.00"})
    measure(world.bravo, world.ict, Kpi.AVAILABILITY, {"2024-01": "99.99"})
    world.cm = user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    world.council = user_with_role(world.alfa, Role.COUNCIL_READER, username="raad.alfa")
    world.staff = user_with_role(world.provider, Role.PROVIDER_STAFF, username="staff")
    return world


def _more_data(count: int):
    for n in range(count):
        org = OrganisationFactory(name=f"Gemeente Extra {n}", slug=f"extra-{n}", cbs_code=f"{9100 + n}")
        service = ServiceFactory(code=f"EXT-{n:02d}")
        ServiceLevelFactory(service=service, year=2024)
        for kpi in (Kpi.AVAILABILITY, Kpi.RESPONSE, Kpi.CALLS):
            measure(org, service, kpi, {"2024-01": "95", "2024-02": "96", "2024-03": "97"})
        report_for(org, year=2024, quarter=1)


def test_a_municipality_sees_its_own_scorecard_with_verdicts_in_words(client, world):
    client.force_login(world.cm)
    text = client.get("/kwaliteit/?jaar=2024&kwartaal=1").content.decode()
    assert "99,10 %" in text
    assert "niet gehaald" in text
    assert "gehaald" in text
    assert "99,99 %" not in text
    assert "Gemeente Bravo" not in text


def test_leiden_sees_every_municipality_side_by_side(client, world):
    client.force_login(world.staff)
    text = client.get("/kwaliteit/?jaar=2024&kwartaal=1").content.decode()
    assert "Gemeente Alfa" in text
    assert "Gemeente Bravo" in text
    assert "99,99 %" in text
    assert "Toelichting schrijven" in text


def test_the_yearly_scorecard_covers_the_months_of_the_year(client, world):
    client.force_login(world.cm)
    assert "99,10 %" in client.get("/kwaliteit/jaar/?jaar=2024").content.decode()


def test_the_service_page_has_a_chart_with_a_text_alternative_and_a_table(client, world):
    client.force_login(world.cm)
    text = client.get("/kwaliteit/gemeente/alfa/ICT-01/?jaar=2024").content.decode()
    assert '<svg viewBox="0 0 640 240"' in text
    assert 'role="img"' in text
    assert "januari: 99,00 %; februari: 99,20 %" in text  # the figures in words, in <desc>
    assert "kruisje: onder de norm" in text
    assert "<table" in text
    assert client.get("/kwaliteit/gemeente/bravo/ICT-01/?jaar=2024").status_code == 404


def test_staff_upload_a_file_and_see_every_problem(client, world):
    client.force_login(world.staff)
    bad = SimpleUploadedFile(
        "m.csv", b"gemeente;dienstcode;maand;kpi;waarde\nAlfa;ICT-01;2024-03;tevredenheid;12\n"
    )
    text = client.post("/kwaliteit/metingen/", {"file": bad}).content.decode()
    assert "m.csv:2: waarde: &#x27;12&#x27; is geen cijfer van 1 tot en met 10" in text
    good = SimpleUploadedFile(
        "m.csv", b"gemeente;dienstcode;maand;kpi;waarde\nAlfa;ICT-01;2024-03;tevredenheid;8\n"
    )
    assert client.post("/kwaliteit/metingen/", {"file": good}).status_code == 302
    assert Measurement.objects.filter(month=date(2024, 3, 1)).get().value == Decimal("8.00")


def test_staff_explain_a_breach_and_the_municipality_reads_it(client, world):
    client.force_login(world.staff)
    url = "/kwaliteit/toelichting/alfa/ICT-01/2024/1/beschikbaarheid/"
    response = client.post(url, {"explanation": "Storing", "remedy": "Tweede lijn"})
    assert response.status_code == 302
    assert client.get("/kwaliteit/toelichting/alfa/ICT-01/2024/1/tevredenheid/").status_code == 404  # met
    client.force_login(world.cm)
    text = client.get("/kwaliteit/?jaar=2024&kwartaal=1").content.decode()
    assert "Storing" in text
    assert "Tweede lijn" in text


def test_a_council_reader_reads_its_reports_and_nothing_else(client, world):
    own = report_for(world.alfa)
    other = report_for(world.bravo)
    client.force_login(world.council)
    assert "Kwartaalrapportage 2024-Q1" in client.get("/rapportages/").content.decode()
    assert "Rapportage voor Gemeente Alfa" in client.get(f"/rapportages/{own.pk}/").content.decode()
    assert client.get(f"/rapportages/{other.pk}/").status_code == 404
    for url in (
        "/kwaliteit/",
        "/catalogus/",
        "/facturen/",
        "/overeenkomsten/mijn/",
        "/api/v1/services/",
        "/api/v1/service-level-realisation/?year=2024",
        "/api/v1/service-level-measurements/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/open/tarieven/").status_code == 200


def test_list_pages_keep_their_query_count_with_more_data(client, world, django_assert_max_num_queries):
    client.force_login(world.staff)
    urls = [
        "/kwaliteit/?jaar=2024&kwartaal=1",
        "/kwaliteit/jaar/?jaar=2024",
        "/rapportages/",
        "/kwaliteit/gemeente/alfa/ICT-01/?jaar=2024",
        "/open/tarieven/",
    ]
    for url in urls:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
    _more_data(12)
    for url in urls:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


# --- API --------------------------------------------------------------------------------------------


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def test_a_service_management_system_posts_a_measurement_with_a_provider_token(world):
    client = _token_client(world.staff)
    body = {
        "customer": "alfa",
        "service": "ICT-01",
        "month": "2024-04",
        "kpi": "beschikbaarheid",
        "value": "99.70",
    }
    response = client.post("/api/v1/service-level-measurements/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["month"] == "2024-04"
    body["value"] = "99.80"
    assert client.post("/api/v1/service-level-measurements/", body, format="json").status_code == 200
    measurement = Measurement.objects.get(month=date(2024, 4, 1))
    assert measurement.value == Decimal("99.80")
    assert measurement.history.count() == 2
    for field, value in (
        ("value", "100.01"),
        ("month", "2024-13"),
        ("kpi", "snelheid"),
        ("month", "2099-01"),
    ):
        response = client.post("/api/v1/service-level-measurements/", {**body, field: value}, format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json(), (field, response.content)


def test_customers_read_their_own_measurements_and_may_not_post(world):
    client = _token_client(world.cm)
    rows = client.get("/api/v1/service-level-measurements/").json()["results"]
    assert {r["customer"] for r in rows} == {"alfa"}
    csv_text = b"".join(
        client.get("/api/v1/service-level-measurements/?format=csv").streaming_content
    ).decode()
    assert (
        csv_text.splitlines()[0]
        == "customer,customer_name,service,service_name,month,kpi,value,source,recorded_at"
    )
    assert "2024-01" in csv_text
    assert "bravo" not in csv_text
    body = {"customer": "alfa", "service": "ICT-01", "month": "2024-04", "kpi": "meldingen", "value": "3"}
    assert client.post("/api/v1/service-level-measurements/", body, format="json").status_code == 404


def test_the_realisation_endpoint_in_json_csv_and_xlsx(world):
    client = _token_client(world.cm)
    data = client.get("/api/v1/service-level-realisation/?year=2024&quarter=1").json()
    row = next(r for r in data["results"] if r["kpi"] == "beschikbaarheid")
    assert (row["customer"], row["value"], row["norm"], row["verdict"]) == (
        "alfa",
        "99.10",
        "99.50",
        "not_met",
    )
    assert {r["customer"] for r in data["results"]} == {"alfa"}
    sat = next(r for r in data["results"] if r["kpi"] == "tevredenheid")
    assert sat["verdict"] == "met"  # exactly 7.0
    text = b"".join(
        client.get("/api/v1/service-level-realisation/?year=2024&quarter=1&format=csv").streaming_content
    )
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert rows[0]["verdict"] in {"met", "not_met"}
    assert rows[0]["value"]
    xlsx = client.get("/api/v1/service-level-realisation/?year=2024&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in sheet[1]][:3] == ["customer", "customer_name", "service"]
    assert client.get("/api/v1/service-level-realisation/").status_code == 400
    assert client.get("/api/v1/service-level-realisation/?year=2024&quarter=5").status_code == 400


def test_the_provider_reads_every_customers_realisation(world):
    rows = (
        _token_client(world.staff)
        .get("/api/v1/service-level-realisation/?year=2024&quarter=1")
        .json()["results"]
    )
    assert {r["customer"] for r in rows} == {"alfa", "bravo"}


def test_list_endpoints_keep_their_query_count(world, django_assert_max_num_queries):
    client = _token_client(world.staff)
    urls = [
        "/api/v1/service-level-measurements/",
        "/api/v1/service-level-measurements/?format=csv",
        "/api/v1/service-level-realisation/?year=2024&quarter=1",
        "/api/v1/service-level-realisation/?year=2024&format=csv",
    ]
    for phase in (0, 1):
        if phase:
            _more_data(12)
        for url in urls:
            with django_assert_max_num_queries(10):
                response = client.get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                assert response.status_code == 200
