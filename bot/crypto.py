"""WeChat's message signature and safe-mode (AES) envelope, done strictly.

wechatpy's `WeChatCrypto` compares signatures with `!=`, parses the envelope with xmltodict (entities and all),
trusts the padding byte and the length prefix, and raises bare exceptions on garbage. This module keeps the same
wire format (key = b64decode(EncodingAESKey + "="), IV = key[:16], PKCS#7 to 32 bytes, plaintext =
16 random bytes + 4-byte big-endian length + message + appid) and checks every part of it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes, not to the AES block of 16


class CryptoError(ValueError):
    """A ciphertext that is not a valid envelope for this account."""


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's protocol


def signature_matches(expected_parts: tuple[str, ...], given: str) -> bool:
    """Constant-time check of a signature sent with a request."""
    return hmac.compare_digest(signature(*expected_parts).encode(), given.encode("utf-8", "replace"))


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte key from the 43-character EncodingAESKey of the WeChat console."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise CryptoError("EncodingAESKey is not base64") from exc
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise CryptoError("EncodingAESKey must be 43 characters (32 bytes)")
    return key


class MessageCrypto:
    """Encrypts and decrypts message bodies for one account (token, EncodingAESKey, appid)."""

    def __init__(self, token: str, encoding_aes_key: str, appid: str) -> None:
        self.token = token
        self.appid = appid
        self._key = aes_key(encoding_aes_key)

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str | bytes, random_prefix: bytes | None = None) -> str:
        """The base64 `Encrypt` value carrying `message` (bytes are carried as they are)."""
        body = message.encode() if isinstance(message, str) else message
        plain = (random_prefix or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.appid.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        """The message inside `encrypted`; `CryptoError` unless padding, length and appid all check."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("Encrypt is not base64") from exc
        if not raw or len(raw) % 16:
            raise CryptoError("ciphertext is not a whole number of blocks")
        dec = self._cipher().decryptor()
        plain = dec.update(raw) + dec.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise CryptoError("too short")
        (length,) = struct.unpack(">I", content[:4])
        if length > len(content) - 4:
            raise CryptoError("length prefix beyond the data")
        message, appid = content[4 : 4 + length], content[4 + length :]
        if not hmac.compare_digest(appid, self.appid.encode()):
            raise CryptoError("appid does not match")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError("message is not UTF-8") from exc

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """`msg_signature` over (token, timestamp, nonce, Encrypt)."""
        return signature(self.token, timestamp, nonce, encrypted)

    def envelope(self, message: str, timestamp: str, nonce: str) -> str:
        """The safe-mode XML a reply travels in: encrypted and signed as WeChat expects."""
        encrypted = self.encrypt(message)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{self.sign(timestamp, nonce, encrypted)}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )
