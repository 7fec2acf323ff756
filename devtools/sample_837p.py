"""Builds docs/sample-837p.txt from made-up demo data (no real person, practice or payer).

    .venv/bin/python -m devtools.sample_837p            # rewrite docs/sample-837p.txt
    .venv/bin/python -m devtools.sample_837p --stdout   # print it, one segment a line

The demo records here are also the starting point of the claim tests (tests/unit/test_x12_837p.py,
tests/unit/test_claim_scrub.py). NPIs are made up but pass the check digit."""
from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from chalicelib.domain.claims import (
    Address,
    Authorization,
    BillingProvider,
    Claim,
    Patient,
    Payer,
    Person,
    Receiver,
    ReferringProvider,
    RenderingProvider,
    ServiceFacility,
    ServiceLine,
    Submitter,
    Subscriber,
)
from chalicelib.domain.x12_837p import Batch, write_837p

TODAY = date(2026, 11, 27)
PRACTICE_ADDRESS = Address("100 Demo Plaza", "Springfield", "IL", "627010001", line2="Suite 2")
PRACTICE = BillingProvider(
    name="Demo Counseling Group", npi="1234567893", tax_id="361234567", taxonomy="261QM0801X",
    address=PRACTICE_ADDRESS, tax_id_kind="EIN", record_id="practice-demo")
PAYER = Payer(name="Example Health Plan", payer_id="EXHP1", claim_filing_indicator="CI",
              address=Address("1 Payer Way", "Chicago", "IL", "60601"), record_id="payer-demo")
SUBMITTER = Submitter(name="Demo Counseling Group", submitter_id="DEMO123", contact_name="Billing Office",
                      phone="5555550100", record_id="practice-demo")
RECEIVER = Receiver(name="Example Clearinghouse", receiver_id="EXCH01", record_id="clearinghouse-demo")
RENDERING = RenderingProvider(first_name="Robin", last_name="Example", npi="1112223338",
                              taxonomy="101YM0800X", record_id="practitioner-demo")
REFERRING = ReferringProvider(first_name="Casey", last_name="Referrer", npi="2223334444",
                              record="session", record_id="session-demo-2")
FACILITY = ServiceFacility(name="Demo Counseling Eastside", npi="1765432103",
                           address=Address("20 Sample Road", "Springfield", "IL", "627020002"),
                           record_id="location-demo")
ADULT = Patient(Person("Alex", "Sample", date(1988, 4, 12), "F",
                       Address("5 Test Lane", "Springfield", "IL", "62704")), record_id="client-demo-1")
CHILD = Patient(Person("Jamie", "Sample", date(2014, 9, 3), "M",
                       Address("5 Test Lane", "Springfield", "IL", "62704")), record_id="client-demo-2")
PARENT = Person("Morgan", "Sample", date(1984, 2, 20), "U", Address("5 Test Lane", "Springfield", "IL", "62704"))
AUTH = Authorization(number="PA12345", start_on=date(2026, 10, 1), end_on=date(2027, 3, 31),
                     record_id="authorization-demo")


def adult_claim() -> Claim:
    """A telehealth session at home (POS 10) with an interactive-complexity add-on; the client is the subscriber."""
    lines = (
        ServiceLine("90834", Decimal("140.00"), Decimal("1"), date(2026, 11, 20), (1, 2), ("95",),
                    place_of_service="10", session_id="session-demo-1"),
        ServiceLine("90785", Decimal("25.00"), Decimal("1"), date(2026, 11, 20), (1,), ("95",),
                    place_of_service="10", session_id="session-demo-1"),
    )
    return Claim(patient_control_number="CLM-DEMO-0001", billing_provider=PRACTICE, payer=PAYER,
                 subscriber=Subscriber(member_id="XYZ123456789", relationship="18", group_number="GRP001",
                                       record_id="insurance-demo-1"),
                 patient=ADULT, rendering_provider=RENDERING, lines=lines, diagnoses=("F41.1", "F32.1"),
                 place_of_service="10", authorization=AUTH)


def child_claim() -> Claim:
    """An office session for a child insured on a parent's plan, referred, at a second location."""
    lines = (ServiceLine("90837", Decimal("180.00"), Decimal("1"), date(2026, 11, 21), (1,), ("HA",),
                         note="Session with parent present", session_id="session-demo-2"),)
    return Claim(patient_control_number="CLM-DEMO-0002", billing_provider=PRACTICE, payer=PAYER,
                 subscriber=Subscriber(member_id="XYZ987654321", relationship="19", group_number="GRP001",
                                       person=PARENT, record_id="insurance-demo-2"),
                 patient=CHILD, rendering_provider=RENDERING, lines=lines, diagnoses=("F90.2",),
                 place_of_service="11", referring_provider=REFERRING, service_facility=FACILITY,
                 authorization=Authorization(number="PA67890", record_id="authorization-demo-2"))


def demo_batch(*claims: Claim, usage: str = "T") -> Batch:
    return Batch(submitter=SUBMITTER, receiver=RECEIVER, claims=claims or (adult_claim(), child_claim()),
                 interchange_control_number=1001, group_control_number=1001,
                 created_at=datetime(2026, 11, 27, 9, 30), sender_id="DEMO123",
                 receiver_interchange_id="EXCH01", usage=usage)


def main(argv: list[str]) -> None:
    text = write_837p(demo_batch())
    readable = text.replace("~", "~\n")  # one segment a line; parsers accept the line breaks
    if "--stdout" in argv:
        sys.stdout.write(readable)
        return
    target = Path(__file__).resolve().parent.parent / "docs" / "sample-837p.txt"
    target.write_text(readable, encoding="ascii")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
