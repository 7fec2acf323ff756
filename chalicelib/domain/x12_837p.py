"""Writes a batch of claims of one payer as an X12 005010X222A1 (837 Professional) interchange.
Pure and deterministic: control numbers and the creation time come in; nothing is read or sent.

X12 has no escape character, so free text (names, addresses, notes) is cleaned: folded to ASCII,
upper-cased, delimiter and control characters replaced by spaces, and cut to the element's maximum
length. Identifiers and codes are never cleaned: one carrying a delimiter is refused with ValueError,
since changing it would bill the wrong thing."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from chalicelib.domain.claims import X12_IDENTIFIER, Address, Claim, Person, Receiver, Submitter

VERSION = "005010X222A1"
SEGMENT = "~"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
_DELIMITERS = SEGMENT + ELEMENT + COMPONENT + REPETITION
# The X12 basic and extended character sets minus our delimiters (pyx12 checks the extended set).
_TEXT_OK = re.compile(r"[^A-Z0-9 !\"&'()+,\-./;?=%@\[\]_{}\\|<>#$]")


@dataclass(frozen=True)
class Batch:
    """One interchange: one functional group and one transaction of claims for a single payer."""
    submitter: Submitter
    receiver: Receiver
    claims: tuple[Claim, ...]
    interchange_control_number: int  # 1..999999999, unique and increasing per practice
    group_control_number: int  # 1..999999999
    created_at: datetime  # local time of the practice; written as CCYYMMDD and HHMM
    sender_id: str  # ISA06, as agreed with the clearinghouse (often the submitter id)
    receiver_interchange_id: str  # ISA08
    usage: str = "P"  # P production, T test
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    transaction_control_number: str = "0001"


def text(value: str | None, max_length: int) -> str:
    """Free text made safe for an element: ASCII, upper case, no delimiters, at most max_length."""
    if value is None:
        return ""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").upper()
    cleaned = _TEXT_OK.sub(" ", folded)
    return " ".join(cleaned.split())[:max_length].rstrip()


def required_text(value: str | None, max_length: int, name: str) -> str:
    """Free text that must not come out empty (a name the file cannot carry is refused, not blanked)."""
    cleaned = text(value, max_length)
    if not cleaned:
        raise ValueError(f"{name} has no letters or digits an X12 file can carry")
    return cleaned


def ident(value: str | None, name: str, max_length: int = 80) -> str:
    """An identifier or code, written as given or refused."""
    if value is None or not value.strip():
        raise ValueError(f"{name} is missing")
    if len(value) > max_length or not X12_IDENTIFIER.fullmatch(value) or value != value.strip():
        raise ValueError(f"{name} {value!r} has characters or a length an X12 file cannot carry")
    return value


def _amount(value: Decimal) -> str:
    """X12 decimal: no trailing zeros after the point, no exponent (150.00 -> 150, 12.50 -> 12.5)."""
    quantized = value.quantize(Decimal("0.01"))
    out = format(quantized, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


def _quantity(value: Decimal) -> str:
    out = format(value.normalize(), "f")
    return out.rstrip("0").rstrip(".") if "." in out else out


def _seg(*elements: str) -> str:
    # Trailing empty elements are dropped, as X12 requires.
    items = list(elements)
    while items and items[-1] == "":
        items.pop()
    return ELEMENT.join(items)


class _Writer:
    def __init__(self) -> None:
        self.segments: list[str] = []

    def add(self, *elements: str) -> None:
        self.segments.append(_seg(*elements))

    def address(self, address: Address) -> None:
        self.add("N3", required_text(address.line1, 55, "address line 1"), text(address.line2, 55))
        self.add("N4", required_text(address.city, 30, "city"), ident(address.state, "state", 2),
                 ident(address.zip, "zip", 9))

    def person_name(self, qualifier: str, person: Person, id_qualifier: str = "", id_value: str = "") -> None:
        self.add("NM1", qualifier, "1", required_text(person.last_name, 60, "last name"),
                 text(person.first_name, 35), "", "", "",
                 id_qualifier, id_value)

    def demographics(self, person: Person) -> None:
        if person.date_of_birth is None or person.sex is None:
            raise ValueError("a subscriber or patient needs a date of birth and sex; scrub the claim first")
        self.add("DMG", "D8", person.date_of_birth.strftime("%Y%m%d"), ident(person.sex, "sex", 1))


def _isa(batch: Batch) -> str:
    def fixed(value: str, name: str, width: int) -> str:
        return ident(value, name, width).ljust(width)

    if batch.usage not in ("P", "T"):
        raise ValueError("usage is P (production) or T (test)")
    if not 1 <= batch.interchange_control_number <= 999_999_999:
        raise ValueError("the interchange control number is 1 to 999999999")
    return ELEMENT.join([
        "ISA", "00", " " * 10, "00", " " * 10,
        fixed(batch.sender_qualifier, "sender qualifier", 2), fixed(batch.sender_id, "sender id", 15),
        fixed(batch.receiver_qualifier, "receiver qualifier", 2),
        fixed(batch.receiver_interchange_id, "receiver id", 15),
        batch.created_at.strftime("%y%m%d"), batch.created_at.strftime("%H%M"),
        REPETITION, "00501", f"{batch.interchange_control_number:09d}", "0", batch.usage, COMPONENT,
    ])


def _claim(w: _Writer, claim: Claim, hl: int) -> int:
    """Writes the 2000B (and 2000C) loops of one claim; returns the next HL id."""
    sub = claim.subscriber
    patient = claim.patient.person
    self_pay = claim.patient_is_subscriber
    insured = patient if self_pay else sub.person
    if insured is None:
        raise ValueError("the subscriber is someone else but their details are missing; scrub the claim first")
    payer = claim.payer
    if payer.payer_id is None or payer.claim_filing_indicator is None:
        raise ValueError("the payer id and claim filing indicator are missing; scrub the claim first")
    if sub.member_id is None:
        raise ValueError("the member id is missing; scrub the claim first")

    subscriber_hl = hl
    w.add("HL", str(subscriber_hl), "1", "22", "0" if self_pay else "1")
    w.add("SBR", "P", "18" if self_pay else "", ident(sub.group_number, "group number", 50) if sub.group_number else "",
          "", "", "", "", "", ident(payer.claim_filing_indicator, "claim filing indicator", 2))
    w.person_name("IL", insured, "MI", ident(sub.member_id, "member id"))
    if insured.address is not None:
        w.address(insured.address)
    if self_pay:
        w.demographics(insured)  # 2010BA DMG is required when the subscriber is the patient
    elif insured.date_of_birth is not None and insured.sex is not None:
        w.demographics(insured)
    w.add("NM1", "PR", "2", required_text(payer.name, 60, "payer name"), "", "", "", "", "PI",
          ident(payer.payer_id, "payer id"))
    if payer.address is not None:
        w.address(payer.address)
    hl += 1
    if not self_pay:
        w.add("HL", str(hl), str(subscriber_hl), "23", "0")
        w.add("PAT", ident(sub.relationship, "relationship", 2))
        w.person_name("QC", patient)
        if patient.address is None:
            raise ValueError("the patient's address is missing; scrub the claim first")
        w.address(patient.address)
        w.demographics(patient)
        hl += 1

    _claim_loop(w, claim)
    return hl


def _claim_loop(w: _Writer, claim: Claim) -> None:
    if not claim.lines:
        raise ValueError("a claim needs at least one service line")
    if not claim.diagnoses or len(claim.diagnoses) > 12:
        raise ValueError("a claim carries 1 to 12 diagnoses; scrub the claim first")
    w.add("CLM", ident(claim.patient_control_number, "patient control number", 20), _amount(claim.total_charge),
          "", "", COMPONENT.join([ident(claim.place_of_service, "place of service", 2), "B",
                                  ident(claim.frequency_code, "frequency code", 1)]),
          "Y", "A", "Y", "Y")
    if claim.prior_authorization_number:
        w.add("REF", "G1", ident(claim.prior_authorization_number, "prior authorization number", 50))
    if claim.frequency_code in ("7", "8"):
        if not claim.original_reference:
            raise ValueError("a replacement or void needs the original claim reference")
        w.add("REF", "F8", ident(claim.original_reference, "original claim reference", 50))
    if claim.note and text(claim.note, 80):
        w.add("NTE", "ADD", text(claim.note, 80))
    diagnoses = [code.replace(".", "") for code in claim.diagnoses]
    w.add("HI", *[COMPONENT.join(["ABK" if i == 0 else "ABF", ident(code, "diagnosis", 7)])
                  for i, code in enumerate(diagnoses)])
    ref = claim.referring_provider
    if ref is not None:
        w.add("NM1", "DN", "1", required_text(ref.last_name, 60, "referring provider last name"),
              text(ref.first_name, 35), "", "", "", "XX",
              ident(ref.npi, "referring NPI", 10))
    rend = claim.rendering_provider
    w.add("NM1", "82", "1", required_text(rend.last_name, 60, "rendering provider last name"),
          text(rend.first_name, 35), "", "", "", "XX",
          ident(rend.npi, "rendering NPI", 10))
    if rend.taxonomy:
        w.add("PRV", "PE", "PXC", ident(rend.taxonomy, "rendering taxonomy", 10))
    facility = claim.service_facility
    # 2310C only where care was given away from the billing address (X12 RFI 2196: never the same place)
    if facility is not None and facility.address != claim.billing_provider.address:
        if facility.address is None:
            raise ValueError("the service facility address is missing; scrub the claim first")
        w.add("NM1", "77", "2", required_text(facility.name, 60, "service facility name"), "", "", "", "",
              "XX" if facility.npi else "", ident(facility.npi, "facility NPI", 10) if facility.npi else "")
        w.address(facility.address)
    for number, line in enumerate(claim.lines, start=1):
        if len(line.modifiers) > 4 or not 1 <= len(line.diagnosis_pointers) <= 4:
            raise ValueError("a line carries at most 4 modifiers and 1 to 4 diagnosis pointers")
        if any(not 1 <= p <= len(diagnoses) for p in line.diagnosis_pointers):
            raise ValueError("a diagnosis pointer is past the claim's diagnoses; scrub the claim first")
        procedure = COMPONENT.join(["HC", ident(line.code, "billing code", 48),
                                    *[ident(m, "modifier", 2) for m in line.modifiers]])
        pos = line.place_of_service if line.place_of_service not in (None, claim.place_of_service) else ""
        w.add("LX", str(number))
        w.add("SV1", procedure, _amount(line.charge), "UN", _quantity(line.units),
              ident(pos, "place of service", 2) if pos else "", "",
              COMPONENT.join(str(p) for p in line.diagnosis_pointers))
        w.add("DTP", "472", "D8", line.date_of_service.strftime("%Y%m%d"))
        if line.note and text(line.note, 80):
            w.add("NTE", "ADD", text(line.note, 80))


def write_837p(batch: Batch) -> str:
    """The interchange as one string, segments ending in '~' (no line breaks)."""
    if not batch.claims:
        raise ValueError("a batch needs at least one claim")
    first = batch.claims[0]
    payer_ids = {c.payer.payer_id for c in batch.claims}
    if len(payer_ids) != 1:
        raise ValueError("a batch holds claims of one payer")
    if len({c.billing_provider for c in batch.claims}) != 1:
        raise ValueError("a batch holds claims of one billing provider")
    if not 1 <= batch.group_control_number <= 999_999_999:
        raise ValueError("the group control number is 1 to 999999999")
    bp = first.billing_provider
    if bp.address is None or not bp.npi or not bp.tax_id:
        raise ValueError("the billing provider needs an NPI, tax id and address; scrub the claims first")
    day = batch.created_at.strftime("%Y%m%d")
    time = batch.created_at.strftime("%H%M")
    st = ident(batch.transaction_control_number, "transaction control number", 9)

    w = _Writer()
    w.add("ST", "837", st, VERSION)
    w.add("BHT", "0019", "00", f"{batch.interchange_control_number:09d}", day, time, "CH")
    sub = batch.submitter
    w.add("NM1", "41", "2", required_text(sub.name, 60, "submitter name"), "", "", "", "", "46",
          ident(sub.submitter_id, "submitter id"))
    w.add("PER", "IC", required_text(sub.contact_name, 60, "submitter contact name"), "TE",
          ident(sub.phone, "submitter phone", 256))
    rec = batch.receiver
    w.add("NM1", "40", "2", required_text(rec.name, 60, "receiver name"), "", "", "", "", "46",
          ident(rec.receiver_id, "receiver id"))
    w.add("HL", "1", "", "20", "1")
    if bp.taxonomy:
        w.add("PRV", "BI", "PXC", ident(bp.taxonomy, "billing taxonomy", 10))
    w.add("NM1", "85", "2", required_text(bp.name, 60, "billing provider name"), "", "", "", "", "XX",
          ident(bp.npi, "billing NPI", 10))
    w.address(bp.address)
    w.add("REF", "EI" if bp.tax_id_kind == "EIN" else "SY", ident(bp.tax_id, "tax id", 9))
    if bp.pay_to_address is not None and bp.pay_to_address != bp.address:
        w.add("NM1", "87", "2")
        w.address(bp.pay_to_address)
    hl = 2
    for claim in batch.claims:
        hl = _claim(w, claim, hl)
    w.add("SE", str(len(w.segments) + 1), st)

    group = str(batch.group_control_number)
    sender = ident(batch.sender_id, "sender id", 15)
    receiver = ident(batch.receiver_interchange_id, "receiver id", 15)
    segments = [
        _isa(batch),
        _seg("GS", "HC", sender, receiver, day, time, group, "X", VERSION),
        *w.segments,
        _seg("GE", "1", group),
        _seg("IEA", "1", f"{batch.interchange_control_number:09d}"),
    ]
    return SEGMENT.join(segments) + SEGMENT
