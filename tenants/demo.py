"""Demo organisations, locations and users for ``seed_demo``. Identifiers are marked as examples."""

from datetime import date

from django.contrib.auth import get_user_model

from .models import Location, Organisation
from .roles import Role
from .services import add_membership

ORGANISATIONS = [
    {
        "slug": "leiden",
        "name": "Gemeente Leiden",
        "kind": Organisation.Kind.PROVIDER,
        "cbs_code": "0546",
        "oin": "00000001001234546000",
        "kvk": "99990546",
        "vat_number": "NL999905460B01",
        "street": "Stadhuisplein 1",
        "postal_code": "2311 EJ",
        "city": "Leiden",
        "iban": "NL91ABNA0417164300",
        "cost_centre": "BV-0546",
        "active_from": date(2023, 1, 1),
    },
    {
        "slug": "leiderdorp",
        "name": "Gemeente Leiderdorp",
        "kind": Organisation.Kind.MUNICIPALITY,
        "cbs_code": "0547",
        "oin": "00000001001234547000",
        "kvk": "99990547",
        "vat_number": "NL999905470B01",
        "street": "Statenlaan 1",
        "postal_code": "2353 HA",
        "city": "Leiderdorp",
        "cost_centre": "BV-0547",
        "active_from": date(2023, 1, 1),
    },
    {
        "slug": "oegstgeest",
        "name": "Gemeente Oegstgeest",
        "kind": Organisation.Kind.MUNICIPALITY,
        "cbs_code": "0579",
        "oin": "00000001001234579000",
        "kvk": "99990579",
        "vat_number": "NL999905790B01",
        "street": "Lange Voort 2",
        "postal_code": "2341 KA",
        "city": "Oegstgeest",
        "cost_centre": "BV-0579",
        "active_from": date(2023, 1, 1),
    },
    {
        "slug": "zoeterwoude",
        "name": "Gemeente Zoeterwoude",
        "kind": Organisation.Kind.MUNICIPALITY,
        "cbs_code": "0638",
        "oin": "00000001001234638000",
        "kvk": "99990638",
        "vat_number": "NL999906380B01",
        "street": "Noordbuurtseweg 1",
        "postal_code": "2381 ER",
        "city": "Zoeterwoude",
        "cost_centre": "BV-0638",
        "active_from": date(2023, 1, 1),
    },
    {
        "slug": "servicepunt71",
        "name": "Servicepunt71",
        "kind": Organisation.Kind.LEGACY_PROVIDER,
        "cbs_code": "",
        "oin": "00000001001234071000",
        "kvk": "99990071",
        "vat_number": "NL999900710B01",
        "street": "Langebrug 4",
        "postal_code": "2311 TJ",
        "city": "Leiden",
        "active_from": date(2010, 1, 1),
        "active_until": date(2022, 12, 31),
    },
]

LOCATIONS = [
    ("Tweelinghuis Leiden", "leiden", "Langebrug 4", "2311 TJ", "Leiden"),
    ("Stadhuis Leiden", "leiden", "Stadhuisplein 1", "2311 EJ", "Leiden"),
    ("Gemeentehuis Leiderdorp", "leiderdorp", "Statenlaan 1", "2353 HA", "Leiderdorp"),
    ("Gemeentehuis Oegstgeest", "oegstgeest", "Lange Voort 2", "2341 KA", "Oegstgeest"),
    ("Gemeentehuis Zoeterwoude", "zoeterwoude", "Noordbuurtseweg 1", "2381 ER", "Zoeterwoude"),
]

CUSTOMER_SLUGS = ["leiden", "leiderdorp", "oegstgeest", "zoeterwoude"]


def seed(*, password: str, log=print) -> None:
    organisations = {}
    for data in ORGANISATIONS:
        values = {k: v for k, v in data.items() if k != "slug"}
        values.setdefault("active_until", None)
        values["identifiers_are_examples"] = True
        organisations[data["slug"]], _created = Organisation.objects.update_or_create(
            slug=data["slug"], defaults=values
        )
    for name, slug, street, postal_code, city in LOCATIONS:
        Location.objects.update_or_create(
            name=name,
            defaults={
                "organisation": organisations[slug],
                "street": street,
                "postal_code": postal_code,
                "city": city,
            },
        )
    users = []
    for slug in CUSTOMER_SLUGS:
        users.append((f"cm.{slug}", slug, Role.CONTRACT_MANAGER))
        users.append((f"fin.{slug}", slug, Role.FINANCE))
    users.append(("provider.staff", "leiden", Role.PROVIDER_STAFF))
    users.append(("provider.finance", "leiden", Role.PROVIDER_FINANCE))
    user_model = get_user_model()
    for username, slug, role in users:
        user, _created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@{slug}.example.nl"}
        )
        user.set_password(password)
        user.first_name = Role(role).label
        user.last_name = organisations[slug].name
        user.save()
        add_membership(user=user, organisation=organisations[slug], role=role)
    log(f"tenants: {len(organisations)} organisations, {len(LOCATIONS)} locations, {len(users)} users")


DEMO_USERS = [
    *(f"cm.{slug}" for slug in CUSTOMER_SLUGS),
    *(f"fin.{slug}" for slug in CUSTOMER_SLUGS),
    "provider.staff",
    "provider.finance",
]
