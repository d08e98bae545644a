import json
from collections.abc import Callable
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bai.adapters.wechat.push_crypto import (
    PushRefusalReason,
    PushRefused,
)
from bai.adapters.wechat.push_messages import read_encrypt, read_fields
from tests.support.wechat_push import DOCS_PUSH, DOCS_PUSH_MESSAGE, SAMPLE_CODE_PUSH, PushExample

# An illustrative event with made-up values, in both of WeChat's formats.
REVOKE_JSON = (
    b'{"ToUserName":"gh_97417a04a28d","FromUserName":"o-system","CreateTime":1714112445,'
    b'"MsgType":"event","Event":"user_authorization_revoke","OpenID":"o9AgO5Kd5ggOC",'
    b'"AppID":"wxba5fad812f8e6fb9","RevokeInfo":"6,8"}'
)
REVOKE_XML = (
    b"<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
    b"<FromUserName><![CDATA[o-system]]></FromUserName><CreateTime>1714112445</CreateTime>"
    b"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[user_authorization_revoke]]></Event>"
    b"<OpenID><![CDATA[o9AgO5Kd5ggOC]]></OpenID><AppID><![CDATA[wxba5fad812f8e6fb9]]></AppID>"
    b"<RevokeInfo><![CDATA[6,8]]></RevokeInfo></xml>"
)


def reason_of(read: Callable[[bytes], object], document: bytes) -> PushRefusalReason:
    with pytest.raises(PushRefused) as refused:
        read(document)
    return refused.value.reason


def test_wechats_debug_demo_event_reads_as_text_fields() -> None:
    assert read_fields(DOCS_PUSH_MESSAGE) == {
        "ToUserName": "gh_97417a04a28d",
        "FromUserName": "o9AgO5Kd5ggOC-bXrbNODIiE3bGY",
        "CreateTime": "1714112445",
        "MsgType": "event",
        "Event": "debug_demo",
        "debug_str": "hello world",
    }


def test_the_json_and_xml_forms_of_an_event_read_alike() -> None:
    fields = read_fields(REVOKE_JSON)

    assert fields == read_fields(REVOKE_XML)
    assert fields["CreateTime"] == "1714112445"
    assert fields["RevokeInfo"] == "6,8"
    assert fields["OpenID"] == "o9AgO5Kd5ggOC"


names = st.from_regex(r"[A-Za-wyz][A-Za-z0-9_]{0,15}", fullmatch=True)
texts = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")), max_size=30)


@settings(max_examples=200)
@given(fields=st.dictionaries(names, st.one_of(texts, st.integers())))
def test_any_flat_event_reads_alike_from_json_and_xml(fields: dict[str, str | int]) -> None:
    as_json = json.dumps(fields).encode()
    as_xml = "<xml>" + "".join(f"<{n}>{escape(str(v))}</{n}>" for n, v in fields.items()) + "</xml>"

    assert (
        read_fields(as_json)
        == read_fields(as_xml.encode())
        == {name: str(value) for name, value in fields.items()}
    )


def test_nested_values_and_nulls_are_left_out() -> None:
    assert read_fields(b'{"Event":"e","List":[1],"Info":{"a":1},"Gone":null,"On":true}') == {
        "Event": "e",
        "On": "true",
    }
    assert read_fields(b"<xml><Event>e</Event><List><Item>1</Item></List></xml>") == {"Event": "e"}


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;">]><xml><Event>&c;</Event></xml>',
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<xml><Event>&e;</Event></xml>",
        b'<!DOCTYPE xml SYSTEM "http://127.0.0.1/x.dtd"><xml><Event>e</Event></xml>',
        b"<!DOCTYPE xml><xml><Event>e</Event></xml>",
        b'<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1/p">%p;]><xml/>',
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "bare-dtd", "parameter-entity"],
)
def test_xml_with_a_dtd_or_an_entity_is_malformed(document: bytes) -> None:
    assert reason_of(read_fields, document) is PushRefusalReason.MALFORMED


@pytest.mark.parametrize(
    "document",
    [b"", b"[]", b'"x"', b"{", b"<xml>", b"<root><Event>e</Event></root>", b"\xff<xml/>"],
    ids=["empty", "list", "string", "open-json", "open-xml", "not-xml-root", "not-utf8"],
)
def test_what_is_neither_a_json_object_nor_an_xml_document_is_malformed(document: bytes) -> None:
    assert reason_of(read_fields, document) is PushRefusalReason.MALFORMED


@settings(max_examples=200)
@given(
    document=st.one_of(
        st.binary(max_size=200),
        st.tuples(
            st.sampled_from([b"{", b"<", b"<xml>", b'<?xml version="1.0" encoding="']),
            st.binary(max_size=100),
        ).map(b"".join),
        st.text(max_size=100).map(lambda text: ("<xml>" + text).encode()),
    )
)
def test_any_bytes_read_as_text_fields_or_are_malformed(document: bytes) -> None:
    reason: PushRefusalReason | None = None
    try:
        fields = read_fields(document)
    except PushRefused as refused:
        reason = refused.reason
    else:
        assert all(isinstance(value, str) for value in fields.values())
    assert reason in {None, PushRefusalReason.MALFORMED}


@pytest.mark.parametrize("example", [DOCS_PUSH, SAMPLE_CODE_PUSH], ids=["json", "xml"])
def test_the_encrypted_part_is_read_from_a_json_or_xml_body(example: PushExample) -> None:
    assert read_encrypt(example.body) == example.encrypt


@pytest.mark.parametrize(
    "body", [REVOKE_JSON, REVOKE_XML, b'{"Encrypt":""}'], ids=["json", "xml", "empty"]
)
def test_a_body_without_encrypt_is_a_plaintext_push(body: bytes) -> None:
    assert reason_of(read_encrypt, body) is PushRefusalReason.PLAINTEXT
