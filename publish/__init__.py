"""publish: a Markdown manuscript in, a standards-clean EPUB 3 and a print-ready PDF out."""

__version__ = "0.1.0"
