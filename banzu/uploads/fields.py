"""DDE in an OOXML package's XML parts, read as they stream by (banzu.uploads.ooxml).

A Word field DDE or DDEAUTO makes Word offer to start a program when the document opens (the
2017 "DDEAUTO" attacks); a workbook's ddeLink asks another program for data. Both are refused as
links out of the package ("external"), wherever they are: the body, headers, footers, footnotes,
endnotes, comments, an embedded document or workbook; a field's instruction split across runs,
in any case, behind character references, CDATA or comments, in deleted text, or outside the
field's marks. So is a field whose type is made by a field nested in it ({ { QUOTE 68 68 69 } }
and the like), a way to hide the word from a search that no ordinary document uses.

Pure Python (expat), no Django.
"""

from __future__ import annotations

import codecs
import pyexpat
import re
from collections.abc import Iterator
from dataclasses import dataclass

from banzu.uploads.base import reject

_MiB = 1024 * 1024

_WML = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
}
_SML = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
}
# Only elements with one of these in their name change what the scanner knows (a field's start,
# separator and end, its instruction text, a workbook's DDE link).
_FIELD_NEEDLES = re.compile(b"instr|Instr|fldChar|fldSimple|ddeLink")
_INSTRUCTION_TEXT = {"instrText", "delInstrText"}
_DDE_FIELDS = {"dde", "ddeauto"}
_KEEP = 64  # an instruction's first characters: its type and then some
_MAX_FIELD_DEPTH = 64  # Word nests fields about 20 deep at most
_MAX_CARRY = _MiB
_DEFER = 256 * 1024
_MAX_TOKEN = 32 * _MiB
# What the skim looks for: a piece of every needle (bytes.find is some ten times faster than
# the regular expression's search), more often found but never missing one.
_SKIM_NEEDLES = (b"nstr", b"fld", b"ddeLink")
_NEEDLE_OVERLAP = len("ddeLink") - 1  # a needle across two chunks
_SKIM = 4 * _MiB  # a part is held this long while no needle has come
_LEADING = re.compile(r'^[\s"\u201c\u201d]+')
_FIELD_TYPE = re.compile(r"[A-Za-z]+")


def scan_fields(chunks: Iterator[bytes], name: str) -> Iterator[bytes]:
    """Pass an XML part's chunks on, refusing the part if it holds a DDE field or link."""
    scanner = _FieldScanner(name)
    for chunk in chunks:
        yield chunk
        scanner.feed(chunk)
    scanner.close()


@dataclass
class _Field:
    text: str = ""  # the instruction so far, leading blanks and quotes left out, cut at _KEEP
    open: bool = True  # still reading the instruction (before the separator or the end)
    computed: bool = False  # a nested field came before any text: it makes the type


class _FieldScanner:
    """Word's fields in one XML part, read by expat as the part streams by.

    Expat calling Python for every element would make a large part slow (some 20 MB a second), so
    the element handlers are on only around the tags that can matter. Expat is given the part in
    pieces that end just before a "<" (which cannot occur inside a tag), and the handlers are on
    for the stretch from the "<" before each of _FIELD_NEEDLES to the "<" after it, which holds
    the whole tag whose name holds it. They also stay on while inside an instruction text, and
    while expat holds back the unfinished start of something (a comment over several pieces, a
    tag longer than _MAX_CARRY, or with expat 2.6 where Python cannot switch its reparse deferral
    off, whole tags) in which one of _FIELD_NEEDLES occurs.

    Expat parses an unfinished token again from its start with every piece (its own remedy, the
    reparse deferral of 2.6, is off here), so while it holds more than _DEFER bytes it is given
    nothing until as much again has come: the work stays linear. A token over _MAX_TOKEN (no
    document has one) is refused.

    A part whose root is neither WordprocessingML nor a workbook's external link is left after its
    root. A DTD is refused before expat reads it (no entity is expanded).

    Expat is not even started on a part until one of _FIELD_NEEDLES occurs in it: element and
    attribute names are written out in XML (no reference can spell them), so a part without any
    holds no field and no DDE link. The part is held meanwhile, up to _SKIM bytes; from there on
    (or from the first needle) it is parsed from its start. Most of a document's XML is styles and
    themes without a field (python-docx's own template carries 800 KB of styles), and skimming it
    with one search costs a fiftieth of parsing it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parser = pyexpat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
        if hasattr(self.parser, "SetReparseDeferralEnabled"):  # expat 2.6 (Python 3.11.9)
            self.parser.SetReparseDeferralEnabled(False)  # this class defers by itself
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.decoder: codecs.IncrementalDecoder | None = None
        self.head: bytes | None = b""  # the first bytes, until the encoding is known
        self.carry = bytearray()
        self.fed = 0  # bytes given to expat
        self.held = 0  # of which expat has not parsed the last ones yet
        self.pending = False  # they may hold a tag that matters
        self.root: str | None = None
        self.done = False
        self.handlers = False
        self.fields: list[_Field] = []
        self.in_text = 0
        self.orphan: _Field | None = None  # instruction text outside any field
        self.skimming: bytearray | None = bytearray()  # the part so far, while no needle came

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        data = self._utf8(chunk)
        if self.skimming is not None:
            held = self.skimming
            start = max(0, len(held) - _NEEDLE_OVERLAP)
            held += data
            if len(held) < _SKIM and not _skim(held, start):
                return
            data, self.skimming = bytes(held), None
        buffer = self.carry
        buffer += data
        waiting = self.held > _DEFER and len(buffer) < self.held
        if waiting and self.held + len(buffer) < _MAX_TOKEN:
            return
        cut = buffer.rfind(b"<")
        if cut > 0:
            self._parse(bytes(buffer[:cut]))
            del buffer[:cut]
        elif len(buffer) >= _MAX_CARRY:  # a tag, comment or text this long
            self._parse(bytes(buffer))
            buffer.clear()

    def close(self) -> None:
        if self.done:
            return
        tail = self._utf8(b"", final=True)
        if self.skimming is not None:
            start = max(0, len(self.skimming) - _NEEDLE_OVERLAP)  # the rest was skimmed
            self.skimming += tail
            if not _skim(self.skimming, start):  # none in the whole part
                self.done = True
                return
            tail, self.skimming = bytes(self.skimming), None
        self._parse(bytes(self.carry + tail), final=True)
        if not self.done:
            for field in self.fields:
                self._judge(field)

    def _utf8(self, chunk: bytes, final: bool = False) -> bytes:
        """The chunk as UTF-8 (expat is told so): a UTF-16 part is converted."""
        if self.head is not None:
            self.head += chunk
            if len(self.head) < 4 and not final:
                return b""
            chunk, self.head = self.head, None
            self.decoder = _utf16_decoder(chunk)
        if self.decoder is None:
            return chunk
        try:
            return self.decoder.decode(chunk, final).encode("utf-8")
        except UnicodeDecodeError as e:
            raise reject("parse", f"bad UTF-16 in {self.name!r}") from e

    def _parse(self, data: bytes, *, final: bool = False) -> None:
        """Give expat `data`, the handlers on only where they are needed."""
        done = 0
        if self.pending:  # what expat holds may matter, and end before the first "<"
            first = data.find(b"<")
            done = len(data) if first < 0 else first
            self._feed(data[:done], wanted=True)
        for needle in _FIELD_NEEDLES.finditer(data, done):
            if needle.start() < done:
                continue  # in the stretch of an earlier one
            tag = data.rfind(b"<", done, needle.start())
            tag = done if tag < 0 else tag
            after = data.find(b"<", needle.end())
            after = len(data) if after < 0 else after
            self._feed(data[done:tag], wanted=False)
            self._feed(data[tag:after], wanted=True)
            done = after
        self._feed(data[done:], wanted=False, final=final)

    def _feed(self, data: bytes, *, wanted: bool, final: bool = False) -> None:
        if (not data and not final) or self.done:
            return
        self._switch(wanted or self.pending or self.root is None or self.in_text > 0)
        try:
            self.parser.Parse(data, final)
        except pyexpat.ExpatError as e:
            if self.root is not None:
                raise reject("parse", f"bad XML in {self.name!r}: {e}") from e
            # No root: nothing Word reads as a document part (legacy VML drawings are often not
            # well-formed XML; a blank part is no XML at all).
            self.done = True
            return
        self._held(data)

    def _held(self, data: bytes) -> None:
        """Note what expat holds back of the data given so far, and whether it may matter."""
        self.fed += len(data)
        parsed = self.parser.CurrentByteIndex  # where the first token not parsed yet starts
        self.held = self.fed - parsed if 0 <= parsed <= self.fed else self.fed
        if self.held == 0:
            self.pending = False
        elif self.held <= len(data):
            self.pending = bool(_FIELD_NEEDLES.search(data, len(data) - self.held))
        else:
            self.pending = self.pending or bool(_FIELD_NEEDLES.search(data))
        if self.held > _MAX_TOKEN:
            raise reject("parse", f"an XML token over {_MAX_TOKEN} bytes in {self.name!r}")

    def _switch(self, on: bool) -> None:
        if on != self.handlers:
            self.handlers = on
            self.parser.StartElementHandler = self._start if on else None
            self.parser.EndElementHandler = self._end if on else None
            self.parser.CharacterDataHandler = self._text if on else None

    def _doctype(self, *args: object) -> None:
        raise reject("doctype", f"DTD in {self.name!r}")

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        if self.root is None:
            self.root = tag
            if namespace not in _WML and not (namespace in _SML and local == "externalLink"):
                self.done = True  # nothing here that Word runs: read no further
                self._switch(False)
                return
        if namespace in _SML and local == "ddeLink":
            raise reject("external", f"DDE link in {self.name!r}")
        if namespace not in _WML:
            return
        if local == "fldChar":
            self._mark(attrs.get(f"{namespace} fldCharType") or attrs.get("fldCharType", ""))
        elif local in _INSTRUCTION_TEXT:
            self.in_text += 1
            if not (self.fields and self.fields[-1].open) and self.orphan is None:
                self.orphan = _Field()
        elif local == "fldSimple":
            self._begin()
            field = self.fields.pop()
            self._add(field, attrs.get(f"{namespace} instr") or attrs.get("instr", ""))
            self._judge(field)

    def _mark(self, kind: str) -> None:
        """A complex field's begin, separate or end mark."""
        if kind == "begin":
            self._begin()
        elif kind in ("separate", "end") and self.fields:
            field = self.fields[-1]
            if field.open:
                field.open = False
                self._judge(field)
            if kind == "end":
                self.fields.pop()

    def _end(self, tag: str) -> None:
        namespace, _, local = tag.rpartition(" ")
        if namespace in _WML and local in _INSTRUCTION_TEXT and self.in_text > 0:
            self.in_text -= 1
            if self.in_text == 0 and self.orphan is not None:
                self._judge(self.orphan)
                self.orphan = None

    def _text(self, data: str) -> None:
        if self.in_text > 0:
            if self.orphan is not None:
                self._add(self.orphan, data)
            elif self.fields and self.fields[-1].open:
                self._add(self.fields[-1], data)

    def _begin(self) -> None:
        if len(self.fields) >= _MAX_FIELD_DEPTH:
            raise reject("parse", f"fields nested too deep in {self.name!r}")
        if self.fields and self.fields[-1].open and not self.fields[-1].text:
            self.fields[-1].computed = True
        self.fields.append(_Field())

    def _add(self, field: _Field, data: str) -> None:
        if len(field.text) < _KEEP:
            field.text = (field.text + data if field.text else _LEADING.sub("", data))[:_KEEP]

    def _judge(self, field: _Field) -> None:
        if field.computed:
            raise reject("external", f"field type made by a nested field in {self.name!r}")
        kind = _FIELD_TYPE.match(field.text)
        if kind is not None and kind.group().lower() in _DDE_FIELDS:
            raise reject("external", f"{kind.group()} field in {self.name!r}")


def _skim(data: bytearray, start: int) -> bool:
    """Whether a needle may occur in `data` from `start` on."""
    return any(data.find(needle, start) >= 0 for needle in _SKIM_NEEDLES)


def _utf16_decoder(head: bytes) -> codecs.IncrementalDecoder | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return codecs.getincrementaldecoder("utf-16")("strict")
    if head.startswith(b"<\x00"):
        return codecs.getincrementaldecoder("utf-16-le")("strict")
    if head.startswith(b"\x00<"):
        return codecs.getincrementaldecoder("utf-16-be")("strict")
    return None
