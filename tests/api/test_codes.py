"""/v1/billing-codes and /v1/diagnosis-codes."""
from __future__ import annotations


def test_new_practice_has_the_psychotherapy_codes(api):
    codes = {c["code"]: c for c in api.get("/v1/billing-codes?limit=100").body["items"]}
    assert {"90791", "90832", "90834", "90837", "90846", "90847", "90853", "90785"} <= set(codes)
    assert codes["90785"]["add_on"] is True and codes["90837"]["default_minutes"] == 60
    assert codes["90837"]["default_charge"] == "180.00"


def test_billing_user_adds_a_unit_based_code(api):
    reply = api.post("/v1/billing-codes", {"code": "h2019", "description": "Therapeutic behavioural services",
                                           "default_minutes": 60, "default_charge": "25", "unit_minutes": 15},
                     role="billing")
    assert reply.status == 201
    assert reply.body["code"] == "H2019" and reply.body["default_charge"] == "25.00"
    assert reply.headers["location"] == "/v1/billing-codes/H2019"
    assert api.get("/v1/billing-codes/h2019").body["unit_minutes"] == 15


def test_billing_code_rules_are_422(api):
    reply = api.post("/v1/billing-codes", {"code": "90 837", "description": "", "default_minutes": -5,
                                           "default_charge": 12.5, "unit_minutes": 0})
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {
        "body.code", "body.description", "body.default_minutes", "body.default_charge", "body.unit_minutes"}


def test_duplicate_billing_code_is_409(api):
    reply = api.post("/v1/billing-codes", {"code": "90837", "description": "x", "default_minutes": 60,
                                           "default_charge": "1.00"})
    assert reply.status == 409


def test_billing_code_charge_update(api):
    current = api.get("/v1/billing-codes/90837")
    reply = api.patch("/v1/billing-codes/90837", {"default_charge": "195.50"}, if_match=current.etag)
    assert reply.status == 200 and reply.body["default_charge"] == "195.50"


def test_diagnosis_code_gets_official_description(api):
    reply = api.post("/v1/diagnosis-codes", {"code": "f411"}, role="practitioner")
    assert reply.status == 201
    assert reply.body["code"] == "F41.1" and reply.body["system"] == "ICD-10-CM"
    assert reply.body["description"].lower().startswith("generalized anxiety disorder")
    assert reply.body["billable"] is True
    assert api.get("/v1/diagnosis-codes/F411").body["code"] == "F41.1"


def test_unknown_or_malformed_icd10_cm_code_is_422(api):
    assert api.post("/v1/diagnosis-codes", {"code": "F41.99"}).body["errors"][0]["field"] == "body.code"
    assert api.post("/v1/diagnosis-codes", {"code": "41.1"}).status == 422


def test_non_cm_icd10_code_needs_a_description(api):
    reply = api.post("/v1/diagnosis-codes", {"code": "F32.A9", "system": "ICD-10"})
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.description"
    reply = api.post("/v1/diagnosis-codes", {"code": "F32.A9", "system": "ICD-10", "description": "Local code"})
    assert reply.status == 201 and reply.body["billable"] is None


def test_front_desk_cannot_edit_codes(api):
    assert api.post("/v1/diagnosis-codes", {"code": "F41.1"}, role="front_desk").status == 403
    assert api.get("/v1/diagnosis-codes", role="front_desk").status == 200
