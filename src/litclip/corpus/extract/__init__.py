"""PDF -> captioned figures, panels and table captions (pypdfium2, no torch).

``extract_pdf`` does the layout analysis; ``iter_figures`` streams rendered crops for the
corpus pipeline (upright); ``render_figure``/``render_panels``/``native_image`` work on an open
document, in page space (``upright(crop, fig.turn)`` turns a sideways figure's crop).
"""

from litclip.corpus.extract.captions import clean_caption_text, parse_label, split_caption
from litclip.corpus.extract.document import extract_document, extract_pdf, open_pdf
from litclip.corpus.extract.render import (
    iter_figures,
    native_image,
    render_figure,
    render_panels,
    upright,
)

__all__ = [
    "clean_caption_text",
    "extract_document",
    "extract_pdf",
    "iter_figures",
    "native_image",
    "open_pdf",
    "parse_label",
    "render_figure",
    "render_panels",
    "split_caption",
    "upright",
]
