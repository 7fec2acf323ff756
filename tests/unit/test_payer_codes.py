"""The payer model's claim filing indicator type is spelt out for mypy; it must stay the 5010 list
the claim scrubber checks, or a payer could be saved with a code every claim then refuses."""
from typing import get_args

import pytest
from pydantic import ValidationError

from chalicelib.domain.claims import CLAIM_FILING_INDICATORS
from chalicelib.models.payers import ClaimFilingIndicator, PayerCreate


def test_claim_filing_indicator_type_lists_exactly_the_5010_codes():
    assert set(get_args(ClaimFilingIndicator)) == set(CLAIM_FILING_INDICATORS)


def test_payer_create_refuses_a_claim_filing_indicator_outside_the_list():
    assert PayerCreate.model_validate({"name": "Acme", "claim_filing_indicator": "MB"}).claim_filing_indicator == "MB"
    with pytest.raises(ValidationError, match="claim_filing_indicator"):
        PayerCreate.model_validate({"name": "Acme", "claim_filing_indicator": "XX"})
