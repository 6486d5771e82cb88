"""Change counters for data cached in memory by every app process."""

from piccolo.columns import Integer, Serial, Varchar
from piccolo.table import Table


class Generation(Table, tablename="generation"):
    """``value`` goes up with every committed change to the data called ``name``; a
    process holding a copy compares it to know when to reload."""

    id = Serial(primary_key=True)
    name = Varchar(length=32, unique=True)
    value = Integer(default=0)
