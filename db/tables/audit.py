"""The append-only audit log (triggers in the migrations refuse UPDATE and DELETE)."""

from piccolo.columns import JSON, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from db.tables.accounts import Account
from db.tables.places import Place


class AuditEvent(Table, tablename="audit_event"):
    id = Serial(primary_key=True)
    at = Timestamptz(index=True)
    actor = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    actor_name = Varchar(length=64)
    action = Varchar(length=64)
    entity = Varchar(length=64)
    entity_id = Varchar(length=64)
    # The place the entity belongs to, so officers read the log within their scope.
    place = ForeignKey(Place, null=True, on_delete=OnDelete.restrict, index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    request_id = Varchar(length=64)
    device_id = Varchar(length=128, null=True, default=None)
