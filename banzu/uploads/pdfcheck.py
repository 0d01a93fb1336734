"""The PDF checks of the parse child (banzu.uploads.parsecheck), run only there, under its limits.

Three passes, each bounded:

1. every object reachable from the trailer is visited once (at most MAX_OBJECTS): scripts
   (/JS, /JavaScript), actions that start programs, fetch or submit data or open other files
   (/Launch, /SubmitForm, /ImportData, /GoToR, /GoToE, /Rendition ...), links that are not
   http(s) or mailto, XFA forms, multimedia (/RichMedia, /Screen, /Movie, /Sound, /3D) and
   embedded files (/EmbeddedFiles, /EF, /EmbeddedFile, file attachment annotations) are
   refused: application materials need none of them. Plain links, bookmarks and fillable
   fields stay.
2. in the same walk every compressed stream is inflated with its output counted and dropped:
   more than MAX_STREAM_BYTES from one stream, or MAX_TOTAL_BYTES from all, is a decompression
   bomb ("zip_bomb"), whichever object it hides in.
3. the text of at most TEXT_PAGES pages is extracted, each distinct content stream once (two
   hundred pages sharing one heavy stream cost one extraction), with pypdf's parsing budget per
   content stream lowered to STREAM_WORK tokens; a page beyond that is "too_complex". Reading
   every page's text would cost the web request seconds per page of a crafted file; the
   remaining pages were walked in pass 1, and the screening reads all text later, in the
   background and in its own limited child.

What is left is bounded by the child's CPU limit.
"""

from __future__ import annotations

import zlib
from typing import Any

from banzu.uploads.base import Refused, plain_link

_MiB = 1024 * 1024
MAX_OBJECTS = 1_000_000
MAX_PAGES = 3000
TEXT_PAGES = 20
# About a second of pypdf's text extraction; ordinary pages need a few thousand tokens, a
# dense vector chart tens of thousands.
STREAM_WORK = 300_000
# pypdf itself refuses to inflate more than 75 MB from one stream; a 600 dpi colour scan
# stored with Flate is about 100 MB. In all, a hundred pages of a lossless grey scan inflate to
# about a GB; counting two costs a second or two of the CPU limit.
MAX_STREAM_BYTES = 128 * _MiB
MAX_TOTAL_BYTES = 2048 * _MiB
_CHUNK = _MiB

_ACTIVE_KEYS = {"/JS", "/JavaScript", "/XFA", "/RichMediaContent", "/RichMediaSettings"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF"}
_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
    "/Sound",
    "/Movie",
    "/GoTo3DView",
}
_ACTIVE_SUBTYPES = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
_FLATE = {"/FlateDecode", "/Fl"}
_COMPRESSING = _FLATE | {"/LZWDecode", "/LZW", "/RunLengthDecode", "/RL"}


def check_pdf(path: str) -> None:
    from pypdf import PdfReader, overwrite_configuration

    overwrite_configuration(
        stream_parsing_work_maximum_count=STREAM_WORK,
        xform_maximum_invocations_per_extraction=500,
        page_tree_maximum_entries=MAX_PAGES * 4,
        # Never start the external JBIG2 decoder on an upload.
        jbig2dec_binary=None,
    )
    reader = PdfReader(path)
    # Encrypted PDFs cannot be inspected (nor reliably opened by reviewers),
    # so they fail rather than pass unchecked.
    if reader.is_encrypted:
        raise ValueError("encrypted PDF")
    _walk(reader.trailer)
    pages = reader.pages
    if len(pages) > MAX_PAGES:
        raise Refused("too_complex", f"{len(pages)} pages")
    seen: set[Any] = set()
    for page in pages:
        key = _contents_key(page)
        if key in seen:
            continue
        seen.add(key)
        page.extract_text()
        if len(seen) >= TEXT_PAGES:
            break


def _contents_key(page: Any) -> Any:
    from pypdf.generic import ArrayObject, IndirectObject

    if "/Contents" not in page:
        return None
    raw = page.raw_get("/Contents")
    if isinstance(raw, IndirectObject):
        return (raw.idnum, raw.generation)
    if isinstance(raw, ArrayObject):
        return tuple(
            (item.idnum, item.generation) if isinstance(item, IndirectObject) else id(item)
            for item in list.__iter__(raw)
        )
    return id(raw)


def _walk(trailer: Any) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    visited: set[tuple[int, int]] = set()
    stack: list[Any] = [trailer]
    count = 0
    total = 0
    while stack:
        obj = stack.pop()
        count += 1
        if count > MAX_OBJECTS:
            raise Refused("too_complex", f"more than {MAX_OBJECTS} objects")
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref not in visited:
                visited.add(ref)
                stack.append(obj.get_object())
        elif isinstance(obj, DictionaryObject):
            _check_dictionary(obj)
            if isinstance(obj, StreamObject):
                total += _stream_size(obj)
                if total > MAX_TOTAL_BYTES:
                    raise Refused("zip_bomb", f"streams inflate to more than {MAX_TOTAL_BYTES}")
            stack.extend(dict.values(obj))
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))


def _resolved(d: Any, key: str) -> Any:
    value: Any = dict.get(d, key)
    return value.get_object() if hasattr(value, "get_object") else value


def _check_dictionary(d: Any) -> None:
    keys = set(d.keys())
    if found := keys & _ACTIVE_KEYS:
        raise Refused("active_content", f"{sorted(found)}")
    if found := keys & _EMBEDDED_KEYS:
        raise Refused("embedded", f"{sorted(found)}")
    action = _resolved(d, "/S")
    if action in _ACTIVE_ACTIONS:
        raise Refused("active_content", f"action {action}")
    if action == "/URI":
        uri = _resolved(d, "/URI")
        if isinstance(uri, bytes):
            uri = uri.decode("latin-1")
        if not plain_link(str(uri or "")):
            raise Refused("active_content", f"link to {str(uri)[:200]!r}")
    if _resolved(d, "/Type") == "/EmbeddedFile":
        raise Refused("embedded", "embedded file stream")
    subtype = _resolved(d, "/Subtype")
    if subtype in _ACTIVE_SUBTYPES:
        raise Refused("active_content", f"{subtype} annotation")
    if subtype == "/FileAttachment":
        raise Refused("embedded", "file attachment annotation")


def _filters(stream: Any) -> list[str]:
    filters = _resolved(stream, "/Filter")
    if filters is None:
        return []
    if isinstance(filters, list):
        return [str(f.get_object() if hasattr(f, "get_object") else f) for f in filters]
    return [str(filters)]


def _stream_size(stream: Any) -> int:
    """How many bytes the stream's compression filter gives, counted without keeping them."""
    from pypdf.errors import LimitReachedError
    from pypdf.filters import decode_stream_data

    raw: bytes = getattr(stream, "_data", b"") or b""
    filters = _filters(stream)
    compressing = [f for f in filters if f in _COMPRESSING]
    if not compressing:
        return len(raw)
    if filters[0] in _FLATE and len(compressing) == 1:
        size = _inflated_size(raw)
    else:
        # LZW, run length, or text-encoded then compressed: pypdf's decoders, each bounded
        # by its configured output limit.
        try:
            size = len(decode_stream_data(stream))
        except LimitReachedError as e:
            raise Refused("zip_bomb", f"stream: {e}") from e
    if size > MAX_STREAM_BYTES:
        raise Refused("zip_bomb", f"a stream inflates to more than {MAX_STREAM_BYTES}")
    return size


def _inflated_size(raw: bytes) -> int:
    # zlib or raw deflate, as pypdf accepts both; output is counted and dropped.
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32 if raw[:1] == b"x" else -zlib.MAX_WBITS)
    size = 0
    data = raw
    try:
        while data and not inflater.eof:
            size += len(inflater.decompress(data, _CHUNK))
            if size > MAX_STREAM_BYTES:
                break
            data = inflater.unconsumed_tail
    except zlib.error:
        pass  # damaged data: a reader stops here too
    return size
