"""Reading the PDFs the pages give back: page 1 rendered to PNG, and the text of every page
(pypdfium2), with the non-breaking spaces made plain for the assertions."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium


def pdf_text(content: bytes) -> str:
    pdf = pdfium.PdfDocument(content)
    try:
        parts = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        text = "\n".join(parts)
    finally:
        pdf.close()
    return " ".join(text.replace("\u00a0", " ").replace("\r", " ").split())


def page_count(content: bytes) -> int:
    pdf = pdfium.PdfDocument(content)
    try:
        return len(pdf)
    finally:
        pdf.close()


def render_first_page(content: bytes, path: Path, scale: float = 1.5) -> Path:
    """Page 1 as a PNG at `path`; returns the path."""
    pdf = pdfium.PdfDocument(content)
    try:
        page = pdf[0]
        image = page.render(scale=scale).to_pil()
        image.save(path)
        page.close()
    finally:
        pdf.close()
    return path
