"""EPUB 3: the package, the print page list and the reproducible zip container."""
