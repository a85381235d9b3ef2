"""The invoice PDF fetches nothing from outside, whatever the names in it (SSRF)."""

SSRF = '</style><style>@import url(http://127.0.0.1:9/x);</style><img src="http://127.0.0.1:9/y"> url(http://127.0.0.1:9/z)'


def test_a_supplier_name_cannot_make_the_invoice_pdf_fetch_a_url(monkeypatch, world, q1):
    from billing.models import Invoice
    from billing.pdf import render_invoice_pdf
    from billing.services.issuing import issue_drafts
    from billing.services.runs import run_billing
    from core import pdf
    from tenants.models import Organisation

    asked = []
    real = pdf.static_file_for

    def spy(url):
        asked.append(url)
        return real(url)

    monkeypatch.setattr(pdf, "static_file_for", spy)
    Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).update(name=f"Leiden {SSRF}"[:100])
    world.alfa.name = f"Alfa {SSRF}"[:100]
    world.alfa.save()
    run = run_billing(period=q1)
    issue_drafts(invoices=run.invoices.select_related("customer"))
    rendered = render_invoice_pdf(Invoice.objects.get(customer=world.alfa))
    assert rendered.startswith(b"%PDF")
    assert all(url.startswith(pdf.BASE_URL + "static/") for url in asked), asked
