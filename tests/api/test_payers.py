"""/v1/payers, and the claim fields on the practice, users, locations and clients."""
from __future__ import annotations

from tests.api.claim_helpers import HOME, PRACTITIONER, add_payer


def test_create_payer_by_billing_and_read_by_every_role(api):
    reply = api.post("/v1/payers", {"name": "Example Health Plan", "payer_id": "EXHP1", "claim_filing_indicator": "CI",
                                    "address": {**HOME, "postal_code": "60601-1234"}, "requires_authorization": True},
                     role="billing")
    assert reply.status == 201 and reply.headers["location"] == f"/v1/payers/{reply.body['id']}"
    assert reply.body["address"]["postal_code"] == "606011234" and reply.body["requires_authorization"] is True
    for role in ("admin", "practitioner", "front_desk", "billing"):
        assert api.get(f"/v1/payers/{reply.body['id']}", role=role).body["payer_id"] == "EXHP1"
    assert [p["id"] for p in api.get("/v1/payers", role="front_desk").body["items"]] == [reply.body["id"]]


def test_create_payer_as_front_desk_is_403(api):
    assert api.post("/v1/payers", {"name": "X"}, role="front_desk").status == 403


def test_create_payer_with_bad_fields_is_422_naming_each(api):
    reply = api.post("/v1/payers", {"name": "X", "payer_id": "EX HP", "claim_filing_indicator": "QQ",
                                    "address": {**HOME, "region": "Illinois"}})
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {"body.payer_id", "body.claim_filing_indicator",
                                                         "body.address"}


def test_update_payer_needs_if_match_and_changes_fields(api):
    payer = add_payer(api)
    assert api.patch(f"/v1/payers/{payer['id']}", {"requires_authorization": True}).status == 428
    current = api.get(f"/v1/payers/{payer['id']}")
    reply = api.patch(f"/v1/payers/{payer['id']}", {"requires_authorization": True}, if_match=current.etag)
    assert reply.status == 200 and reply.body["requires_authorization"] is True and reply.body["version"] == 2
    assert api.delete(f"/v1/payers/{payer['id']}", if_match=reply.etag).status == 204
    assert api.get(f"/v1/payers/{payer['id']}").status == 404


def test_update_practice_claim_fields_checks_ein_and_zip(api):
    practice = api.get("/v1/practice")
    bad = api.patch("/v1/practice", {"taxonomy": "101YM0800", "pay_to_address": {**HOME, "postal_code": "6270"}},
                    if_match=practice.etag)
    assert bad.status == 422
    assert {e["field"] for e in bad.body["errors"]} == {"body.taxonomy", "body.pay_to_address"}
    bad = api.patch("/v1/practice", {"tax_id": "12345", "tax_id_kind": "EIN"}, if_match=practice.etag)
    assert bad.status == 422 and [e["field"] for e in bad.body["errors"]] == ["body.tax_id"]
    good = api.patch("/v1/practice", {"tax_id": "36-1234567", "tax_id_kind": "EIN", "taxonomy": "261qm0801x",
                                      "pay_to_address": HOME, "submitter_id": "DEMO123", "receiver_id": "EXCH01"},
                     if_match=practice.etag)
    assert good.status == 200, good.body
    assert good.body["taxonomy"] == "261QM0801X" and good.body["pay_to_address"]["region"] == "IL"


def test_update_user_npi_checks_the_check_digit(api):
    user = api.get(f"/v1/users/{PRACTITIONER}")
    bad = api.patch(f"/v1/users/{PRACTITIONER}", {"npi": "1112223339"}, if_match=user.etag)
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "body.npi"
    good = api.patch(f"/v1/users/{PRACTITIONER}", {"npi": "1112223338", "taxonomy": "101YM0800X"}, if_match=user.etag)
    assert good.status == 200 and good.body["npi"] == "1112223338" and good.body["taxonomy"] == "101YM0800X"


def test_create_location_with_facility_npi(api):
    reply = api.post("/v1/locations", {"name": "Eastside", "npi": "1765432103", "address": HOME})
    assert reply.status == 201 and reply.body["npi"] == "1765432103"
    assert api.post("/v1/locations", {"name": "Eastside", "npi": "1765432104"}).status == 422


def test_create_client_with_subscriber_and_payer_reference(api):
    payer = add_payer(api)
    reply = api.post("/v1/clients", {
        "first_name": "Jamie", "last_name": "Sample", "sex": "M", "date_of_birth": "2014-09-03", "address": HOME,
        "primary_insurance": {"payer": "Example", "payer_id": payer["id"], "member_id": "XYZ987654321",
                              "subscriber_relationship": "child",
                              "subscriber": {"first_name": "Morgan", "last_name": "Sample",
                                             "date_of_birth": "1984-02-20", "sex": "U", "address": HOME}}})
    assert reply.status == 201, reply.body
    insurance = api.get(f"/v1/clients/{reply.body['id']}").body["primary_insurance"]
    assert insurance["subscriber_relationship"] == "child" and insurance["subscriber"]["first_name"] == "Morgan"
    assert insurance["payer_id"] == payer["id"]


def test_create_client_with_bad_sex_or_subscriber_address_is_422(api):
    reply = api.post("/v1/clients", {
        "first_name": "J", "last_name": "S", "sex": "X",
        "primary_insurance": {"payer": "E", "member_id": "1", "subscriber_relationship": "spouse",
                              "subscriber": {"address": {**HOME, "region": "ZZ"}}}})
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {"body.sex", "body.primary_insurance.subscriber.address"}
