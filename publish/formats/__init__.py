"""The output formats this tool builds. A new format is a module here and one line below."""

from publish.formats.epub.package import EPUB
from publish.formats.html import HTML
from publish.formats.pdf import PDF
from publish.formats.print_cover import COVER
from publish.formats.registry import Registry

FORMATS = Registry([EPUB, PDF, HTML, COVER])
