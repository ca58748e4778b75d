"""PDF -> captioned figures, panels and table captions (pypdfium2, no torch)."""

from litclip.corpus.extract.document import extract_document, extract_pdf, open_pdf

__all__ = ["extract_document", "extract_pdf", "open_pdf"]
