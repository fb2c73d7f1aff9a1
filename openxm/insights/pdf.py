"""A small PDF writer for reports: headings, text, tables and bar/line charts on A4 pages.

No dependency: PDF 1.4 written by hand. Latin text uses the standard Helvetica font; text with
Chinese characters uses Adobe's predefined ``STSong-Light`` CID font (encoding UniGB-UCS2-H),
which PDF readers provide without embedding (Acrobat, pdf.js, Preview, Chrome, Evince with
poppler-data). Characters outside the Basic Multilingual Plane are written as "?".
"""

import zlib
from dataclasses import dataclass, field

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN = 42
COLORS = [(0.14, 0.34, 0.84), (0.07, 0.72, 0.42), (0.97, 0.56, 0.04), (0.48, 0.35, 0.97)]


def _latin(text: str) -> bool:
    return all(ord(c) < 256 for c in text)


def _runs(text: str) -> list[tuple[bool, str]]:
    """(is Latin-1, text) runs of ``text``."""
    out: list[tuple[bool, str]] = []
    for c in text:
        latin = ord(c) < 256
        if out and out[-1][0] == latin:
            out[-1] = (latin, out[-1][1] + c)
        else:
            out.append((latin, c))
    return out


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def _width(text: str, size: float) -> float:
    return sum(size * (0.55 if ord(c) < 256 else 1.0) for c in text)


def _fit(text: str, size: float, width: float) -> str:
    if _width(text, size) <= width:
        return text
    while text and _width(text + "...", size) > width:
        text = text[:-1]
    return text + "..."


@dataclass
class Document:
    title: str = "report"
    pages: list[list[str]] = field(default_factory=list)
    y: float = 0.0

    def __post_init__(self):
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - MARGIN

    def _need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.new_page()

    @property
    def ops(self) -> list[str]:
        return self.pages[-1]

    def text_at(
        self, x: float, y: float, text: str, size: float = 10, bold: bool = False, gray: float = 0
    ) -> None:
        """One line of text; Latin runs in Helvetica, other runs in the CJK font (the text position
        advances by the real glyph widths between runs)."""
        parts = [f"BT {gray:.2f} g {x:.2f} {y:.2f} Td"]
        for latin, run in _runs(text):
            if latin:
                parts.append(f"/{'F2' if bold else 'F1'} {size:.1f} Tf ({_escape(run)}) Tj")
            else:
                chars = "".join(c if ord(c) < 0x10000 else "?" for c in run)
                parts.append(f"/F3 {size:.1f} Tf <{chars.encode('utf-16-be').hex()}> Tj")
        parts.append("ET")
        self.ops.append(" ".join(parts))

    def heading(self, text: str, size: float = 16) -> None:
        self._need(size + 14)
        self.y -= size + 6
        self.text_at(MARGIN, self.y, _fit(text, size, PAGE_W - 2 * MARGIN), size, bold=True)
        self.y -= 6

    def paragraph(self, text: str, size: float = 10, gray: float = 0) -> None:
        width = PAGE_W - 2 * MARGIN
        words = text.split(" ") if _latin(text) else list(text)
        line = ""
        joiner = " " if _latin(text) else ""
        for word in words:
            candidate = (line + joiner + word) if line else word
            if _width(candidate, size) > width and line:
                self._line(line, size, gray)
                line = word
            else:
                line = candidate
        if line:
            self._line(line, size, gray)
        self.y -= 4

    def _line(self, text: str, size: float, gray: float) -> None:
        self._need(size + 4)
        self.y -= size + 3
        self.text_at(MARGIN, self.y, text, size, gray=gray)

    def table(self, header: list[str], rows: list[list], size: float = 8, max_rows: int = 40) -> None:
        if not header:
            return
        width = PAGE_W - 2 * MARGIN
        col = width / len(header)
        shown = rows[:max_rows]
        for r, row in enumerate([header, *shown]):
            self._need(size + 6)
            self.y -= size + 5
            if r == 0:
                self.ops.append(f"0.95 g {MARGIN:.2f} {self.y - 3:.2f} {width:.2f} {size + 6:.2f} re f")
            for i, cell in enumerate(row[: len(header)]):
                text = "" if cell is None else (f"{cell:g}" if isinstance(cell, float) else str(cell))
                self.text_at(MARGIN + i * col + 2, self.y, _fit(text, size, col - 4), size, bold=r == 0)
        if len(rows) > max_rows:
            self.paragraph(f"... {len(rows) - max_rows} more rows in the CSV attachment", 8, 0.4)
        self.y -= 6

    def bars(self, labels: list[str], values: list, size: float = 8) -> None:
        """Horizontal bars, one per label (None values are left blank)."""
        present = [abs(v) for v in values if v is not None]
        if not present:
            return
        top = max(present) or 1.0
        label_w = 150
        bar_w = PAGE_W - 2 * MARGIN - label_w - 40
        zero = MARGIN + label_w + (bar_w / 2 if any(v is not None and v < 0 for v in values) else 0)
        scale = (bar_w / 2 if zero > MARGIN + label_w else bar_w) / top
        for label, value in zip(labels, values, strict=True):
            self._need(14)
            self.y -= 13
            self.text_at(MARGIN, self.y, _fit(str(label), size, label_w - 6), size)
            if value is None:
                self.text_at(zero + 2, self.y, "—", size, gray=0.5)
                continue
            length = value * scale
            x = zero if length >= 0 else zero + length
            r, g, b = COLORS[0]
            self.ops.append(f"{r} {g} {b} rg {x:.2f} {self.y - 2:.2f} {abs(length):.2f} 10 re f")
            self.text_at(zero + max(length, 0) + 3, self.y, f"{value:g}", size)
        self.y -= 8

    def line_chart(self, labels: list[str], series: list[tuple[str, list]], height: float = 120) -> None:
        points = [v for _, values in series for v in values if v is not None]
        if not points or len(labels) < 2:
            return
        self._need(height + 30)
        low, high = min(points), max(points)
        if high == low:
            high, low = high + 1, low - 1
        left, width = MARGIN + 30, PAGE_W - 2 * MARGIN - 40
        base = self.y - height - 10
        self.ops.append(f"0.8 G 0.5 w {left:.2f} {base:.2f} m {left + width:.2f} {base:.2f} l S")
        self.text_at(MARGIN, base + height - 8, f"{high:g}", 7, gray=0.4)
        self.text_at(MARGIN, base, f"{low:g}", 7, gray=0.4)
        step = width / (len(labels) - 1)
        for k, (name, values) in enumerate(series):
            r, g, b = COLORS[k % len(COLORS)]
            path, drawing = [], False
            for i, v in enumerate(values):
                if v is None:
                    drawing = False
                    continue
                x, y = left + i * step, base + (v - low) / (high - low) * height
                path.append(f"{x:.2f} {y:.2f} {'l' if drawing else 'm'}")
                drawing = True
            if path:
                self.ops.append(f"{r} {g} {b} RG 1.2 w " + " ".join(path) + " S")
            self.text_at(left + 4 + 90 * k, base + height + 4, name, 8)
        self.text_at(left, base - 10, labels[0], 7, gray=0.4)
        self.text_at(left + width - _width(labels[-1], 7), base - 10, labels[-1], 7, gray=0.4)
        self.y = base - 18

    def render(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        catalog = add(b"")  # filled below
        pages_id = add(b"")
        f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        descendant = add(
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
            b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
            b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
            b"/CapHeight 880 /StemV 93 >> "
            b"/DW 1000 /W [1 95 500 814 939 500] >>"
        )
        f3 = add(
            f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H "
            f"/DescendantFonts [{descendant} 0 R] >>".encode()
        )
        resources = f"<< /Font << /F1 {f1} 0 R /F2 {f2} 0 R /F3 {f3} 0 R >> >>"
        kids = []
        for n, ops in enumerate(self.pages, start=1):
            footer = (
                f"BT 0.5 g /F1 7 Tf {MARGIN} 20 Td ({_escape(self.title[:80]) if _latin(self.title) else ''}"
            )
            footer += f"  {n}/{len(self.pages)}) Tj ET"
            stream = zlib.compress("\n".join([*ops, footer]).encode("latin-1"))
            content = add(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
            )
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                    f"/Resources {resources} /Contents {content} 0 R >>".encode()
                )
            )
        objects[pages_id - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
        )
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
        out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\n".encode()
        out += f"startxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)
