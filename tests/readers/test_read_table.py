import codecs
import io
import tracemalloc

import openpyxl
import pytest

from openxm.readers import ReadError, read_table

ZH = [
    ["姓名", "评分", "评论"],
    ["张伟", "5", "服务很好，下次还来"],
    ["李娜", "3", "一般"],
    ["王芳", "1", "太慢了"],
]
FR = [
    ["nom", "note", "commentaire"],
    ["Zoë", "5", "Très bien – café crème"],
    ["Jürgen", "4", "Größe ok – 5 €"],
]
KO = [
    ["이름", "점수", "의견"],
    ["김민수", "5", "키오스크가 빠르고 편리합니다"],
    ["이서연", "4", "화면이 크고 보기 좋아요 감사합니다"],
    ["박지훈", "2", "대기 시간이 너무 길었습니다"],
]


def _write(path, rows, encoding, delimiter=",", bom=b""):
    text = "".join(delimiter.join(row) + "\r\n" for row in rows)
    path.write_bytes(bom + text.encode(encoding))
    return path


# (case, rows, how the file is written, BOM, detected encoding)
ENCODING_CASES = [
    ("utf-8 Chinese", ZH, "utf-8", b"", "utf-8"),
    ("utf-8 with BOM (Excel 'CSV UTF-8')", ZH, "utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("GB18030", ZH, "gb18030", b"", "gb18030"),
    ("GBK as Chinese Excel writes it", ZH, "gbk", b"", "gb18030"),
    ("Windows-1252", FR, "cp1252", b"", "cp1252"),
    ("UTF-16 (Excel 'Unicode text')", FR, "utf-16", b"", "utf-16"),
    ("CP949 (Korean Excel)", KO, "cp949", b"", "cp949"),
    ("utf-8 Korean", KO, "utf-8", b"", "utf-8"),
]


@pytest.mark.parametrize(("case", "rows", "written", "bom", "detected"), ENCODING_CASES)
def test_encoding_detection_round_trips_every_cell(tmp_path, case, rows, written, bom, detected):
    path = _write(tmp_path / "answers.csv", rows, written, bom=bom)
    table = read_table(path)
    assert table.encoding == detected, case
    assert table.columns == tuple(rows[0])
    assert [list(r.values()) for r in table] == rows[1:]


def test_short_chinese_text_is_still_gb18030(tmp_path):
    # Two-character answers are where statistical detectors guess Korean or Cyrillic.
    path = tmp_path / "short.csv"
    path.write_bytes("满意度\n满意\n一般\n".encode("gbk"))
    table = read_table(path)
    assert table.encoding == "gb18030"
    assert [row["满意度"] for row in table] == ["满意", "一般"]


def test_given_encoding_overrides_detection_and_bad_bytes_name_the_line(tmp_path):
    path = _write(tmp_path / "fr.csv", FR, "cp1252")
    assert [r["nom"] for r in read_table(path, encoding="latin-1")] == ["Zoë", "Jürgen"]
    with pytest.raises(ReadError, match=r"fr\.csv: line 2: byte 0xEB is not valid utf-8"):
        list(read_table(path, encoding="utf-8"))
    with pytest.raises(ReadError, match="unknown text encoding 'klingon'"):
        read_table(path, encoding="klingon")


def test_mostly_utf8_file_with_a_damaged_byte_is_an_error_not_mojibake(tmp_path):
    rows = [["id", "comment"]] + [[str(i), "服务很好"] for i in range(60)]
    data = bytearray("".join(",".join(r) + "\n" for r in rows).encode("utf-8"))
    line_50 = data.index(b"\n49,") + 4
    data[line_50] = 0xFF
    path = tmp_path / "damaged.csv"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match=r"damaged\.csv: line 51: .*not valid UTF-8"):
        read_table(path)


# (case, file name, content, delimiter)
DELIMITER_CASES = [
    ("comma", "a.csv", "id,score,city\n1,5,Paris\n2,4,Lyon\n", ","),
    (
        "semicolon with commas in cells",
        "a.csv",
        "id;score;city\n1;4,5;Paris, France\n2;3,0;Lyon, France\n",
        ";",
    ),
    ("tab", "a.txt", "id\tscore\tcity\n1\t5\tParis\n2\t4\tLyon\n", "\t"),
    ("pipe", "a.txt", "id|score|city\n1|5|Paris\n2|4|Lyon\n", "|"),
    ("tsv with commas in text", "a.tsv", "id\tcomment\n1\tgood, fast\n2\tslow, rude\n", "\t"),
    ("quoted delimiters", "a.csv", 'id,comment,x\n1,"a;b;c;d",1\n2,"e;f;g;h",2\n', ","),
]


@pytest.mark.parametrize(("case", "filename", "content", "delimiter"), DELIMITER_CASES)
def test_delimiter_detection(tmp_path, case, filename, content, delimiter):
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == delimiter, case
    rows = list(table)
    assert len(rows) == 2 and len(table.columns) == content.splitlines()[0].count(delimiter) + 1


def test_single_column_file_and_explicit_delimiter(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("comment\nfine\ngood\n", encoding="utf-8")
    assert [r["comment"] for r in read_table(path)] == ["fine", "good"]
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    assert read_table(path, delimiter="comma").columns == ("a;b",)
    assert read_table(path, delimiter=";").columns == ("a", "b")


def test_quoted_multiline_cells_keep_their_lines_and_rows_know_where_they_start(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('id,comment\n1,"line one\nline two"\n2,"He said ""hi"""\n', encoding="utf-8")
    rows = list(read_table(path).rows_with_lines())
    assert rows == [
        (2, {"id": "1", "comment": "line one\nline two"}),
        (4, {"id": "2", "comment": 'He said "hi"'}),
    ]


def test_ragged_rows_padded_and_reported_and_overlong_rows_rejected(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2\n\n,,\n4,5,6,,\n7,8,9\n", encoding="utf-8")
    table = read_table(path)
    rows = list(table)
    assert rows == [
        {"a": "1", "b": "2", "c": ""},
        {"a": "4", "b": "5", "c": "6"},
        {"a": "7", "b": "8", "c": "9"},
    ]
    assert [str(issue) for issue in table.issues] == ["line 2: the row has 2 of 3 fields; padded with blanks"]
    path.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"ragged\.csv: line 3: the row has 3 fields but the header has 2"):
        list(read_table(path))


def test_header_names_are_made_distinct_and_header_false_numbers_columns(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("\n q , ,q,q\n1,2,3,4\n", encoding="utf-8")
    table = read_table(path)
    assert table.columns == ("q", "column_2", "q (2)", "q (3)")
    assert len(table.issues) == 3 and all(issue.line == 2 for issue in table.issues)
    assert list(read_table(path, header=False))[0] == {
        "column_1": " q ",
        "column_2": " ",
        "column_3": "q",
        "column_4": "q",
    }


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"", "empty.csv", "empty"),
        (b"\xd0\xcf\x11\xe0rest", "old.xls", "legacy .xls"),
        (b"a,b\n1,2\n", "fake.xlsx", "not an XLSX"),
        (b"PK\x03\x04garbage", "broken.xlsx", "not a readable XLSX"),
    ],
)
def test_unreadable_files_name_the_file(tmp_path, content, name, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=fragment) as caught:
        read_table(path)
    assert str(caught.value).startswith(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        read_table(tmp_path / "nope.csv")


def test_binary_stream_source_is_read_and_left_open():
    stream = io.BytesIO("评分\n5\n4\n".encode("gbk"))
    table = read_table(stream)
    assert [r["评分"] for r in table] == ["5", "4"]
    assert [r["评分"] for r in table] == ["5", "4"]  # a second pass reads again
    assert not stream.closed
    with pytest.raises(TypeError, match="'rb'"):
        read_table(io.StringIO("a\n1\n"))


def test_to_dataframe(tmp_path):
    path = _write(tmp_path / "zh.csv", ZH, "gbk")
    frame = read_table(path).to_dataframe()
    assert list(frame.columns) == ZH[0]
    assert frame["评论"].tolist() == ["服务很好，下次还来", "一般", "太慢了"]


def _workbook(path, sheets):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_streams_native_values_and_picks_sheets(tmp_path):
    path = _workbook(
        tmp_path / "survey.xlsx",
        {
            "Notes": [["just notes"]],
            "Answers": [
                [None],
                ["id", "NPS", "评论", None],
                [1, 9, "很好"],
                [None, None, None],
                [2, 3.0, None, "stray"],
            ],
        },
    )
    table = read_table(path, sheet="Answers")
    assert (table.format, table.sheet, table.encoding, table.delimiter) == ("xlsx", "Answers", None, None)
    assert table.columns == ("id", "NPS", "评论")
    assert list(table.rows_with_lines()) == [
        (3, {"id": 1, "NPS": 9, "评论": "很好"}),
        (5, {"id": 2, "NPS": 3, "评论": ""}),
    ]
    assert [str(i) for i in table.issues] == ["line 5: values right of column 3 have no header; ignored"]
    assert read_table(path, sheet=1).columns == ("id", "NPS", "评论")
    assert read_table(path).columns == ("just notes",)
    with pytest.raises(ReadError, match="no sheet named 'Missing'; sheets: 'Notes', 'Answers'"):
        read_table(path, sheet="Missing")
    with pytest.raises(ReadError, match="out of range"):
        read_table(path, sheet=5)


def test_xlsx_from_a_stream(tmp_path):
    path = _workbook(tmp_path / "s.xlsx", {"S": [["a", "b"], [1, 2]]})
    stream = io.BytesIO(path.read_bytes())
    assert list(read_table(stream)) == [{"a": 1, "b": 2}]


def _peak_while_reading(path):
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_table(path))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_file(tmp_path):
    comment = "x" * 180
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    for path, n in ((small, 2_000), (large, 30_000)):
        with path.open("w", encoding="utf-8") as handle:
            handle.write("id,score,comment\n")
            for i in range(n):
                handle.write(f'{i},{i % 11},"{comment} {i}"\n')
    small_count, small_peak = _peak_while_reading(small)
    large_count, large_peak = _peak_while_reading(large)
    assert (small_count, large_count) == (2_000, 30_000)
    size = large.stat().st_size
    assert size > 5_000_000
    # Peak is set by the 1 MiB detection chunk, not by the 5.6 MB file or its 30,000 rows.
    assert large_peak < small_peak + 2_500_000


def test_columns_resolve_by_name_or_position(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,1-1. 키오스크는 빠르다, 그리고 쉽다\n1,7,x\n", encoding="utf-8")
    table = read_table(path)
    assert table.resolve("id") == "id"
    assert table.resolve(" id ") == "id"
    assert table.resolve("#2") == "1-1. 키오스크는 빠르다"
    with pytest.raises(ReadError, match="column #4 does not exist"):
        table.resolve("#4")
    with pytest.raises(ReadError, match=r"no column 'ID'; columns: 'id'"):
        table.resolve("ID")


@pytest.mark.parametrize(
    ("content", "message", "translated"),
    [
        (b"", "x.csv: the file is empty (no header row)", "x.csv|FILE: [the file is empty (no header row)]"),
        (
            b"a,b\n1,2,3\n",
            "x.csv: line 2: the row has 3 fields but the header has 2; extra values ['3'] have no column "
            "(an unquoted ',' inside a cell?)",
            "x.csv|LINE 2: [the row has %(fields)d fields but the header has %(width)d; extra values "
            "%(extra)r have no column (an unquoted %(delimiter)s inside a cell?)]",
        ),
    ],
)
def test_read_errors_are_templates_a_ui_translates(tmp_path, content, message, translated):
    """str() is English; message_in() runs every template through the caller's gettext."""
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        table = read_table(path)
        list(table)
    error = caught.value
    assert error.message_in(lambda text: text, file="x.csv") == message

    def marked(text: str) -> str:  # a "translation" that shows what was looked up
        if text == "%(file)s: %(problem)s":
            return "%(file)s|FILE: %(problem)s"
        if text == "%(file)s: line %(line)s: %(problem)s":
            return "%(file)s|LINE %(line)s: %(problem)s"
        return "[" + text.replace("%", "%%") + "]"

    assert error.message_in(marked, file="x.csv") == translated


def test_utf16_text_cut_mid_character_is_a_read_error():
    import io

    from openxm.readers import ReadError, read_table

    blob = "a,b\n1,2\n".encode("utf-16")[:-1]  # an odd number of bytes
    with pytest.raises(ReadError, match="not valid"):
        list(read_table(io.BytesIO(blob), encoding="utf-16"))
    with pytest.raises(ReadError, match="not valid"):
        list(read_table(io.BytesIO(b"\x00" + "a,b\n".encode("utf-16-le")), encoding="utf-16"))
