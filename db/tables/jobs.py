"""Long jobs that resume where they stopped (``niis recompute-forecasts``)."""

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class JobProgress(Table, tablename="job_progress"):
    """How far a batched job got: ``last_id`` is the last row it wrote (the next run
    starts after it); ``finished_at`` is set when it went through to the end, so the
    next run starts again from the first row. ``label`` says what the run was for (the
    schedule version a recompute follows): a run for another one starts over."""

    id = Serial(primary_key=True)
    name = Varchar(length=64, unique=True)
    label = Varchar(length=64, default="")
    last_id = Integer(default=0)
    done = Integer(default=0)
    started_at = Timestamptz()
    updated_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
