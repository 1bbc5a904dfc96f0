#!/usr/bin/python3
# tests/attack4_authn.py: an attacker's software authenticator for tests/attack4_2fa.sh: it
# answers a passkey page's ceremony (WebAuthn "none" attestation, ES256 key made and kept
# here, python3-cryptography) with user verification claimed, as any script can.
#   create KEYFILE ORIGIN RPID CHALLENGE         -> id= client_data= attestation=
#   get    KEYFILE ORIGIN RPID CHALLENGE HANDLE  -> id= client_data= authenticator_data= signature= user_handle=
# The fields are printed one per line as NAME=VALUE (base64url), for curl --data-urlencode.
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def bstr(b):
    """A CBOR byte string of under 65536 bytes (major type 2)."""
    return (bytes([0x58, len(b)]) if len(b) < 256 else b"\x59" + struct.pack(">H", len(b))) + b


CRED_ID = b"attacker-passkey-0001"
mode, keyfile, origin, rp_id, challenge = sys.argv[1:6]
cd = json.dumps({"type": "webauthn.create" if mode == "create" else "webauthn.get",
                 "challenge": challenge, "origin": origin, "crossOrigin": False},
                separators=(",", ":")).encode()
rp_hash = hashlib.sha256(rp_id.encode()).digest()
if mode == "create":
    key = ec.generate_private_key(ec.SECP256R1())
    with open(keyfile, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    pn = key.public_key().public_numbers()
    # COSE_Key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}
    cose = b"\xa5\x01\x02\x03\x26\x20\x01\x21" + bstr(pn.x.to_bytes(32, "big")) + \
        b"\x22" + bstr(pn.y.to_bytes(32, "big"))
    ad = rp_hash + bytes([0x45]) + struct.pack(">I", 0) + bytes(16) + \
        struct.pack(">H", len(CRED_ID)) + CRED_ID + cose          # UP, UV, AT
    print("id=" + b64u(CRED_ID))
    print("client_data=" + b64u(cd))
    # {"fmt": "none", "attStmt": {}, "authData": ad}
    att = b"\xa3\x63fmt\x64none\x67attStmt\xa0\x68authData" + bstr(ad)
    print("attestation=" + b64u(att))
else:
    with open(keyfile, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    ad = rp_hash + bytes([0x05]) + struct.pack(">I", 1)                 # UP, UV
    sig = key.sign(ad + hashlib.sha256(cd).digest(), ec.ECDSA(hashes.SHA256()))
    print("id=" + b64u(CRED_ID))
    print("client_data=" + b64u(cd))
    print("authenticator_data=" + b64u(ad))
    print("signature=" + b64u(sig))
    print("user_handle=" + b64u(sys.argv[6].encode()))
