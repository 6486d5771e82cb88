"""User accounts and their sessions."""

from piccolo.columns import Boolean, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from db.tables.places import Facility, Place


class Account(Table, tablename="account"):
    id = Serial(primary_key=True)
    username = Varchar(length=64, unique=True, index=True)
    full_name = Varchar(length=200)
    password_hash = Varchar(length=255)
    role = Varchar(length=32)
    # A staff user's scope: a subtree of places, or one facility.
    scope_place = ForeignKey(Place, null=True, on_delete=OnDelete.restrict)
    scope_facility = ForeignKey(Facility, null=True, on_delete=OnDelete.restrict)
    phone = Varchar(length=20, null=True, default=None)
    language = Varchar(length=5, default="vi")
    active = Boolean(default=True)
    created_at = Timestamptz()
    password_changed_at = Timestamptz()


class AuthSession(Table, tablename="auth_session"):
    """A signed-in session. Only a hash of the token is stored."""

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    client_address = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=255, null=True, default=None)
