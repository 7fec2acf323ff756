"""Session diagnoses are checked as diagnosis codes are: an ICD-10-CM code must be in the CMS
list (or the practice's own catalogue, for ICD-10 variants), and additional diagnoses need a primary."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_client

_BASE = {"date_of_service": "2026-11-20", "billing_code": "90837"}


def _session(api, client_id, **fields):
    return api.post(f"/v1/clients/{client_id}/sessions", {**_BASE, **fields}, role="practitioner")


def test_create_session_with_diagnosis_not_in_icd10cm_is_refused(api):
    client = make_client(api)
    reply = _session(api, client["id"], primary_diagnosis="F99.99", additional_diagnoses=["F41.1", "Z99.999"])
    assert reply.status == 422, reply.body
    assert [(e["field"], e["reason"]) for e in reply.body["errors"]] == [
        ("body.primary_diagnosis", "F99.99 is not in the ICD-10-CM code list"),
        ("body.additional_diagnoses.1", "Z99.999 is not in the ICD-10-CM code list")]
    assert api.get(f"/v1/clients/{client['id']}/sessions").body["items"] == []


def test_create_session_with_additional_diagnoses_and_no_primary_is_refused(api):
    client = make_client(api)
    reply = _session(api, client["id"], additional_diagnoses=["F41.1"])
    assert reply.status == 422
    assert reply.body["errors"] == [{"field": "body.primary_diagnosis",
                                     "reason": "is required when additional_diagnoses are given"}]


def test_create_session_with_a_practice_icd10_variant_code_is_accepted(api):
    added = api.post("/v1/diagnosis-codes", {"code": "F99.99", "system": "ICD-10", "description": "Local variant"})
    assert added.status == 201, added.body
    client = make_client(api)
    reply = _session(api, client["id"], primary_diagnosis="F99.99", additional_diagnoses=["F41.1"])
    assert reply.status == 201, reply.body


def test_update_session_with_diagnosis_not_in_icd10cm_or_dropping_the_primary_is_refused(api):
    client = make_client(api)
    created = _session(api, client["id"], primary_diagnosis="F41.1", additional_diagnoses=["Z63.0"])
    assert created.status == 201, created.body
    path = f"/v1/clients/{client['id']}/sessions/{created.body['session']['id']}"
    bad = api.patch(path, {"additional_diagnoses": ["F41.1", "F99.99"]}, if_match='"1"', role="practitioner")
    assert bad.status == 422
    assert bad.body["errors"] == [{"field": "body.additional_diagnoses.1",
                                   "reason": "F99.99 is not in the ICD-10-CM code list"}]
    dropped = api.patch(path, {"primary_diagnosis": None}, if_match='"1"', role="practitioner")
    assert dropped.status == 422
    assert dropped.body["errors"][0]["field"] == "body.primary_diagnosis"
    ok = api.patch(path, {"primary_diagnosis": "F32.A"}, if_match='"1"', role="practitioner")
    assert ok.status == 200 and ok.body["session"]["primary_diagnosis"] == "F32.A"
