#!/usr/bin/python3
# tests/webauthn_vectors.py: writes tests/webauthn_vectors.h, the fixed WebAuthn vectors of
# tests/t_webauthn.c: registrations and assertions built and signed here with
# python3-cryptography (a P-256 and an Ed25519 key), independently of lib/webauthn.c.
# Run it again only to change the vectors: the output is committed, so the C test is fixed.
# The small CBOR writer below is test scaffolding for the vectors, not product code.
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

RP_ID = "gk.test"
ORIGIN = "https://login.gk.test"


def cbor(v):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        if n < 256:
            return bytes([major << 5 | 24, n])
        if n < 65536:
            return bytes([major << 5 | 25]) + struct.pack(">H", n)
        return bytes([major << 5 | 26]) + struct.pack(">I", n)
    if isinstance(v, bool):
        return bytes([0xf5 if v else 0xf4])
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def client_data(typ, challenge, origin=ORIGIN):
    return json.dumps({"type": typ, "challenge": b64u(challenge), "origin": origin,
                       "crossOrigin": False}, separators=(",", ":")).encode()


def auth_data(flags, count, attested=b"", rp_id=RP_ID):
    return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", count) + attested


# Deterministic keys (fixed private scalars), so a re-run gives the same public keys.
p256 = ec.derive_private_key(0x1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988, ec.SECP256R1())
ed = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
pn = p256.public_key().public_numbers()
cose_es256 = cbor({1: 2, 3: -7, -1: 1, -2: pn.x.to_bytes(32, "big"), -3: pn.y.to_bytes(32, "big")})
cose_ed = cbor({1: 1, 3: -8, -1: 6, -2: ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)})

CH_REG = bytes(range(100, 132))
CH_GET = bytes(range(200, 232))
ID_ES = b"es256-credential-0001"
ID_ED = b"ed25519-credential-01"


def attested(cid, cose):
    return bytes(16) + struct.pack(">H", len(cid)) + cid + cose


def att_obj(ad, fmt="none", stmt=None):
    return cbor({"fmt": fmt, "attStmt": stmt or {}, "authData": ad})


def sign(key, ad, cd):
    msg = ad + hashlib.sha256(cd).digest()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        # ECDSA is randomised; the output is fixed once committed.
        return key.sign(msg, ec.ECDSA(hashes.SHA256()))
    return key.sign(msg)


out = {}
cd_reg = client_data("webauthn.create", CH_REG)
out["ch_reg"] = CH_REG
out["ch_get"] = CH_GET
out["cd_reg"] = cd_reg
out["att_es256"] = att_obj(auth_data(0x45, 0, attested(ID_ES, cose_es256)))
out["att_ed25519"] = att_obj(auth_data(0x45, 0, attested(ID_ED, cose_ed)))
out["att_packed"] = att_obj(auth_data(0x45, 0, attested(ID_ES, cose_es256)), "packed",
                            {"alg": -7, "sig": b"\x30\x00"})
out["att_no_up"] = att_obj(auth_data(0x44, 0, attested(ID_ES, cose_es256)))
out["att_rs256"] = att_obj(auth_data(0x45, 0, attested(ID_ES, cbor({1: 3, 3: -257, -1: b"\x01" * 256, -2: b"\x01\x00\x01"}))))
out["cose_es256"] = cose_es256
out["cose_ed25519"] = cose_ed
out["id_es256"] = ID_ES
out["id_ed25519"] = ID_ED

cd_get = client_data("webauthn.get", CH_GET)
out["cd_get"] = cd_get
ad = auth_data(0x05, 7)
out["ad_get"] = ad
out["sig_es256"] = sign(p256, ad, cd_get)
out["sig_ed25519"] = sign(ed, ad, cd_get)
ad_noup = auth_data(0x04, 8)
out["ad_no_up"] = ad_noup
out["sig_es256_no_up"] = sign(p256, ad_noup, cd_get)
ad_nouv = auth_data(0x01, 9)
out["ad_no_uv"] = ad_nouv
out["sig_ed25519_no_uv"] = sign(ed, ad_nouv, cd_get)
ad_zero = auth_data(0x05, 0)
out["ad_zero"] = ad_zero
out["sig_ed25519_zero"] = sign(ed, ad_zero, cd_get)
# Signed correctly but for the wrong relying party (rpIdHash of another domain).
ad_other = auth_data(0x05, 10, rp_id="evil.test")
out["ad_other_rp"] = ad_other
out["sig_es256_other_rp"] = sign(p256, ad_other, cd_get)
# A clientDataJSON from another origin and one of the wrong type, both signed.
cd_evil = client_data("webauthn.get", CH_GET, "https://login.evil.test")
out["cd_evil"] = cd_evil
out["sig_es256_evil"] = sign(p256, ad, cd_evil)
cd_type = client_data("webauthn.create", CH_GET)
out["cd_type"] = cd_type
out["sig_es256_type"] = sign(p256, ad, cd_type)

w = sys.stdout.write
w("/* tests/webauthn_vectors.h: generated by tests/webauthn_vectors.py (python3-cryptography); do not edit. */\n")
w('#define V_RP_ID "%s"\n#define V_ORIGIN "%s"\n' % (RP_ID, ORIGIN))
for name, val in out.items():
    w("static const unsigned char v_%s[] = {" % name)
    for i, b in enumerate(val):
        w(("\n\t" if i % 16 == 0 else " ") + "0x%02x," % b)
    w("\n};\n")
