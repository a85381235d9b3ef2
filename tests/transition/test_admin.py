"""The admin: upload three files, read the dry run, confirm to execute; record consent or refusal."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from transition.models import Employee, SupplierContract, TransitionRun
from transition.services.novation import record_novation
from transition.services.runs import carry_out_run, execute_transition

from .conftest import AGREEMENT_ROWS
from .factories import contract_row, transition_files


def test_upload_dry_run_and_confirmed_execution_in_the_admin(
    world, client, provider_staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    files = transition_files(agreement_rows=AGREEMENT_ROWS)
    client.force_login(provider_staff)
    add = reverse("admin:transition_transitionrun_add")
    assert client.get(add).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            add,
            {
                "staff": SimpleUploadedFile("personeel.csv", files.staff.data),
                "contracts": SimpleUploadedFile("contracten.csv", files.contracts.data),
                "agreements": SimpleUploadedFile("overeenkomsten.csv", files.agreements.data),
            },
        )
    assert response.status_code == 302
    assert len(queued) == 1
    dry = TransitionRun.objects.get()
    assert "ververst zichzelf" in client.get(response.url).content.decode()
    carry_out_run(run_id=dry.pk)
    page = client.get(response.url).content.decode()
    assert "Proef geslaagd" in page
    assert "Transitie uitvoeren" in page
    assert "Gemeente Oegstgeest: overeenkomst met Servicepunt71" in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("admin:transition_transitionrun_execute", args=[dry.pk]))
    execution = TransitionRun.objects.get(mode="execute")
    carry_out_run(run_id=execution.pk)
    assert "Uitgevoerd" in client.get(response.url).content.decode()
    assert Employee.objects.count() == 1


def test_the_admin_refuses_to_execute_a_dry_run_with_problems(
    world, client, provider_staff, settings, tmp_path
):
    run = TransitionRun.objects.create(
        status=TransitionRun.Status.INVALID,
        staff_checksum="a",
        contracts_checksum="b",
        agreements_checksum="c",
    )
    client.force_login(provider_staff)
    client.post(reverse("admin:transition_transitionrun_execute", args=[run.pk]))
    assert not TransitionRun.objects.filter(mode="execute").exists()


def test_an_employees_transfer_record_is_read_only_in_the_admin(world, client, provider_staff):
    execute_transition(files=transition_files(agreement_rows=AGREEMENT_ROWS))
    employee = Employee.objects.get()
    client.force_login(provider_staff)
    url = reverse("admin:transition_employee_change", args=[employee.pk])
    page = client.get(url).content.decode()
    assert 'name="department"' in page
    assert 'name="fte"' not in page
    assert 'name="salary_scale"' not in page
    assert 'name="function"' not in page
    client.post(
        url,
        {
            "department": "Digitalisering",
            "fte": "0.1",
            "employments-TOTAL_FORMS": "0",
            "employments-INITIAL_FORMS": "0",
        },
    )
    employee.refresh_from_db()
    assert str(employee.fte) == "0.8889"


def test_admin_actions_record_consent_and_refusal(world, client, provider_staff):
    execute_transition(
        files=transition_files(
            contract_rows=[contract_row("C-1"), contract_row("C-2")], agreement_rows=AGREEMENT_ROWS
        )
    )
    one, two = SupplierContract.objects.order_by("number")
    client.force_login(provider_staff)
    url = reverse("admin:transition_suppliercontract_changelist")
    form = client.post(url, {"action": "record_consent", "_selected_action": [one.pk]})
    assert form.status_code == 200
    assert "Vastleggen" in form.content.decode()
    client.post(
        url,
        {
            "action": "record_consent",
            "_selected_action": [one.pk],
            "apply": "1",
            "on": "2023-02-01",
            "note": "Akkoord",
        },
    )
    client.post(
        url,
        {
            "action": "record_refusal",
            "_selected_action": [two.pk],
            "apply": "1",
            "on": "2023-03-01",
            "note": "Nee",
        },
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.novation_status, one.novation_date, one.novation_note) == (
        "given",
        date(2023, 2, 1),
        "Akkoord",
    )
    assert (two.novation_status, two.novation_date) == ("refused", date(2023, 3, 1))


def test_customer_side_users_never_reach_the_transition_admin(world, client, contract_manager):
    client.force_login(contract_manager)
    response = client.get(reverse("admin:transition_transitionrun_add"))
    assert response.status_code == 302


def test_reverting_a_contracts_history_in_the_admin_is_refused(world, client, provider_staff):
    execute_transition(files=transition_files(agreement_rows=AGREEMENT_ROWS))
    contract = SupplierContract.objects.get()
    first = contract.history.get()
    record_novation(contract=contract, status="given", on=date(2023, 2, 1), by=provider_staff)
    client.force_login(provider_staff)
    url = reverse("admin:transition_suppliercontract_simple_history", args=[contract.pk, first.history_id])
    assert client.post(url, {}).status_code == 403
    contract.refresh_from_db()
    assert contract.novation_status == "given"
