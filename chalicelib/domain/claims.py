"""What a professional (837P) claim needs, and the scrub that lists every problem that would get it
rejected, naming the record and field a person must fix. Pure: no I/O, no AWS.

The API layer gathers these records (practice, practitioner, client, client insurance, payer,
session, authorization, location) into a Claim; scrub() says what is wrong; x12_837p writes it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeGuard

from chalicelib.domain import codes

# 5010 claim filing indicator codes (SBR09); ZZ "mutually defined" is refused by most payers.
CLAIM_FILING_INDICATORS = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM",
    "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
})
# Individual relationship codes allowed in 5010 SBR02 / PAT01.
RELATIONSHIPS = frozenset({"01", "18", "19", "20", "21", "39", "40", "53", "G8"})
SELF = "18"
SEXES = frozenset({"M", "F", "U"})
FREQUENCIES = frozenset({"1", "7", "8"})  # original, replacement, void
TAX_ID_KINDS = frozenset({"EIN", "SSN"})
MAX_DIAGNOSES = 12
MAX_LINES = 50  # 837P 2400 loop repeat limit
MAX_MODIFIERS = 4
_ZIP = re.compile(r"\d{5}(\d{4})?")
_ZIP9 = re.compile(r"\d{9}")
_TAXONOMY = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")  # NUCC: 10 characters ending in X
_TAX_ID = re.compile(r"\d{9}")
_INVALID_EINS = frozenset({"000000000", "123456789"})
_EIN_PREFIXES_UNUSED = frozenset({"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69",
                                  "70", "78", "79", "89", "96", "97"})


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str  # USPS two-letter code
    zip: str  # 5 or 9 digits, no hyphen
    line2: str | None = None


@dataclass(frozen=True)
class Submitter:
    """The practice (or its billing service) as the clearinghouse knows it (1000A)."""
    name: str
    submitter_id: str  # ETIN given by the clearinghouse
    contact_name: str
    phone: str  # 10 digits
    record_id: str = ""


@dataclass(frozen=True)
class Receiver:
    """The clearinghouse or payer the file goes to (1000B)."""
    name: str
    receiver_id: str
    record_id: str = ""


@dataclass(frozen=True)
class BillingProvider:
    """The practice as billing provider (2010AA), with its pay-to address when different (2010AB)."""
    name: str
    npi: str | None
    tax_id: str | None  # 9 digits, no hyphen
    taxonomy: str | None
    address: Address | None
    tax_id_kind: str = "EIN"  # EIN or SSN
    pay_to_address: Address | None = None
    record_id: str = ""


@dataclass(frozen=True)
class Payer:
    name: str
    payer_id: str | None  # as the clearinghouse knows it
    claim_filing_indicator: str | None  # CI commercial, MB Medicare B, MC Medicaid, BL, HM, 12...
    address: Address | None = None
    requires_authorization: bool = False
    record_id: str = ""


@dataclass(frozen=True)
class Person:
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    sex: str | None  # M, F or U
    address: Address | None


@dataclass(frozen=True)
class Subscriber:
    """The insured on the client's insurance. relationship is the patient's relationship to the
    subscriber: 18 self (then person is None and the patient is the subscriber), else 01 spouse,
    19 child, 20 employee, 21 unknown, 39 organ donor, 40 cadaver donor, 53 life partner, G8 other."""
    member_id: str | None
    relationship: str = SELF
    group_number: str | None = None
    person: Person | None = None  # required when relationship is not 18
    record_id: str = ""  # the client insurance


@dataclass(frozen=True)
class Patient:
    """The client."""
    person: Person
    record_id: str = ""


@dataclass(frozen=True)
class RenderingProvider:
    first_name: str | None
    last_name: str | None
    npi: str | None
    taxonomy: str | None
    record_id: str = ""  # the practitioner


@dataclass(frozen=True)
class ReferringProvider:
    first_name: str | None
    last_name: str | None
    npi: str | None
    record: str = "session"  # where it is stored: session or client
    record_id: str = ""


@dataclass(frozen=True)
class ServiceFacility:
    name: str
    address: Address | None
    npi: str | None = None
    record_id: str = ""  # the location


@dataclass(frozen=True)
class Authorization:
    number: str | None
    start_on: date | None = None
    end_on: date | None = None
    record_id: str = ""


@dataclass(frozen=True)
class ServiceLine:
    code: str
    charge: Decimal
    units: Decimal
    date_of_service: date
    diagnosis_pointers: tuple[int, ...] = (1,)  # 1-based positions in Claim.diagnoses, at most 4
    modifiers: tuple[str, ...] = ()
    place_of_service: str | None = None  # None: the claim's
    note: str | None = None
    session_id: str = ""  # the session this line (or add-on line) comes from
    add_on: bool = False  # an add-on code's line: its charge is the billing code's default charge


@dataclass(frozen=True)
class Claim:
    patient_control_number: str  # CLM01, at most 20 characters (the end of the claim id)
    billing_provider: BillingProvider
    payer: Payer
    subscriber: Subscriber
    patient: Patient
    rendering_provider: RenderingProvider
    lines: tuple[ServiceLine, ...]
    diagnoses: tuple[str, ...]  # ICD-10-CM, principal first
    place_of_service: str = codes.DEFAULT_POS
    frequency_code: str = "1"
    original_reference: str | None = None  # payer claim control number, for 7 and 8
    authorization: Authorization | None = None
    referring_provider: ReferringProvider | None = None
    service_facility: ServiceFacility | None = None
    note: str | None = None
    record_id: str = ""  # the claim's id, which claim-level problems name (patient_control_number if blank)
    # Where each of `diagnoses` comes from, in the same order: (session id, primary_diagnosis or
    # additional_diagnoses), so a problem names the field to fix.
    diagnosis_sources: tuple[tuple[str, str], ...] = ()

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def prior_authorization_number(self) -> str | None:
        return self.authorization.number if self.authorization else None

    @property
    def patient_is_subscriber(self) -> bool:
        return self.subscriber.relationship == SELF


@dataclass(frozen=True)
class Problem:
    """One thing that would get a claim rejected: which record to open and which field to fix."""
    # practice, payer, client, client_insurance, practitioner, session, billing_code, authorization,
    # location or claim; `field` is that record's field as the API writes it (PATCH body names).
    record: str
    record_id: str
    field: str
    reason: str


@dataclass
class _Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, record: str, record_id: str, name: str, reason: str) -> None:
        problem = Problem(record, record_id, name, reason)
        if problem not in self.items:  # one add-on line and its session must not report twice
            self.items.append(problem)


def _blank(value: str | None) -> bool:
    return not _filled(value)


def _filled(value: str | None) -> TypeGuard[str]:
    """Not None nor only spaces (and, to the type checker, a str from here on)."""
    return value is not None and bool(str(value).strip())


def npi_problem(value: str | None) -> str | None:
    if not _filled(value):
        return "missing"
    try:
        codes.npi(value)
    except ValueError as err:
        return str(err)
    return None


def _check_npi(out: _Problems, record: str, record_id: str, name: str, value: str | None,
               required: bool = True) -> None:
    if _blank(value) and not required:
        return
    reason = npi_problem(value)
    if reason:
        out.add(record, record_id, name, reason)


def _check_taxonomy(out: _Problems, record: str, record_id: str, value: str | None) -> None:
    if not _filled(value):
        out.add(record, record_id, "taxonomy", "missing")
    elif not _TAXONOMY.fullmatch(value):
        out.add(record, record_id, "taxonomy", "a taxonomy code is 10 characters ending in X, e.g. 101YM0800X")


def _check_address(out: _Problems, record: str, record_id: str, prefix: str, address: Address | None,
                   zip9: bool = False) -> None:
    if address is None:
        out.add(record, record_id, prefix, "missing")
        return
    if _blank(address.line1):
        out.add(record, record_id, f"{prefix}.line1", "missing")
    if _blank(address.city):
        out.add(record, record_id, f"{prefix}.city", "missing")
    if address.state not in codes.US_STATES:
        out.add(record, record_id, f"{prefix}.region", "not a US state or territory code")
    if zip9 and not _ZIP9.fullmatch(address.zip or ""):
        out.add(record, record_id, f"{prefix}.postal_code",
                "the billing provider and service facility need a 9-digit ZIP+4")
    elif not _ZIP.fullmatch(address.zip or ""):
        out.add(record, record_id, f"{prefix}.postal_code", "a ZIP code is 5 or 9 digits")


def _check_person(out: _Problems, record: str, record_id: str, person: Person, today: date,
                  prefix: str = "") -> None:
    if _blank(person.first_name):
        out.add(record, record_id, f"{prefix}first_name", "missing")
    if _blank(person.last_name):
        out.add(record, record_id, f"{prefix}last_name", "missing")
    if person.date_of_birth is None:
        out.add(record, record_id, f"{prefix}date_of_birth", "missing")
    elif person.date_of_birth > today:
        out.add(record, record_id, f"{prefix}date_of_birth", "in the future")
    if person.sex is None:
        out.add(record, record_id, f"{prefix}sex", "missing")
    elif person.sex not in SEXES:
        out.add(record, record_id, f"{prefix}sex", "sex on a claim is M, F or U")
    _check_address(out, record, record_id, f"{prefix}address", person.address)


def _check_tax_id(out: _Problems, provider: BillingProvider) -> None:
    rid = provider.record_id
    tax_id = provider.tax_id
    if not _filled(tax_id):
        out.add("practice", rid, "tax_id", "missing")
        return
    if provider.tax_id_kind not in TAX_ID_KINDS:
        out.add("practice", rid, "tax_id_kind", "EIN or SSN")
        return
    if not _TAX_ID.fullmatch(tax_id) or tax_id in _INVALID_EINS:
        out.add("practice", rid, "tax_id", f"an {provider.tax_id_kind} is 9 digits, without a hyphen")
    elif provider.tax_id_kind == "EIN" and tax_id[:2] in _EIN_PREFIXES_UNUSED:
        out.add("practice", rid, "tax_id", f"no EIN starts with {tax_id[:2]}")
    elif provider.tax_id_kind == "SSN" and (tax_id[:3] in ("000", "666") or tax_id[0] == "9"
                                             or tax_id[3:5] == "00" or tax_id[5:] == "0000"):
        out.add("practice", rid, "tax_id", "not a valid SSN")


def _check_billing_provider(out: _Problems, provider: BillingProvider) -> None:
    rid = provider.record_id
    if _blank(provider.name):
        out.add("practice", rid, "name", "missing")
    _check_npi(out, "practice", rid, "billing_npi", provider.npi)
    _check_tax_id(out, provider)
    _check_taxonomy(out, "practice", rid, provider.taxonomy)
    _check_address(out, "practice", rid, "address", provider.address, zip9=True)
    if provider.pay_to_address is not None:
        _check_address(out, "practice", rid, "pay_to_address", provider.pay_to_address)


def _check_payer(out: _Problems, payer: Payer) -> None:
    rid = payer.record_id
    if _blank(payer.name):
        out.add("payer", rid, "name", "missing")
    if not _filled(payer.payer_id):
        out.add("payer", rid, "payer_id", "missing")
    elif not re.fullmatch(r"[A-Za-z0-9]{2,80}", payer.payer_id):
        out.add("payer", rid, "payer_id", "a payer id is letters and digits")
    if payer.claim_filing_indicator is None:
        out.add("payer", rid, "claim_filing_indicator", "missing")
    elif payer.claim_filing_indicator not in CLAIM_FILING_INDICATORS:
        out.add("payer", rid, "claim_filing_indicator", "not a 5010 claim filing indicator code, e.g. CI, MB, MC")
    if payer.address is not None:
        _check_address(out, "payer", rid, "address", payer.address)


# A client insurance's fields as PATCH /v1/clients/{id} takes them.
INSURANCE = "primary_insurance."


def _check_subscriber(out: _Problems, subscriber: Subscriber, today: date) -> None:
    rid = subscriber.record_id
    if not _filled(subscriber.member_id):
        out.add("client_insurance", rid, f"{INSURANCE}member_id", "missing")
    elif not re.fullmatch(r"[A-Za-z0-9-]{2,80}", subscriber.member_id):
        out.add("client_insurance", rid, f"{INSURANCE}member_id", "a member id is letters, digits and '-'")
    if subscriber.relationship not in RELATIONSHIPS:
        out.add("client_insurance", rid, f"{INSURANCE}subscriber_relationship",
                "not a claim relationship code, e.g. 18 self, 01 spouse, 19 child")
    elif subscriber.relationship != SELF:
        if subscriber.person is None:
            out.add("client_insurance", rid, f"{INSURANCE}subscriber", "missing: the subscriber is someone else")
        else:
            _check_person(out, "client_insurance", rid, subscriber.person, today, prefix=f"{INSURANCE}subscriber.")


def _claim_id(claim: Claim) -> str:
    return claim.record_id or claim.patient_control_number


def _check_diagnoses(out: _Problems, claim: Claim) -> None:
    sid = claim.lines[0].session_id if claim.lines else _claim_id(claim)
    if not claim.diagnoses:
        out.add("session", sid, "primary_diagnosis", "missing: a claim needs at least one diagnosis")
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        out.add("claim", _claim_id(claim), "diagnoses",
                f"{len(claim.diagnoses)} diagnoses; a claim carries at most {MAX_DIAGNOSES}")
    for i, code in enumerate(claim.diagnoses):
        try:
            if codes.icd10_code(code) != code:
                raise ValueError("write ICD-10 codes upper case with the dot, e.g. F41.1")
        except ValueError as err:
            source = (claim.diagnosis_sources[i] if i < len(claim.diagnosis_sources)
                      else (sid, "primary_diagnosis" if i == 0 else "additional_diagnoses"))
            out.add("session", source[0], source[1], f"'{code}': {err}")
    if len(set(claim.diagnoses)) != len(claim.diagnoses):
        out.add("claim", _claim_id(claim), "diagnoses", "a diagnosis is listed twice")


def _check_line(out: _Problems, claim: Claim, line: ServiceLine, today: date) -> None:
    sid = line.session_id
    try:
        codes.billing_code(line.code)
        if not re.fullmatch(r"\d{5}|\d{4}[FTU]|[A-V]\d{4}", line.code):
            raise ValueError("an 837P line needs a CPT or HCPCS code")
    except ValueError as err:
        out.add("session", sid, "billing_code", str(err))
    # A session's line charges its fee; an add-on line the add-on billing code's default charge.
    charged = ("billing_code", line.code, "default_charge") if line.add_on else ("session", sid, "fee")
    if line.charge <= 0:
        out.add(*charged, "a claim line charge must be more than zero")
    elif line.charge != line.charge.quantize(Decimal("0.01")):
        out.add(*charged, "at most 2 decimal places")
    if line.units <= 0:
        out.add("session", sid, "minutes", "too few minutes for one unit of the billing code")
    if line.date_of_service > today:
        out.add("session", sid, "date_of_service", "the date of service is in the future")
    if len(line.modifiers) > MAX_MODIFIERS:
        out.add("session", sid, "modifiers", f"at most {MAX_MODIFIERS} modifiers")
    for mod in line.modifiers:
        if not re.fullmatch(r"[A-Z0-9]{2}", mod):
            out.add("session", sid, "modifiers", f"'{mod}': a modifier is two letters or digits")
    # A line's pointers come from its session's diagnoses: those are the fields to fix.
    pointers = line.diagnosis_pointers
    if not pointers:
        out.add("session", sid, "primary_diagnosis", "missing: a line points to at least one diagnosis")
    if len(pointers) > 4:
        out.add("session", sid, "additional_diagnoses", "a line points to at most 4 diagnoses")
    if len(set(pointers)) != len(pointers):
        out.add("session", sid, "additional_diagnoses", "a diagnosis is pointed to twice")
    for pointer in pointers:
        if not 1 <= pointer <= min(len(claim.diagnoses), MAX_DIAGNOSES):
            out.add("session", sid, "additional_diagnoses",
                    f"pointer {pointer} is past the claim's first {MAX_DIAGNOSES} diagnoses")
    if line.place_of_service is not None:
        try:
            codes.place_of_service(line.place_of_service)
        except ValueError as err:
            out.add("session", sid, "place_of_service", str(err))
    if line.note is not None and len(line.note) > 80:
        out.add("session", sid, "line_note", "at most 80 characters")
    auth = claim.authorization
    if auth is not None:
        if auth.end_on is not None and line.date_of_service > auth.end_on:
            out.add("authorization", auth.record_id, "end_on",
                    f"the session on {line.date_of_service.isoformat()} is after the authorization ended")
        if auth.start_on is not None and line.date_of_service < auth.start_on:
            out.add("authorization", auth.record_id, "begin_on",
                    f"the session on {line.date_of_service.isoformat()} is before the authorization started")


# What an X12 identifier element can carry: x12_837p writes identifiers as given (changing one
# would bill the wrong thing), so one a person typed with a delimiter (* ~ : ^) or another
# character the file cannot hold is a problem to fix on its record, found here and not at export.
X12_IDENTIFIER = re.compile(r"[A-Za-z0-9 .\-/#&'()]*")


def _check_identifier(out: _Problems, record: str, record_id: str, field: str, value: str | None,
                      max_length: int) -> None:
    if value is None or _blank(value):
        return
    if len(value) > max_length or not X12_IDENTIFIER.fullmatch(value) or value != value.strip():
        out.add(record, record_id, field, f"'{value}': at most {max_length} letters, digits, spaces "
                                          "and . - / # & ' ( ), with no space at either end")


def _check_claim(out: _Problems, claim: Claim, today: date) -> None:
    cid = _claim_id(claim)
    first_session = claim.lines[0].session_id if claim.lines else cid
    if not re.fullmatch(r"[A-Za-z0-9-]{1,20}", claim.patient_control_number or ""):
        out.add("claim", cid, "patient_control_number", "1 to 20 letters, digits or '-'")
    if not claim.lines:
        out.add("claim", cid, "lines", "a claim needs at least one service line")
    if len(claim.lines) > MAX_LINES:
        out.add("claim", cid, "lines", f"at most {MAX_LINES} service lines on one claim")
    try:
        codes.place_of_service(claim.place_of_service)
    except ValueError as err:
        out.add("session", first_session, "place_of_service", str(err))
    if claim.frequency_code not in FREQUENCIES:
        out.add("session", first_session, "resubmission_code", "1 original, 7 replacement or 8 void")
    elif claim.frequency_code in ("7", "8") and _blank(claim.original_reference):
        out.add("session", first_session, "original_claim_reference",
                "a replacement or void needs the payer's original claim number")
    if claim.payer.requires_authorization and _blank(claim.prior_authorization_number):
        if claim.authorization is None:
            out.add("session", first_session, "prior_authorization_number",
                    "the payer requires a prior authorization: add the client's authorization covering this session")
        else:
            out.add("authorization", claim.authorization.record_id, "number",
                    "missing: the payer requires a prior authorization number")
    if claim.note is not None and len(claim.note) > 80:
        out.add("claim", cid, "note", "at most 80 characters")
    if claim.authorization is not None:
        _check_identifier(out, "authorization", claim.authorization.record_id, "number", claim.authorization.number, 50)
    _check_identifier(out, "session", first_session, "original_claim_reference", claim.original_reference, 50)
    _check_identifier(out, "client_insurance", claim.subscriber.record_id, f"{INSURANCE}group_number",
                      claim.subscriber.group_number, 50)


def scrub(claim: Claim, today: date) -> list[Problem]:
    """Every problem that would get this claim rejected, in a stable order; empty when it is ready."""
    out = _Problems()
    _check_claim(out, claim, today)
    _check_billing_provider(out, claim.billing_provider)
    # A payer or practitioner with no record id is one the records do not name: reported once,
    # on the field that names it, rather than as each of its fields missing.
    if claim.payer.record_id:
        _check_payer(out, claim.payer)
    else:
        out.add("client_insurance", claim.subscriber.record_id, f"{INSURANCE}payer_id",
                "missing or not in the catalogue: choose the payer from /v1/payers")
    _check_subscriber(out, claim.subscriber, today)
    _check_person(out, "client", claim.patient.record_id, claim.patient.person, today)
    rendering = claim.rendering_provider
    if not rendering.record_id:
        out.add("client", claim.patient.record_id, "practitioner_id",
                "missing: no appointment or usual practitioner names who rendered the session")
    else:
        if _blank(rendering.first_name):
            out.add("practitioner", rendering.record_id, "first_name", "missing")
        if _blank(rendering.last_name):
            out.add("practitioner", rendering.record_id, "last_name", "missing")
        _check_npi(out, "practitioner", rendering.record_id, "npi", rendering.npi)
        _check_taxonomy(out, "practitioner", rendering.record_id, rendering.taxonomy)
    referring = claim.referring_provider
    if referring is not None:
        if _blank(referring.first_name):
            out.add(referring.record, referring.record_id, "referring_provider.first_name", "missing")
        if _blank(referring.last_name):
            out.add(referring.record, referring.record_id, "referring_provider.last_name", "missing")
        _check_npi(out, referring.record, referring.record_id, "referring_provider.npi", referring.npi)
    facility = claim.service_facility
    if facility is not None:
        if _blank(facility.name):
            out.add("location", facility.record_id, "name", "missing")
        _check_address(out, "location", facility.record_id, "address", facility.address, zip9=True)
        _check_npi(out, "location", facility.record_id, "npi", facility.npi, required=False)
    _check_diagnoses(out, claim)
    for line in claim.lines:
        _check_line(out, claim, line, today)
    return out.items
