"""Staff users, their role and their notification preferences."""

from pydantic import Field

from chalicelib.auth import Role
from chalicelib.models.common import Email, Flag, Input, NonEmpty, Output
from chalicelib.models.payers import Npi, Taxonomy


class NotificationPreferences(Input):
    """Which staff emails a user receives (PRODUCT.md §8); all on by default."""

    daily_digest: Flag = True
    pack_expiring: Flag = True
    pack_expired: Flag = True
    pack_used_up: Flag = True
    authorization_low: Flag = True
    authorization_used_up: Flag = True
    authorization_ending: Flag = True


class UserCreate(Input):
    email: Email
    first_name: NonEmpty
    last_name: NonEmpty
    role: Role
    active: Flag = True
    notification_preferences: NotificationPreferences = Field(default_factory=NotificationPreferences)
    npi: Npi | None = Field(None, description="A practitioner's individual (type 1) NPI, for claims")
    taxonomy: Taxonomy | None = Field(None, description="A practitioner's NUCC taxonomy code, e.g. 101YM0800X")


class UserUpdate(Input):
    email: Email | None = None
    first_name: NonEmpty | None = None
    last_name: NonEmpty | None = None
    role: Role | None = None
    active: Flag | None = None
    notification_preferences: NotificationPreferences | None = None
    npi: Npi | None = None
    taxonomy: Taxonomy | None = None


class MyProfileUpdate(Input):
    """What any user may change on their own record."""

    first_name: NonEmpty | None = None
    last_name: NonEmpty | None = None
    notification_preferences: NotificationPreferences | None = None


class User(Output):
    id: str
    email: str
    first_name: str
    last_name: str
    role: Role
    active: bool
    notification_preferences: NotificationPreferences
    npi: str | None = None
    taxonomy: str | None = None
    version: int
    created_at: str
    updated_at: str
