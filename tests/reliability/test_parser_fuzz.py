"""Hypothesis against the parsers of outside input (bounded examples): each answers with its
own clear error or a result, never another exception. Survey definitions (JSON, YAML and
mappings), uploaded tables (broken encodings, ragged rows, NUL bytes, formula and huge cells,
truncated or fake XLSX), answer conditions, period parameters and X-Forwarded-For.
"""

import csv
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openxm.accounts.errors import InvalidInput
from openxm.readers import ReadError, read_table
from openxm.surveys.definition.codec import load_definition
from openxm.surveys.definition.errors import DefinitionError
from openxm.utils.forwarded import client_address, parse_networks

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
keys = st.sampled_from(
    ["id", "type", "title", "pages", "questions", "languages", "logic", "scale", "choices", "show_if"]
)
definitions = st.dictionaries(keys, json_values, max_size=6)


@BOUNDED
@given(st.one_of(st.text(max_size=300), definitions))
def test_survey_definitions_parse_or_name_their_problems(source):
    try:
        load_definition(source)
    except DefinitionError as exc:
        assert exc.errors, "a DefinitionError must name at least one problem"


@BOUNDED
@given(
    st.lists(st.lists(st.text(max_size=40), max_size=8), min_size=1, max_size=12),
    st.sampled_from(["utf-8", "utf-16", "gb18030", "latin-1", "utf-8-sig"]),
    st.sampled_from([",", ";", "\t", "|"]),
    st.binary(max_size=40),
)
def test_uploaded_tables_read_or_fail_with_a_read_error(rows, encoding, delimiter, noise):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:  # ragged on purpose
        writer.writerow(row)
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buffer.getvalue().encode("utf-8", errors="surrogatepass")
    for blob in (data, data + noise, noise + data, data.replace(b",", b"\x00")):
        try:
            table = read_table(io.BytesIO(blob))
            for _row in table:
                pass
        except ReadError:
            pass


def test_huge_cells_and_formulas_are_read_as_text():
    blob = ("a,b\n" + "=cmd|' /C calc'!A0," + "x" * 2_000_000 + "\n").encode()
    try:
        rows = list(read_table(io.BytesIO(blob)))
    except ReadError:
        return
    assert rows and str(rows[0]["a"]).startswith("=cmd")


@BOUNDED
@given(st.binary(max_size=300))
def test_fake_and_truncated_xlsx_is_a_read_error(noise):
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", noise.decode("latin-1"))
    for blob in (b"PK\x03\x04" + noise, good.getvalue(), good.getvalue()[: len(good.getvalue()) // 2]):
        with pytest.raises(ReadError):
            list(read_table(io.BytesIO(blob)))


@BOUNDED
@given(st.text(max_size=60))
def test_answer_conditions_parse_or_name_the_field(text):
    from openxm.responses.filters import parse_condition

    try:
        parse_condition(text)
    except InvalidInput as exc:
        assert exc.field == "answer"


@BOUNDED
@given(st.one_of(st.text(max_size=12), st.from_regex(r"\A-?[0-9]{1,30}d\Z")))
def test_periods_parse_or_name_the_field(period):
    from datetime import date

    from openxm.insights.params import period_range

    try:
        start, end = period_range(period, date(2026, 3, 31))
    except InvalidInput as exc:
        assert exc.field == "period"
    else:
        assert start <= end


@BOUNDED
@given(st.text(max_size=80), st.text(max_size=20))
def test_forwarded_for_never_raises(header, remote):
    networks = parse_networks(("10.0.0.0/8",))
    assert isinstance(client_address(remote, header, networks), str)
    assert client_address("10.0.0.1", header, networks)
