"""Blob storage of one environment: reserve, (chunked) multipart upload, download by readkey.

As the blobs and purchase-journal guides describe it: a PUT without a body and with the
Blob-Content-* headers reserves (answer {BlobAccepted, ChunkSize}); a PUT with a multipart body
uploads into an existing reservation; blobs larger than ChunkSize come in chunks; an upload
whose size differs from the reserved Blob-Content-Length is an error. Our assumptions, since
the guides show no such answer: the refusals are 400 with AFAS's error body; a chunk shorter
than ChunkSize that leaves the blob incomplete counts as a size mismatch.

ReadKeys are long signed tokens that expire (the blobs guide's example is a JWT valid for 28
hours); ours are JWT-shaped, signed per store, valid READKEY_LIFETIME seconds from the read
that handed them out. An expired or foreign key gets 403 (our assumption).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import secrets
import struct
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError

DEFAULT_CHUNK_SIZE = 5242880  # what SB answers in ChunkSize
MAX_BLOB_LENGTH = 100 * 1024 * 1024  # refuse reservations above 100 MB
READKEY_LIFETIME = 28 * 3600  # seconds; the guide's example key: nbf 1725868800, exp 1725969600
BLOB_TYPE = 2  # the guide's example value for a product image; what other values mean is unknown
_SIGNATURE_BYTES = 384  # an RSA-3072-sized signature: keys of about 850 characters, as AFAS's


class BlobError(ValueError):
    """A blob request SB would refuse; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Blob:
    """One blob: reserved metadata and the bytes received so far."""

    blob_id: str
    content_type: str
    file_name: str
    length: int
    readkey: str
    content: bytearray = field(default_factory=bytearray)

    @property
    def complete(self) -> bool:
        """All reserved bytes have arrived."""
        return len(self.content) >= self.length

    def reference(self) -> dict[str, Any]:
        """The Blob object SB puts on records (products etc.); the store signs a fresh ReadKey
        into it on every read."""
        return {"Id": self.blob_id, "ReadKey": self.readkey, "BlobType": BLOB_TYPE,
                "FileName": self.file_name, "ContentType": self.content_type,
                "ContentLength": self.length}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ReadKeys:
    """Signs and checks blob ReadKeys (JWT-shaped, expiring)."""

    def __init__(self, lifetime: float = READKEY_LIFETIME,
                 now: Callable[[], float] = time.time, secret: bytes | None = None) -> None:
        self.lifetime = lifetime
        self.now = now
        self._secret = secret or secrets.token_bytes(32)
        self._kid = hashlib.sha1(self._secret).hexdigest().upper()  # noqa: S324 - a key id

    def _signature(self, signed: bytes) -> bytes:
        blocks = [hmac.new(self._secret, bytes([n]) + signed, hashlib.sha256).digest()
                  for n in range(_SIGNATURE_BYTES // 32)]
        return b"".join(blocks)

    def issue(self, blob_id: str) -> str:
        """A ReadKey for one blob, valid `lifetime` seconds from now."""
        issued = int(self.now())
        header = {"alg": "RS256", "kid": self._kid, "typ": "JWT"}
        payload = {"B": blob_id.replace("-", "").lower(), "A": self._kid[:32].lower(), "S": 1,
                   "R": 1, "nbf": issued, "exp": issued + int(self.lifetime), "iat": issued}
        signed = (_b64(json.dumps(header, separators=(",", ":")).encode()) + "."
                  + _b64(json.dumps(payload, separators=(",", ":")).encode()))
        return signed + "." + _b64(self._signature(signed.encode()))

    def refusal(self, key: str | None, blob_id: str) -> str | None:
        """Why `key` does not open `blob_id` (None when it does)."""
        if not key:
            return "readkey is missing; use the Blob.ReadKey of the record that holds the blob"
        signed, _, signature = key.rpartition(".")
        try:
            good = hmac.compare_digest(_unb64(signature), self._signature(signed.encode()))
            payload = json.loads(_unb64(signed.partition(".")[2])) if good else {}
        except (ValueError, UnicodeError):
            good, payload = False, {}
        if not good or not isinstance(payload, dict):
            return "readkey is not a ReadKey this SB issued; use the Blob.ReadKey of the record"
        if payload.get("B") != blob_id.replace("-", "").lower():
            return "readkey belongs to another blob"
        if float(payload.get("exp", 0)) <= self.now():
            return ("readkey has expired; read the record again for a fresh Blob.ReadKey "
                    f"(keys live {int(self.lifetime)} s)")
        return None


@dataclass
class BlobStore:
    """All blobs of one environment, by lower-case id."""

    blobs: dict[str, Blob] = field(default_factory=dict)

    def add_seeded(self, blob_id: str, content: bytes, content_type: str, file_name: str,
                   *, readkey: str) -> Blob:
        """Store a complete blob (seed data)."""
        blob = Blob(blob_id, content_type, file_name, len(content), readkey, bytearray(content))
        self.blobs[blob_id.lower()] = blob
        return blob

    def copy(self) -> BlobStore:
        """An independent copy (seed data is shared, environments are not)."""
        return BlobStore({key: Blob(b.blob_id, b.content_type, b.file_name, b.length, b.readkey,
                                    bytearray(b.content)) for key, b in self.blobs.items()})

    def get(self, blob_id: str) -> Blob | None:
        """The blob with this id, if any."""
        return self.blobs.get(blob_id.lower())

    def reserve(self, blob_id: str, headers: Mapping[str, str]) -> Blob:
        """Reserve space from the Blob-Content-* headers (a new reservation replaces an old one)."""
        length_text = headers.get("blob-content-length", "").strip()
        if not length_text.isdigit() or not length_text.isascii():
            raise BlobError(400, "Blob-Content-Length must be the file size in bytes, e.g. 423536")
        length = int(length_text)
        if length > MAX_BLOB_LENGTH:
            raise BlobError(400, f"Blob-Content-Length {length} exceeds {MAX_BLOB_LENGTH} bytes")
        content_type = headers.get("blob-content-type", "").strip() or "application/octet-stream"
        file_name = (headers.get("blob-content-filename") or headers.get("blob-filename")
                     or "").strip()
        if not file_name:
            raise BlobError(400, "Blob-Content-FileName is missing; send the file name, "
                                 "e.g. invoice.pdf")
        blob = Blob(blob_id, content_type[:200], file_name[:255], length, secrets.token_hex(16))
        self.blobs[blob_id.lower()] = blob
        return blob

    def append(self, blob_id: str, chunk: bytes, chunk_size: int,
               declared_length: str | None = None) -> Blob:
        """Append one uploaded chunk to a reserved blob (refusing what the guides call errors)."""
        blob = self.get(blob_id)
        if blob is None:
            raise BlobError(400, f"blob {blob_id} is not reserved; first PUT with the "
                                 "Blob-Content-Length/-Type/-FileName headers and no body")
        if blob.complete and blob.length > 0:
            raise BlobError(400, f"blob {blob_id} is already complete; reserve a new GUID for "
                                 "another file")
        if declared_length is not None and declared_length.strip() != str(blob.length):
            raise BlobError(400, f"Blob-Content-Length {declared_length.strip()} differs from "
                                 f"the reserved {blob.length}; send the size you reserved")
        if len(chunk) > chunk_size:
            raise BlobError(400, f"chunk of {len(chunk)} bytes exceeds ChunkSize {chunk_size}; "
                                 "split the upload into chunks")
        received = len(blob.content) + len(chunk)
        if received > blob.length:
            raise BlobError(400, f"upload of {received} bytes differs from the reserved "
                                 f"Blob-Content-Length {blob.length}")
        if received < blob.length and len(chunk) < chunk_size:
            raise BlobError(400, f"upload ends at {received} bytes, but {blob.length} were "
                                 f"reserved; every chunk but the last has ChunkSize bytes")
        blob.content.extend(chunk)
        return blob


def parse_multipart_file(body: bytes, content_type: str | None) -> bytes:
    """The bytes of the "file" part (else the first part) of a multipart/form-data body."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        raise BlobError(400, "upload must be multipart/form-data with a 'file' field")
    boundary = ""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "boundary":
            boundary = value.strip().strip('"')
    if not boundary or len(boundary) > 200:
        raise BlobError(400, "multipart/form-data without a boundary")
    parts: list[tuple[str, bytearray]] = []
    header: dict[str, bytearray] = {"field": bytearray(), "value": bytearray()}
    disposition: list[str] = [""]

    def on_part_begin() -> None:
        disposition[0] = ""
        parts.append(("", bytearray()))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        if header["field"].lower() == b"content-disposition":
            disposition[0] = header["value"].decode("latin-1")
        header["field"], header["value"] = bytearray(), bytearray()

    def on_headers_finished() -> None:
        parts[-1] = (_field_name(disposition[0]), parts[-1][1])

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    callbacks: Any = {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
    }
    try:
        parser = MultipartParser(boundary.encode("latin-1"), callbacks)
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, UnicodeError, ValueError) as error:
        raise BlobError(400, f"multipart body does not parse ({error})") from error
    if not parts:
        raise BlobError(400, "multipart body has no parts; send the file in a 'file' field")
    named = [data for name, data in parts if name == "file"]
    return bytes(named[0] if named else parts[0][1])


def _field_name(disposition: str) -> str:
    for parameter in disposition.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "name":
            return value.strip().strip('"')
    return ""


def seeded_image(rng: random.Random, size: int = 16) -> bytes:
    """A small, valid, single-colour PNG (deterministic for the rng)."""
    colour = bytes(rng.randrange(256) for _ in range(3))
    rows = b"".join(b"\x00" + colour * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))
