"""WeChat's own examples of its message push, for the crypto's tests and the push route's.

The docs' examples come from the mini-program's 消息推送 page,
https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html;
their EncodingAESKey is all `A`, so their AES key and IV are all zeros. The sample code's
example (WeChat's WXBizMsgCrypt demo, `Sample.py` and its siblings in other languages) has a key
that is not, so it is the one that pins the IV; its body is in compatibility mode (plaintext
fields beside `Encrypt`) and XML.
"""

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PushExample:
    token: str
    encoding_aes_key: str
    appid: str
    timestamp: str
    nonce: str
    msg_signature: str
    encrypt: str
    body: bytes
    random16: bytes  # the random part inside, so that sealing the message again is exact


@dataclass(frozen=True, slots=True)
class HandshakeExample:
    token: str
    timestamp: str
    nonce: str
    signature: str


DOCS_HANDSHAKE = HandshakeExample(
    token="AAAAA",
    timestamp="1714036504",
    nonce="1514711492",
    signature="f464b24fc39322e44b38aa78f5edd27bd1441696",
)

_DOCS_ENCRYPT = (
    "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJ"
    "GQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRS"
    "rfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcf"
    "BgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04="
)
DOCS_PUSH = PushExample(
    token="AAAAA",
    encoding_aes_key="A" * 43,
    appid="wxba5fad812f8e6fb9",
    timestamp="1714112445",
    nonce="415670741",
    msg_signature="046e02f8204d34f8ba5fa3b1db94908f3df2e9b3",
    encrypt=_DOCS_ENCRYPT,
    body=json.dumps({"ToUserName": "gh_97417a04a28d", "Encrypt": _DOCS_ENCRYPT}).encode(),
    random16=b"a8eedb185eb2fecf",
)
DOCS_PUSH_MESSAGE = (
    b'{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY",'
    b'"CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}'
)

# The docs' encrypted answer to that push: its message, random part, timestamp and signature.
DOCS_ANSWER_MESSAGE = b'{"demo_resp":"good luck"}'
DOCS_ANSWER_RANDOM16 = b"707722b803182950"
DOCS_ANSWER_TIMESTAMP = "1713424427"
DOCS_ANSWER_ENCRYPT = (
    "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="
)
DOCS_ANSWER_SIGNATURE = "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1"

_SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8"
    "PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332ji"
    "sa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ"
    "6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uB"
    "l9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
SAMPLE_CODE_PUSH = PushExample(
    token="spamtest",
    encoding_aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    appid="wx2c2769f8efd9abc2",
    timestamp="1409735669",
    nonce="1320562132",
    msg_signature="5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    encrypt=_SAMPLE_ENCRYPT,
    body=(
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA["
        "oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>"
        f"6054768590064713728</MsgId><Encrypt><![CDATA[{_SAMPLE_ENCRYPT}]]></Encrypt></xml>"
    ).encode(),
    random16=b"89465c840c5f116f",
)
