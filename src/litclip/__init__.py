"""litclip: a medical journal's PDFs -> a domain-specific CLIP model, with the evidence of its worth.

Stages (each a package with typed functions; the CLI in :mod:`litclip.cli` is a thin layer):
:mod:`litclip.corpus`, :mod:`litclip.train`, :mod:`litclip.evaluate`, :mod:`litclip.serve`,
over the shared :mod:`litclip.models` and :mod:`litclip.data`; :mod:`litclip.workflow` chains
them (``litclip run`` / ``litclip demo``).
"""

__version__ = "0.1.0"
