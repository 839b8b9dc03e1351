"""The book's identifier (an ISBN checked, a UUID, a URN or a URL, else a stable UUID made from the title and
authors) and slugs: the file names and ids made from titles."""

from __future__ import annotations

import re
import unicodedata
import uuid

from publish.model import Creator

ISBN = re.compile(r"^(?:urn:isbn:|isbn:?\s*)?([0-9][0-9 -]{8,15}[0-9Xx])$", re.IGNORECASE)


def identifier(value: str | None, title: str, creators: tuple[Creator, ...]) -> tuple[str, str | None]:
    """The identifier as written into the outputs, and what is wrong with `value` (None if nothing)."""
    if value is None:
        # Stable across builds, so readers' libraries treat a rebuild as the same book.
        seed = "|".join([title, *(c.name for c in creators)])
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'publish:' + seed)}", None
    isbn = ISBN.match(value)
    if isbn:
        digits = isbn.group(1).replace("-", "").replace(" ", "").upper()
        wrong = f"identifier '{value}' is not a valid ISBN (its check digit is wrong)"
        return f"urn:isbn:{digits}", None if _isbn_checksum_ok(digits) else wrong
    try:
        return f"urn:uuid:{uuid.UUID(value.removeprefix('urn:uuid:'))}", None
    except ValueError:
        pass
    if re.match(r"^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", value, re.IGNORECASE) or re.match(r"^https?://\S+$", value):
        return value, None
    return value, f"identifier '{value}' must be a URN (urn:...), a UUID, an ISBN or a URL"


def _isbn_checksum_ok(digits: str) -> bool:
    if len(digits) == 13 and digits.isdigit():
        return sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0
    if len(digits) == 10 and digits[:9].isdigit():
        values = [int(d) for d in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
        return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0
    return False


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
