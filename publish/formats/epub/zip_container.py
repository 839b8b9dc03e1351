"""The EPUB's zip container, written here rather than by zipfile for one reason: an entry whose content has not
changed since the previous build takes its deflated bytes from that build's archive. Deflating a long book's
text is most of what an EPUB rebuild would otherwise cost; the entries that did change are deflated in threads
(zlib lets go of the GIL). Every entry has the same time and attributes, so the same entries give the same bytes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
END_OF_CENTRAL_DIRECTORY = struct.Struct("<IHHHHIIH")
VERSION = 20  # 2.0: deflate, no zip64
UNIX = 3
UTF8_NAME = 0x800
DEFLATE_LEVEL = 9
# What deflated the entries: an archive kept by another zlib or level is not reused, so a rebuild gives the bytes a
# fresh build would.
DEFLATER = f"zlib-{zlib.ZLIB_RUNTIME_VERSION}-{DEFLATE_LEVEL}"


def zip_container(entries: list[tuple[str, bytes, bool]], modified: datetime, earlier: bytes | None = None) -> bytes:
    """A zip of (name, data, deflate?) in the order given, every entry stamped `modified`; `earlier` is a zip
    this function made before, whose deflated entries are reused where the content is the same."""
    reusable = _deflated_entries(earlier)
    with ThreadPoolExecutor() as threads:
        bodies = list(threads.map(lambda entry: _body(entry, reusable), entries))
    time, date = _dos_time(modified)
    archive, directory = io.BytesIO(), io.BytesIO()
    for (name, data, deflate), body in zip(entries, bodies):
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else UTF8_NAME
        method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        crc, offset = zlib.crc32(data), archive.tell()
        archive.write(LOCAL_HEADER.pack(0x04034B50, VERSION, flags, method, time, date, crc, len(body), len(data),
                                        len(encoded), 0) + encoded + body)
        directory.write(CENTRAL_HEADER.pack(0x02014B50, UNIX << 8 | VERSION, VERSION, flags, method, time, date, crc,
                                            len(body), len(data), len(encoded), 0, 0, 0, 0, 0o644 << 16, offset)
                        + encoded)
    start = archive.tell()
    archive.write(directory.getvalue())
    archive.write(END_OF_CENTRAL_DIRECTORY.pack(0x06054B50, 0, 0, len(entries), len(entries),
                                                len(directory.getvalue()), start, 0))
    return archive.getvalue()


def _body(entry: tuple[str, bytes, bool], reusable: dict[tuple[str, int, int], bytes]) -> bytes:
    name, data, deflate = entry
    if not deflate:
        return data
    earlier = reusable.get((name, zlib.crc32(data), len(data)))
    if earlier is not None and _inflates_to(earlier, data):
        return earlier
    return _deflate(data)


def _inflates_to(deflated: bytes, data: bytes) -> bool:
    try:
        return zlib.decompress(deflated, -15) == data
    except zlib.error:
        return False


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _deflated_entries(archive: bytes | None) -> dict[tuple[str, int, int], bytes]:
    """(name, CRC, size) -> deflated bytes of each entry of `archive`; nothing when it is absent or unreadable."""
    if not archive:
        return {}
    found = {}
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as source:
            for info in source.infolist():
                if info.compress_type != zipfile.ZIP_DEFLATED:
                    continue
                header = LOCAL_HEADER.unpack_from(archive, info.header_offset)
                start = info.header_offset + LOCAL_HEADER.size + header[9] + header[10]
                found[(info.filename, info.CRC, info.file_size)] = archive[start:start + info.compress_size]
    except (zipfile.BadZipFile, struct.error, ValueError):
        return {}
    return found


def _dos_time(moment: datetime) -> tuple[int, int]:
    """Zip's two-second MS-DOS time and date; it cannot say anything before 1980."""
    moment = max(moment.replace(tzinfo=None), datetime(1980, 1, 1))
    return (moment.hour << 11 | moment.minute << 5 | moment.second // 2,
            (moment.year - 1980) << 9 | moment.month << 5 | moment.day)
