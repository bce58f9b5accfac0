"""A small PDF layer for the hub's law-enforcement documents (执法文书).

A `Sheet` lays out one A4 document top to bottom: a centred title, a document number, labelled
lines, headed sections of wrapped paragraphs, a table of rows, an embedded image (the party's
drawn signature) and a footer with page numbers. Chinese text uses the PDF standard CID font
`STSong-Light` (Adobe-GB1), so no font file ships with the hub and the text stays real, searchable
PDF text. Output is deterministic: reportlab's invariant mode fixes the file identifier, and the
creation date is the document's own date, so the same input gives the same bytes (and the same SM3).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
CHINA = timezone(timedelta(hours=8))
WIDTH, HEIGHT = A4
MARGIN = 56.0
BODY = 11.0
LEADING = 17.0

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def clean(text: object) -> str:
    """Text the CID font can carry: no control characters, nothing outside the BMP (UCS-2)."""
    out = []
    for ch in "" if text is None else str(text):
        if ch in "\t\n":
            out.append(" ")
        elif ord(ch) > 0xFFFF or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append("□")
        else:
            out.append(ch)
    return "".join(out).strip()


def wrap(text: str, width: float, size: float = BODY) -> list[str]:
    """Split text into lines no wider than `width` points (Chinese breaks anywhere; Latin words kept whole)."""
    lines: list[str] = []
    for para in clean(text).split("\n") if text else [""]:
        line = ""
        for token in _tokens(para):
            candidate = line + token
            if pdfmetrics.stringWidth(candidate, FONT, size) <= width or not line:
                line = candidate
                while pdfmetrics.stringWidth(line, FONT, size) > width and len(line) > 1:
                    cut = _fit(line, width, size)
                    lines.append(line[:cut])
                    line = line[cut:]
            else:
                lines.append(line.rstrip())
                line = token.lstrip()
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> Iterable[str]:
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            yield word
            word = ""
        yield ch
    if word:
        yield word


def _fit(text: str, width: float, size: float) -> int:
    cut = 1
    while cut < len(text) and pdfmetrics.stringWidth(text[: cut + 1], FONT, size) <= width:
        cut += 1
    return cut


class Sheet:
    """One document being drawn; `finish()` returns the PDF bytes."""

    def __init__(self, title: str, dated: datetime, *, subject: str = "", author: str = "") -> None:
        self._buffer = io.BytesIO()
        self._pdf = canvas.Canvas(self._buffer, pagesize=A4, invariant=1, pageCompression=1)
        stamp = dated.astimezone(CHINA) if dated.tzinfo else dated.replace(tzinfo=CHINA)
        self._pdf.setDateFormatter(lambda *_: stamp.strftime("D:%Y%m%d%H%M%S+08'00'"))
        self._pdf.setTitle(clean(title))
        self._pdf.setSubject(clean(subject))
        self._pdf.setAuthor(clean(author))
        self._pdf.setCreator("Enforcement Hub")
        self._pdf.setProducer("Enforcement Hub")
        self._page = 1
        self._y = HEIGHT - MARGIN
        self._pdf.setFont(FONT, BODY)

    # -- layout primitives -------------------------------------------------------------
    def _need(self, height: float) -> None:
        if self._y - height < MARGIN + 24:
            self._footer()
            self._pdf.showPage()
            self._page += 1
            self._y = HEIGHT - MARGIN

    def _footer(self) -> None:
        self._pdf.setFont(FONT, 9)
        self._pdf.drawCentredString(WIDTH / 2, MARGIN - 20, f"第 {self._page} 页")

    def title(self, text: str, number: str = "") -> None:
        self._need(60)
        self._pdf.setFont(FONT, 20)
        self._pdf.drawCentredString(WIDTH / 2, self._y - 20, clean(text))
        self._y -= 34
        if number:
            self._pdf.setFont(FONT, BODY)
            self._pdf.drawCentredString(WIDTH / 2, self._y - 12, clean(number))
            self._y -= 20
        self._y -= 10

    def line(self, label: str, value: object, blank: bool = False) -> None:
        """A labelled line: `label：value`, the value wrapped under itself (`blank`: a line to write on)."""
        head = clean(label) + "："
        indent = pdfmetrics.stringWidth(head, FONT, BODY)
        text = clean(value) or ("_" * 24 if blank else "—")
        rows = wrap(text, WIDTH - 2 * MARGIN - indent)
        self._need(LEADING * min(len(rows), 3))
        self._pdf.setFont(FONT, BODY)
        self._pdf.drawString(MARGIN, self._y - BODY, head)
        for row in rows:
            self._need(LEADING)
            self._pdf.drawString(MARGIN + indent, self._y - BODY, row)
            self._y -= LEADING

    def heading(self, text: str) -> None:
        self._need(LEADING * 3)
        self._y -= 6
        self._pdf.setFont(FONT, 13)
        self._pdf.drawString(MARGIN, self._y - 13, clean(text))
        self._y -= LEADING + 4
        self._pdf.setFont(FONT, BODY)

    def paragraph(self, text: str, indent: bool = True) -> None:
        """Wrapped body text; a first-line indent of two characters, as Chinese documents are set."""
        lead = "\u3000\u3000" if indent else ""
        for row in wrap(lead + clean(text), WIDTH - 2 * MARGIN):
            self._need(LEADING)
            self._pdf.setFont(FONT, BODY)
            self._pdf.drawString(MARGIN, self._y - BODY, row)
            self._y -= LEADING

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]) -> None:
        """A ruled table; `widths` are fractions of the text width, cells wrap inside their column."""
        total = WIDTH - 2 * MARGIN
        cols = [total * w / sum(widths) for w in widths]
        table: list[list[object]] = [list(headers), *[list(r) for r in rows]]
        for index, row in enumerate(table):
            cells: list[list[str]] = [wrap(clean(c) or "—", cols[i] - 8) for i, c in enumerate(row)]
            height = LEADING * max(len(c) for c in cells) + 6
            self._need(height)
            x = MARGIN
            top = self._y
            self._pdf.setFont(FONT, BODY)
            for i, cell in enumerate(cells):
                self._pdf.rect(x, top - height, cols[i], height, stroke=1, fill=0)
                for n, text in enumerate(cell):
                    self._pdf.drawString(x + 4, top - 4 - BODY - n * LEADING, text)
                x += cols[i]
            self._y = top - height
            if index == 0:
                self._pdf.setLineWidth(1)
        self._y -= 8

    def image(self, label: str, png: bytes, width: float = 200, height: float = 80) -> None:
        """An embedded picture (a drawn signature) after its label, scaled into width × height."""
        reader = ImageReader(io.BytesIO(png))
        iw, ih = reader.getSize()
        scale = min(width / max(iw, 1), height / max(ih, 1))
        w, h = iw * scale, ih * scale
        self._need(h + LEADING)
        self._pdf.setFont(FONT, BODY)
        head = clean(label) + "："
        self._pdf.drawString(MARGIN, self._y - BODY, head)
        left = MARGIN + pdfmetrics.stringWidth(head, FONT, BODY)
        self._pdf.drawImage(reader, left, self._y - h, width=w, height=h, mask="auto")
        self._pdf.rect(left, self._y - h, w, h, stroke=1, fill=0)
        self._y -= h + 8

    def space(self, points: float = LEADING) -> None:
        self._y -= points

    def signoff(self, lines: Sequence[str]) -> None:
        """Right-aligned closing lines (the body's name, the date)."""
        self._need(LEADING * (len(lines) + 1))
        self._y -= LEADING
        self._pdf.setFont(FONT, BODY)
        for text in lines:
            self._pdf.drawRightString(WIDTH - MARGIN, self._y - BODY, clean(text))
            self._y -= LEADING

    def finish(self) -> bytes:
        self._footer()
        self._pdf.showPage()
        self._pdf.save()
        return self._buffer.getvalue()
