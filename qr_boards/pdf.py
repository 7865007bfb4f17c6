"""A print PDF with one board per page, written as the pages arrive.

Each page is the board's PNG pixels embedded as they are (Flate with PNG predictors, as img2pdf does): no
re-encoding, so writing the PDF costs little more than copying the PNGs, and the print is lossless.
"""

from __future__ import annotations

from types import TracebackType
from typing import BinaryIO

from qr_boards.png import read_png
from qr_boards.spec import PageSize

POINTS_PER_MM = 72 / 25.4


class PdfWriter:
    """`with PdfWriter(file, size) as pdf: pdf.add_png(png_bytes)`, one page per call."""

    def __init__(self, out: BinaryIO, size: PageSize, title: str = "") -> None:
        self.out = out
        self.size = size
        self.title = title
        self.offsets: dict[int, int] = {}
        self.pages: list[int] = []
        self.next_id = 3  # 1 is the catalog, 2 the page tree, written at the end
        self.written = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.written += len(data)

    def _object(self, obj_id: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[obj_id] = self.written
        self._write(f"{obj_id} 0 obj\n".encode() + body)
        if stream is not None:
            self._write(b"\nstream\n")
            self._write(stream)
            self._write(b"\nendstream")
        self._write(b"\nendobj\n")

    def _ids(self, n: int) -> list[int]:
        ids = list(range(self.next_id, self.next_id + n))
        self.next_id += n
        return ids

    def add_png(self, png: bytes) -> None:
        """A page showing the PNG over the whole sheet."""
        image = read_png(png)
        page_id, content_id, image_id = self._ids(3)
        w_pt = self.size.width_mm * POINTS_PER_MM
        h_pt = self.size.height_mm * POINTS_PER_MM
        colorspace = "/DeviceRGB" if image.colors == 3 else "/DeviceGray"
        self._object(
            image_id,
            (
                f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
                f"/ColorSpace {colorspace} /BitsPerComponent {image.bit_depth} /Filter /FlateDecode "
                f"/DecodeParms << /Predictor 15 /Colors {image.colors} /BitsPerComponent {image.bit_depth} "
                f"/Columns {image.width} >> /Length {len(image.idat)} >>"
            ).encode(),
            image.idat,
        )
        content = f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode()
        self._object(content_id, f"<< /Length {len(content)} >>".encode(), content)
        self._object(
            page_id,
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt:.2f} {h_pt:.2f}] "
                f"/Resources << /XObject << /Im0 {image_id} 0 R >> >> /Contents {content_id} 0 R >>"
            ).encode(),
        )
        self.pages.append(page_id)

    def close(self) -> None:
        kids = " ".join(f"{p} 0 R" for p in self.pages)
        self._object(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>".encode())
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        (info_id,) = self._ids(1)
        self._object(info_id, b"<< /Title " + _text_string(self.title) + b" /Producer (dudao) >>")
        xref_at = self.written
        size = self.next_id
        lines = [f"xref\n0 {size}\n".encode(), b"0000000000 65535 f \n"]
        lines += [f"{self.offsets[i]:010d} 00000 n \n".encode() for i in range(1, size)]
        self._write(b"".join(lines))
        self._write(
            f"trailer\n<< /Size {size} /Root 1 0 R /Info {info_id} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
        )

    def __enter__(self) -> PdfWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()


def _text_string(text: str) -> bytes:
    """A PDF text string in UTF-16BE with its byte-order mark, as hex (safe for any characters)."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode() + b">"
