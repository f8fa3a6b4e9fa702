"""What a PDF says: its pages' text, read back with pypdf, so a test checks the numbers a
reader sees rather than only that the bytes start like a PDF."""

import io
import re

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    # Text extraction breaks lines where the layout wraps them; compare words, not lines.
    return re.sub(r"\s+", " ", text)
