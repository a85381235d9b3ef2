"""The demo catalogue for ``seed_demo``: domains, services, tariffs 2023–2026 and service levels.

The figures are illustrative: realistic in size for Leiden and its neighbours, not the real prices.
2023 is the base year; 2024, 2025 and 2026 come from indexation with Dutch wage-and-price figures.
``typical_volume`` gives a plausible yearly volume of a service for a municipality of a given size, so
the agreement and transition demo data can be built from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import Service, ServiceDomain, ServiceLevel, Tariff
from .services import index_tariffs, indexed_price

BASE_YEAR = 2023
# Indexation per year (a mix of the CAO-Gemeenten wage rise and the CPI, rounded to one decimal).
INDEXATION = {2024: Decimal("6.1"), 2025: Decimal("4.4"), 2026: Decimal("3.1")}
DEMO_YEARS = (BASE_YEAR, *INDEXATION)

# Inhabitants (CBS, rounded) of the four municipalities, for demo volumes.
DEMO_INHABITANTS = {"leiden": 127_000, "leiderdorp": 28_000, "oegstgeest": 26_000, "zoeterwoude": 9_000}

DOMAINS = [
    ("ict", "ICT", "ICT", 10),
    ("hrm", "HRM", "HRM", 20),
    ("financien", "Financiën", "Finance", 30),
    ("inkoop", "Inkoop", "Procurement", 40),
    ("informatiebeheer", "Informatiebeheer", "Information management", 50),
    ("facilitaire-zaken", "Facilitaire zaken", "Facility services", 60),
    ("juridische-zaken", "Juridische zaken", "Legal affairs", 70),
]


@dataclass(frozen=True)
class DemoService:
    code: str
    domain: str
    name: str
    name_en: str
    unit: str
    unit_en: str
    unit_code: str
    price_2023: str
    # Yearly volume: ``base`` + ``per_1000`` for every 1,000 inhabitants.
    per_1000: str
    base: str = "0"
    is_basic: bool = False
    vat_category: str = "S"
    taakveld: str = "0.4"
    description: str = ""
    description_en: str = ""


S = DemoService
SERVICES = [
    # ICT
    S(
        "ICT-01",
        "ict",
        "Werkplekbeheer",
        "Workstation management",
        "werkplek",
        "workstation",
        "C62",
        "1450.00",
        "7",
        is_basic=True,
        description="Een beheerde werkplek: laptop, beeldscherm, software, updates en vervanging na vier jaar.",
        description_en="A managed workstation: laptop, screen, software, updates and replacement after four years.",
    ),
    S(
        "ICT-02",
        "ict",
        "Microsoft 365-licentie",
        "Microsoft 365 licence",
        "licentie",
        "licence",
        "C62",
        "285.00",
        "8",
        is_basic=True,
        description="Kantoorsoftware, e-mail en samenwerken in Microsoft 365, inclusief beheer.",
        description_en="Office software, e-mail and collaboration in Microsoft 365, including management.",
    ),
    S(
        "ICT-03",
        "ict",
        "Mobiele telefonie",
        "Mobile telephony",
        "abonnement",
        "subscription",
        "C62",
        "312.00",
        "4",
        description="Een zakelijk abonnement met toestel, beheer en beveiliging.",
        description_en="A business subscription with device, management and security.",
    ),
    S(
        "ICT-04",
        "ict",
        "Servicedesk en gebruikersondersteuning",
        "Service desk and user support",
        "medewerker",
        "employee",
        "C62",
        "165.00",
        "8",
        is_basic=True,
        description="Eén loket voor storingen en vragen, telefonisch, per chat en op locatie.",
        description_en="One desk for incidents and questions, by phone, chat and on site.",
    ),
    S(
        "ICT-05",
        "ict",
        "Applicatiebeheer",
        "Application management",
        "applicatie",
        "application",
        "C62",
        "4850.00",
        "0.7",
        base="25",
        description="Functioneel en technisch beheer van een vakapplicatie, inclusief updates en leveranciersregie.",
        description_en="Functional and technical management of a business application, including updates.",
    ),
    S(
        "ICT-06",
        "ict",
        "Hosting en datacenter",
        "Hosting and data centre",
        "server",
        "server",
        "C62",
        "1950.00",
        "0.35",
        base="10",
        description="Een virtuele server in het datacenter, met back-up en monitoring.",
        description_en="A virtual server in the data centre, with back-up and monitoring.",
    ),
    S(
        "ICT-07",
        "ict",
        "Netwerk en wifi op locatie",
        "Network and wi-fi on site",
        "locatie",
        "location",
        "C62",
        "6400.00",
        "0.04",
        base="1",
        description="Bekabeld netwerk, wifi en internettoegang voor een gebouw.",
        description_en="Wired network, wi-fi and internet access for a building.",
    ),
    S(
        "ICT-08",
        "ict",
        "Informatiebeveiliging (CISO-functie)",
        "Information security (CISO)",
        "uur",
        "hour",
        "HUR",
        "118.00",
        "6",
        base="200",
        is_basic=True,
        description="De CISO-functie, BIO-rapportages, ENSIA-verantwoording en incidentafhandeling.",
        description_en="The CISO role, BIO reports, ENSIA accountability and incident handling.",
    ),
    S(
        "ICT-09",
        "ict",
        "Geo-informatie en GIS-beheer",
        "Geo-information and GIS",
        "uur",
        "hour",
        "HUR",
        "112.00",
        "4",
        description="Beheer van geo-basisregistraties (BGT, BAG) en GIS-analyses.",
        description_en="Management of geo base registers (BGT, BAG) and GIS analyses.",
    ),
    # HRM
    S(
        "HRM-01",
        "hrm",
        "Salarisadministratie",
        "Payroll administration",
        "medewerker",
        "employee",
        "C62",
        "385.00",
        "8",
        is_basic=True,
        description="Maandelijkse salarisverwerking, loonaangifte en jaaropgaven per medewerker.",
        description_en="Monthly payroll, wage tax returns and annual statements per employee.",
    ),
    S(
        "HRM-02",
        "hrm",
        "Personeelsadministratie en HR-systeem",
        "Personnel administration and HR system",
        "medewerker",
        "employee",
        "C62",
        "210.00",
        "8",
        is_basic=True,
        description="Mutaties, dossiers en selfservice in het HR-systeem.",
        description_en="Changes, files and self-service in the HR system.",
    ),
    S(
        "HRM-03",
        "hrm",
        "HR-advies",
        "HR advice",
        "uur",
        "hour",
        "HUR",
        "105.00",
        "12",
        description="Advies aan leidinggevenden over formatie, rechtspositie en ontwikkeling.",
        description_en="Advice to managers on staffing, legal position and development.",
    ),
    S(
        "HRM-04",
        "hrm",
        "Werving en selectie",
        "Recruitment and selection",
        "vacature",
        "vacancy",
        "C62",
        "2350.00",
        "0.8",
        description="Vacaturetekst, publicatie, selectie en aanstellingsvoorstel.",
        description_en="Vacancy text, publication, selection and appointment proposal.",
    ),
    S(
        "HRM-05",
        "hrm",
        "Bedrijfsarts en verzuimbegeleiding",
        "Occupational physician and absence support",
        "uur",
        "hour",
        "HUR",
        "128.00",
        "5",
        vat_category="E",
        description="Spreekuur bedrijfsarts en begeleiding bij verzuim (medische zorg, vrijgesteld van btw).",
        description_en="Occupational physician and absence support (medical care, VAT exempt).",
    ),
    S(
        "HRM-06",
        "hrm",
        "Opleidingen en leergangen",
        "Training and courses",
        "deelnemer",
        "participant",
        "C62",
        "1150.00",
        "1.2",
        vat_category="E",
        description="Deelname aan de gezamenlijke leergangen (onderwijs, vrijgesteld van btw).",
        description_en="Participation in the joint courses (education, VAT exempt).",
    ),
    # Financiën
    S(
        "FIN-01",
        "financien",
        "Crediteurenadministratie",
        "Accounts payable",
        "factuur",
        "invoice",
        "C62",
        "7.85",
        "250",
        is_basic=True,
        description="Ontvangst, controle, betaling en archivering van inkoopfacturen.",
        description_en="Receipt, checking, payment and archiving of purchase invoices.",
    ),
    S(
        "FIN-02",
        "financien",
        "Debiteurenadministratie",
        "Accounts receivable",
        "factuur",
        "invoice",
        "C62",
        "6.40",
        "60",
        description="Facturering, ontvangsten en aanmaningen.",
        description_en="Invoicing, receipts and reminders.",
    ),
    S(
        "FIN-03",
        "financien",
        "Financieel advies en control",
        "Financial advice and control",
        "uur",
        "hour",
        "HUR",
        "112.00",
        "25",
        description="Advies aan budgethouders en control op de planning-en-controlcyclus.",
        description_en="Advice to budget holders and control of the planning and control cycle.",
    ),
    S(
        "FIN-04",
        "financien",
        "Begroting en jaarrekening",
        "Budget and annual accounts",
        "abonnement",
        "subscription",
        "C62",
        "38500.00",
        "0",
        base="1",
        is_basic=True,
        description="Opstellen van begroting, tussenrapportages en jaarrekening volgens het BBV.",
        description_en="Budget, interim reports and annual accounts under the BBV.",
    ),
    S(
        "FIN-05",
        "financien",
        "Treasury en financiering",
        "Treasury and financing",
        "abonnement",
        "subscription",
        "C62",
        "9800.00",
        "0",
        base="1",
        vat_category="E",
        taakveld="0.5",
        description="Liquiditeitsplanning, leningen en schatkistbankieren (financiële dienst, vrijgesteld).",
        description_en="Cash planning, loans and treasury banking (financial service, exempt).",
    ),
    S(
        "FIN-06",
        "financien",
        "Betalingsverkeer",
        "Payment processing",
        "transactie",
        "transaction",
        "C62",
        "0.42",
        "500",
        description="Verwerking van betalingen en bankafschriften.",
        description_en="Processing of payments and bank statements.",
    ),
    # Inkoop
    S(
        "INK-01",
        "inkoop",
        "Inkoopadvies",
        "Procurement advice",
        "uur",
        "hour",
        "HUR",
        "108.00",
        "10",
        is_basic=True,
        description="Advies over inkoopstrategie, procedurekeuze en het inkoopbeleid.",
        description_en="Advice on procurement strategy, choice of procedure and procurement policy.",
    ),
    S(
        "INK-02",
        "inkoop",
        "Begeleiding Europese aanbesteding",
        "European tender support",
        "aanbesteding",
        "tender",
        "C62",
        "14500.00",
        "0.05",
        base="1",
        description="Een Europese aanbesteding van voorbereiding tot gunning.",
        description_en="A European tender from preparation to award.",
    ),
    S(
        "INK-03",
        "inkoop",
        "Contractmanagement",
        "Contract management",
        "contract",
        "contract",
        "C62",
        "145.00",
        "3",
        description="Registratie, bewaking en verlenging van contracten in het contractregister.",
        description_en="Recording, monitoring and renewal of contracts in the contract register.",
    ),
    S(
        "INK-04",
        "inkoop",
        "Spendanalyse",
        "Spend analysis",
        "rapport",
        "report",
        "C62",
        "3250.00",
        "0",
        base="1",
        description="Een jaarlijkse analyse van de inkoopuitgaven per leverancier en categorie.",
        description_en="A yearly analysis of spending per supplier and category.",
    ),
    # Informatiebeheer
    S(
        "IB-01",
        "informatiebeheer",
        "Archiefbeheer",
        "Archive management",
        "strekkende meter",
        "running metre",
        "MTR",
        "58.00",
        "20",
        is_basic=True,
        description="Beheer van het semi-statisch archief volgens de Archiefwet.",
        description_en="Management of the semi-static archive under the Public Records Act.",
    ),
    S(
        "IB-02",
        "informatiebeheer",
        "Post en documentaire informatievoorziening",
        "Mail and records",
        "poststuk",
        "item",
        "C62",
        "2.15",
        "400",
        description="Registratie, scanning en routering van inkomende post.",
        description_en="Registration, scanning and routing of incoming mail.",
    ),
    S(
        "IB-03",
        "informatiebeheer",
        "Digitalisering archief",
        "Archive digitisation",
        "pagina",
        "page",
        "ZP",
        "0.18",
        "2000",
        description="Scannen en metadateren van papieren archief (vervangen en vernietigen).",
        description_en="Scanning and indexing of paper archives (substitution and destruction).",
    ),
    S(
        "IB-04",
        "informatiebeheer",
        "Zaaksysteem en e-depot",
        "Case system and e-depot",
        "gebruiker",
        "user",
        "C62",
        "96.00",
        "6",
        is_basic=True,
        description="Zaakgericht werken en duurzame opslag in het e-depot.",
        description_en="Case management and durable storage in the e-depot.",
    ),
    S(
        "IB-05",
        "informatiebeheer",
        "Advies informatiebeheer",
        "Information management advice",
        "uur",
        "hour",
        "HUR",
        "98.00",
        "4",
        description="Advies over selectielijsten, Woo-verzoeken en informatiehuishouding.",
        description_en="Advice on retention schedules, Woo requests and records management.",
    ),
    # Facilitaire zaken
    S(
        "FAC-01",
        "facilitaire-zaken",
        "Gebouwbeheer",
        "Building management",
        "vierkante meter",
        "square metre",
        "MTK",
        "42.00",
        "250",
        description="Onderhoud, installaties en energie van kantoorgebouwen.",
        description_en="Maintenance, installations and energy of office buildings.",
    ),
    S(
        "FAC-02",
        "facilitaire-zaken",
        "Schoonmaak",
        "Cleaning",
        "vierkante meter",
        "square metre",
        "MTK",
        "18.50",
        "250",
        description="Dagelijkse en periodieke schoonmaak van kantoorruimte.",
        description_en="Daily and periodic cleaning of office space.",
    ),
    S(
        "FAC-03",
        "facilitaire-zaken",
        "Bodedienst en postbezorging",
        "Courier and mail delivery",
        "route",
        "route",
        "C62",
        "5600.00",
        "0.025",
        base="1",
        description="Een vaste dagelijkse route langs de locaties.",
        description_en="A fixed daily route past the locations.",
    ),
    S(
        "FAC-04",
        "facilitaire-zaken",
        "Receptie en beveiliging",
        "Reception and security",
        "uur",
        "hour",
        "HUR",
        "48.50",
        "16",
        base="1000",
        description="Ontvangst van bezoekers en toegangsbeveiliging.",
        description_en="Visitor reception and access control.",
    ),
    S(
        "FAC-05",
        "facilitaire-zaken",
        "Meubilair en werkplekinrichting",
        "Furniture and workplace fit-out",
        "werkplek",
        "workstation",
        "C62",
        "185.00",
        "7",
        description="Bureau, stoel en ergonomische hulpmiddelen per werkplek.",
        description_en="Desk, chair and ergonomic aids per workstation.",
    ),
    # Juridische zaken
    S(
        "JUR-01",
        "juridische-zaken",
        "Juridisch advies",
        "Legal advice",
        "uur",
        "hour",
        "HUR",
        "115.00",
        "5",
        description="Advies over bestuursrecht, contracten en aansprakelijkheid.",
        description_en="Advice on administrative law, contracts and liability.",
    ),
    S(
        "JUR-02",
        "juridische-zaken",
        "Behandeling bezwaarschriften",
        "Handling of objections",
        "bezwaarschrift",
        "objection",
        "C62",
        "640.00",
        "2",
        description="Secretariaat van de bezwaarcommissie en het advies op een bezwaar.",
        description_en="Secretariat of the objections committee and the advice on an objection.",
    ),
    S(
        "JUR-03",
        "juridische-zaken",
        "Verzekeringen en schadeclaims",
        "Insurance and claims",
        "dossier",
        "case",
        "C62",
        "420.00",
        "0.5",
        description="Afhandeling van aansprakelijkheidsclaims en beheer van verzekeringen.",
        description_en="Handling of liability claims and management of insurance policies.",
    ),
    S(
        "JUR-04",
        "juridische-zaken",
        "Functionaris gegevensbescherming",
        "Data protection officer",
        "uur",
        "hour",
        "HUR",
        "122.00",
        "2",
        base="40",
        description="De wettelijke FG-taak: toezicht op de AVG, DPIA's en datalekken.",
        description_en="The statutory DPO role: GDPR oversight, DPIAs and data breaches.",
    ),
]
del S

BY_CODE = {service.code: service for service in SERVICES}

ICT_LEVELS = {
    2023: ("99.50", "4.0", "16.0", "ma-vr 7:30-18:00", "Mon-Fri 7:30-18:00"),
    2024: ("99.50", "4.0", "16.0", "ma-vr 7:30-18:00", "Mon-Fri 7:30-18:00"),
    2025: ("99.60", "2.0", "8.0", "ma-vr 7:30-18:00, za 9:00-13:00", "Mon-Fri 7:30-18:00, Sat 9:00-13:00"),
    2026: ("99.70", "2.0", "8.0", "ma-vr 7:30-18:00, za 9:00-13:00", "Mon-Fri 7:30-18:00, Sat 9:00-13:00"),
}
OTHER_LEVELS = {
    2023: (None, "16.0", "40.0", "ma-vr 8:30-17:00", "Mon-Fri 8:30-17:00"),
    2024: (None, "16.0", "40.0", "ma-vr 8:30-17:00", "Mon-Fri 8:30-17:00"),
    2025: (None, "8.0", "40.0", "ma-vr 8:30-17:00", "Mon-Fri 8:30-17:00"),
    2026: (None, "8.0", "32.0", "ma-vr 8:00-17:30", "Mon-Fri 8:00-17:30"),
}


def _round_volume(value: Decimal) -> Decimal:
    """Whole units; tens from 1,000 and hundreds from 10,000, as a contract manager would estimate."""
    if value <= 0:
        return Decimal(0)
    step = Decimal(100) if value >= 10_000 else Decimal(10) if value >= 1_000 else Decimal(1)
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def typical_volume(service: Service, inhabitants: int) -> Decimal:
    """A realistic yearly volume of ``service`` for a municipality of ``inhabitants`` (rounded, >= 0).

    For example about 7 workstations and 8 employees per 1,000 inhabitants, 250 purchase invoices per
    1,000 inhabitants, 20 running metres of archive per 1,000 inhabitants; one budget cycle per
    municipality. Services outside the demo catalogue get an estimate from their unit.
    """
    if not inhabitants or inhabitants <= 0:
        return Decimal(0)
    thousands = Decimal(inhabitants) / Decimal(1000)
    demo = BY_CODE.get(service.code)
    if demo is not None:
        base, per_1000 = Decimal(demo.base), Decimal(demo.per_1000)
    else:
        base = Decimal(0)
        per_1000 = {"HUR": Decimal(5), "MTR": Decimal(20), "MTK": Decimal(250)}.get(
            service.unit_code, Decimal(7)
        )
    return _round_volume(base + per_1000 * thousands)


def _sync(obj, values: dict) -> bool:
    """Set ``values`` on ``obj`` and save only when something differs (no history on a re-run)."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return bool(changed)


def _seed_domains() -> dict[str, ServiceDomain]:
    domains = {}
    for code, name, name_en, order in DOMAINS:
        domain = ServiceDomain.objects.filter(code=code).first() or ServiceDomain(code=code)
        _sync(domain, {"name": name, "name_en": name_en, "order": order})
        domains[code] = domain
    return domains


def _seed_services(domains: dict[str, ServiceDomain]) -> dict[str, Service]:
    existing = {s.code: s for s in Service.objects.filter(code__in=BY_CODE)}
    services = {}
    for demo in SERVICES:
        service = existing.get(demo.code) or Service(code=demo.code)
        _sync(
            service,
            {
                "name": demo.name,
                "name_en": demo.name_en,
                "description": demo.description,
                "description_en": demo.description_en,
                "domain_id": domains[demo.domain].pk,
                "unit": demo.unit,
                "unit_en": demo.unit_en,
                "unit_code": demo.unit_code,
                "is_basic": demo.is_basic,
                "vat_category": demo.vat_category,
                "taakveld": demo.taakveld,
                "active_from": date(BASE_YEAR, 1, 1),
            },
        )
        services[demo.code] = service
    return services


def _seed_tariffs(services: dict[str, Service], log) -> None:
    have_base = set(Tariff.objects.filter(year=BASE_YEAR).values_list("service_id", flat=True))
    bulk_create_with_history(
        [
            Tariff(service=services[demo.code], year=BASE_YEAR, unit_price=Decimal(demo.price_2023))
            for demo in SERVICES
            if services[demo.code].pk not in have_base
        ],
        Tariff,
    )
    for year, percent in INDEXATION.items():
        if not Tariff.objects.filter(year=year).exists():
            index_tariffs(from_year=year - 1, to_year=year, percent=percent)
            log(f"  tarieven {year}: indexatie {percent}% op {year - 1}")
            continue
        # The year was indexed before; a service added since gets its indexed tariff too.
        previous = {t.service_id: t.unit_price for t in Tariff.objects.filter(year=year - 1)}
        have = set(Tariff.objects.filter(year=year).values_list("service_id", flat=True))
        bulk_create_with_history(
            [
                Tariff(service_id=service_id, year=year, unit_price=indexed_price(price, percent))
                for service_id, price in previous.items()
                if service_id not in have
            ],
            Tariff,
        )


def _seed_service_levels(services: dict[str, Service]) -> None:
    existing = {(sl.service_id, sl.year): sl for sl in ServiceLevel.objects.filter(year__in=DEMO_YEARS)}
    for demo in SERVICES:
        service = services[demo.code]
        levels = ICT_LEVELS if demo.domain == "ict" else OTHER_LEVELS
        for year in DEMO_YEARS:
            availability, response, resolution, hours, hours_en = levels[year]
            level = existing.get((service.pk, year)) or ServiceLevel(service=service, year=year)
            _sync(
                level,
                {
                    "availability_percent": Decimal(availability) if availability else None,
                    "response_hours": Decimal(response),
                    "resolution_hours": Decimal(resolution),
                    "service_hours": hours,
                    "service_hours_en": hours_en,
                },
            )


@transaction.atomic
def seed(*, password: str, log=print) -> None:
    """The demo catalogue; running it twice leaves the same data (and no extra history)."""
    domains = _seed_domains()
    services = _seed_services(domains)
    _seed_tariffs(services, log)
    _seed_service_levels(services)
    log(
        f"Dienstencatalogus: {len(services)} diensten in {len(domains)} domeinen, "
        f"tarieven {BASE_YEAR}–{max(DEMO_YEARS)} (illustratief)."
    )
