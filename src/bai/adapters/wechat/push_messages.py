"""What a WeChat push says, read from its JSON or XML: the outer body's `Encrypt`, and the
decrypted message's flat text fields. XML is read without DTDs or entities; anything that is not
one of WeChat's documents is `MalformedPush` (a body without `Encrypt`: `PlaintextPush`)."""

import msgspec

from .push_crypto import MalformedPush, PlaintextPush


def read_fields(document: bytes) -> dict[str, str]:
    """The top-level fields of a push, JSON or XML, as text: a JSON number or boolean as it is
    written, an XML element's text. Nested objects, lists and elements with children are left
    out (no event BAI handles needs them). XML is read without DTDs and entities (a billion
    laughs, an external entity): such a document is malformed."""
    start = document.lstrip()[:1]
    if start == b"{":
        return _json_fields(document)
    if start == b"<":
        return _xml_fields(document)
    raise MalformedPush


def read_encrypt(body: bytes) -> str:
    """The `Encrypt` of a pushed body (in compatibility mode, the plaintext beside it is
    ignored); a body without it is a plaintext-mode push."""
    encrypted = read_fields(body).get("Encrypt")
    if not encrypted:
        raise PlaintextPush
    return encrypted


def _json_fields(document: bytes) -> dict[str, str]:
    try:
        raw = msgspec.json.decode(document, type=dict[str, msgspec.Raw])
        fields = {name: bytes(value) for name, value in raw.items()}
        return {
            name: msgspec.json.decode(value, type=str) if value[:1] == b'"' else value.decode()
            for name, value in fields.items()
            if value[:1] not in {b"{", b"[", b"n"}
        }
    except (msgspec.DecodeError, ValueError, RecursionError):
        raise MalformedPush from None


def _xml_fields(document: bytes) -> dict[str, str]:
    from xml.etree.ElementTree import ParseError  # noqa: PLC0415 (at the first XML push)

    from defusedxml import DefusedXmlException  # noqa: PLC0415
    from defusedxml.ElementTree import fromstring  # noqa: PLC0415

    try:
        root = fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError, LookupError):  # LookupError: unknown codec
        raise MalformedPush from None
    if root.tag != "xml":
        raise MalformedPush
    return {child.tag: child.text or "" for child in root if len(child) == 0}
