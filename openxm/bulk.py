"""Multi-row INSERTs for the ingestion paths, without Django's per-cell preparation.

``QuerySet.bulk_create`` builds a model instance per row and sends every cell through the field
API (``get_db_prep_save``, ``pre_save``, related-field checks); for the answer rows of a batch
of responses that was most of the time spent storing them (see benchmarks/README.md, ingest).
Here the converter of each column is chosen once per model and database: JSON columns are
adapted as their field would, encrypted columns (``openxm.crypto``) go through their field,
aware date-times become what the backend stores (naive UTC text on SQLite) and other dates go
through their field, every other column (text, numbers, foreign-key ids) passes through as it
is. Rows go out as one parameterised multi-row ``INSERT`` per chunk, with
``RETURNING id`` when the ids are wanted (SQLite ≥ 3.35 and PostgreSQL both return them in the
order of the rows, which Django's own ``bulk_create`` relies on too). Rows whose ids are not
wanted can go out with ``copy_rows``: the driver's own ``executemany`` of a one-row statement on
SQLite (the statement is prepared once; no parameter list of thousands is built) and ``COPY …
FROM STDIN`` on PostgreSQL, in the caller's transaction.

Included: the concrete columns the caller names; the caller fills every value (model defaults
and ``auto_now`` are not applied). Excluded: model ``save`` signals (none of the models written
here has receivers). Conflicts: ``insert_rows`` raises ``IntegrityError`` on a unique violation
(the caller's transaction decides); ``insert_new`` skips the rows that meet one.
"""

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, models

from openxm import crypto


def _aware_datetime(field: models.Field) -> Callable:
    """What ``DateTimeField.get_db_prep_save`` makes of an aware datetime, without its layers:
    naive UTC text on SQLite (``str`` of it, as Django's SQLite backend stores it), the value
    itself elsewhere. Anything else (None, naive values) takes the field's own way."""
    slow = lambda value: field.get_db_prep_save(value, connection)  # noqa: E731
    if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone == UTC:

        def convert(value):
            if type(value) is datetime and value.tzinfo is not None:
                return str(value.astimezone(UTC).replace(tzinfo=None))
            return slow(value)

        return convert
    if connection.vendor == "postgresql" and settings.USE_TZ:
        return lambda value: value if type(value) is datetime and value.tzinfo is not None else slow(value)
    return slow


def _converter(field: models.Field) -> Callable | None:
    if isinstance(field, crypto.EncryptedTextField | crypto.EncryptedJSONField):
        # Encrypted at rest (a contact's e-mail and phone): the field's own encryption.
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.JSONField):
        # What JSONField.get_db_prep_save ends in, without its layers; None stays SQL NULL.
        adapt, encoder = connection.ops.adapt_json_value, field.encoder
        return lambda value: None if value is None else adapt(value, encoder)
    if isinstance(field, models.DateTimeField):
        return _aware_datetime(field)
    if isinstance(field, models.DateField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _hashable(field: models.Field) -> bool:
    """Values of the column can key a memo (the answer rows of a response share one time)."""
    return isinstance(field, (models.DateTimeField, models.DateField))


def _plan(model: type[models.Model], columns: Sequence[str]) -> tuple[str, list, list[int]]:
    """The quoted column list, each column's converter (None: the value as it is), and the
    columns whose converted values may be memoised."""
    key = (connection.vendor, model._meta.label, tuple(columns))
    plan = _PLANS.get(key)
    if plan is None:
        fields = [{f.attname: f for f in model._meta.concrete_fields}[name] for name in columns]
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        memo = [i for i, f in enumerate(fields) if _hashable(f)]
        plan = _PLANS[key] = (names, [_converter(f) for f in fields], memo)
    return plan


_PLANS: dict[tuple, tuple] = {}


def _execute(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], suffix: str) -> list:
    """One multi-row INSERT per statement-sized chunk of ``rows``, ``suffix`` after its VALUES;
    returns the rows a ``RETURNING`` suffix fetched, in order."""
    names, plan, memoised = _plan(model, columns)
    converted = [i for i, convert in enumerate(plan) if convert is not None]
    memos: dict[int, dict] = {i: {} for i in memoised}
    table = connection.ops.quote_name(model._meta.db_table)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(500, 30000 // len(columns)))  # below SQLite's 32,766 parameters
    fetched: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list = []
            for row in chunk:
                if converted:
                    row = list(row)
                    for i in converted:
                        memo = memos.get(i)
                        if memo is None:
                            row[i] = plan[i](row[i])
                        elif row[i] in memo:
                            row[i] = memo[row[i]]
                        else:
                            row[i] = memo[row[i]] = plan[i](row[i])
                params.extend(row)
            # Table and column names come from the model, never from input; values are parameters.
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}{suffix}",  # noqa: S608
                params,
            )
            if suffix:
                fetched.extend(cursor.fetchall())
    return fetched


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (tuples in the order of ``columns``, attribute names such as
    ``response_id``); returns the new ids in row order when ``returning``, else ``[]``."""
    if not rows:
        return []
    suffix = f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}" if returning else ""
    return [row[0] for row in _execute(model, columns, rows, suffix)]


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (as ``insert_rows``) with the driver's bulk path, returning nothing:
    ``executemany`` on the raw ``sqlite3`` cursor, ``COPY`` on psycopg, the plain multi-row
    INSERT on any other backend."""
    if not rows:
        return
    if connection.vendor not in ("sqlite", "postgresql"):
        insert_rows(model, columns, rows)
        return
    names, plan, _memoised = _plan(model, columns)
    converted = [(i, convert) for i, convert in enumerate(plan) if convert is not None]
    if connection.vendor == "postgresql":
        # COPY adapts Python values itself (aware date-times, numbers, None); JSON goes as its text.
        json_columns = {f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}
        converted = [(i, convert) for i, convert in converted if columns[i] in json_columns]
    memo: dict = {}

    def cells(row):
        if not converted:
            return row
        row = list(row)
        for i, convert in converted:
            value = row[i]
            key = (i, value) if type(value) is datetime else None
            if key is None:
                row[i] = convert(value)
            elif key in memo:
                row[i] = memo[key]
            else:
                row[i] = memo[key] = convert(value)
        return row

    table = connection.ops.quote_name(model._meta.db_table)
    connection.ensure_connection()
    # Table and column names come from the model, never from input; values go as parameters/data.
    if connection.vendor == "sqlite":
        cursor = connection.connection.cursor()  # the driver's cursor: "?" marks, no per-call wrapping
        try:
            marks = ", ".join(["?"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", map(cells, rows))  # noqa: S608
        finally:
            cursor.close()
        return
    with connection.cursor() as wrapper, wrapper.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(cells(row))


def insert_new(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], key: str) -> dict:
    """Insert the rows that do not meet a unique constraint (``ON CONFLICT DO NOTHING``);
    returns {value of the ``key`` column: new id} for the rows inserted (the others are left to
    the caller, who reads the stored ones)."""
    if not rows:
        return {}
    qn = connection.ops.quote_name
    suffix = (
        f" ON CONFLICT DO NOTHING RETURNING {qn(model._meta.pk.column)}, "
        f"{qn(model._meta.get_field(key).column)}"
    )
    return {value: pk for pk, value in _execute(model, columns, rows, suffix)}


def columns_of(model: type[models.Model]) -> tuple[str, ...]:
    """Every concrete column of ``model`` except a database-generated primary key."""
    auto = (models.AutoField, models.BigAutoField, models.SmallAutoField)
    return tuple(
        f.attname for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, auto))
    )


def insert_instances(objs: Sequence[models.Model], columns: Sequence[str] | None = None) -> None:
    """Insert unsaved instances of one model (every column of ``columns_of`` unless ``columns``
    names fewer) and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    columns = columns or columns_of(model)
    rows = [tuple(getattr(obj, name) for name in columns) for obj in objs]
    for obj, pk in zip(objs, insert_rows(model, columns, rows, returning=True), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


BULK_CACHE_KIB = 65_536


@contextmanager
def bulk_cache():
    """On SQLite, this connection keeps up to ``BULK_CACHE_KIB`` KiB of database pages in its
    cache within the block (SQLite's default is 2 MiB), then returns to what it had. A chunk of ten thousand
    responses touches pages all over the tables' indexes; with the default cache they are written
    out and read back within the chunk. Measured on a 100,000-row import: commit 24.5 s → 19.6 s
    (benchmarks/README.md). The memory is the job's for its duration, and flat. Elsewhere
    (PostgreSQL's buffers are the server's) it does nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        if connection.connection is not None:  # still the connection the cache was set on
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(before)}")
