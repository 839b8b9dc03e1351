"""Markdown to format-neutral XHTML: the content model, headings, notes, images and links, ids unique across the
book."""
