"""`tutor serve --https`: a self-signed certificate for localhost, made once and kept.

Browsers store `Secure` and `__Host-` cookies only from secure origins (RFC 6265bis
§5.7), so the lessons' cookies need https to behave in a real browser as they do on the
stage. The certificate is made on first use with `cryptography`, kept in the user's data
directory (the private key readable by its owner only), and never added to any trust
store: curl is pointed at it with `--cacert`, a browser trusts it for one run by its
public key's hash, and the banner prints its SHA-256 fingerprint to compare.
"""

from __future__ import annotations

import base64
import datetime
import fcntl
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from uvicorn.protocols.http.h11_impl import H11Protocol

    from tutor.cli.serve_limits import QuietLog

CERT_FILE = "localhost.pem"
KEY_FILE = "localhost-key.pem"
DNS_NAMES = ("localhost",)
IP_ADDRESSES = ("127.0.0.1", "::1")
VALID_DAYS = 365
"""How long a certificate lasts; it is remade when fewer than RENEW_DAYS remain."""
RENEW_DAYS = 7


class CertificateError(Exception):
    """The certificate can be neither used nor made; the message says where and why."""


@dataclass(frozen=True)
class LocalCertificate:
    """The certificate `tutor serve --https` serves, and how to recognise it."""

    cert_path: Path
    key_path: Path
    fingerprint: str
    """SHA-256 of the certificate (DER), colon-separated hex as browsers show it."""
    spki_hash: str
    """base64 SHA-256 of the public key (SubjectPublicKeyInfo): what Chromium's
    `--ignore-certificate-errors-spki-list` takes."""
    made: str = ""
    """Why a new certificate was made this time ("" when the kept one was reused)."""


def tls_dir() -> Path:
    """Where the certificate is kept: the tutor's data directory, `tls/`."""
    from tutor.progress_store import data_dir

    return data_dir() / "tls"


def local_certificate(folder: Path | None = None) -> LocalCertificate:
    """The kept certificate, or a new one when there is none or it cannot be used."""
    folder = folder if folder is not None else tls_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    # Two servers started at once must not each write half of a pair.
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _kept_or_new(folder)
    finally:
        os.close(lock)  # releases the lock too


def _unwritable(folder: Path, exc: OSError) -> CertificateError:
    return CertificateError(f"cannot write a certificate to {folder}: {exc.strerror or exc} "
                            "(set TUTOR_DATA_DIR to a folder you can write)")


def _kept_or_new(folder: Path) -> LocalCertificate:
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    if cert_path.exists() or key_path.exists():
        try:
            return _load(cert_path, key_path)
        except CertificateError as exc:
            reason = f"{exc}; made a new one"
    else:
        reason = "first use: made a certificate for localhost"
    _make(folder, cert_path, key_path)
    loaded = _load(cert_path, key_path)
    return LocalCertificate(loaded.cert_path, loaded.key_path, loaded.fingerprint,
                            loaded.spki_hash, made=reason)


def _load(cert_path: Path, key_path: Path) -> LocalCertificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    try:
        cert_pem, key_pem = cert_path.read_bytes(), key_path.read_bytes()
    except OSError as exc:
        raise CertificateError(
            f"cannot read {exc.filename or cert_path}: {exc.strerror or exc}") from None
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise CertificateError(f"{cert_path} is not a PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise CertificateError(f"{key_path} is not an unencrypted PEM private key") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, public)
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != spki:
        raise CertificateError(f"{key_path} is not the key of {cert_path}")
    if cert.not_valid_after_utc - _now() < datetime.timedelta(days=RENEW_DAYS):
        raise CertificateError(f"{cert_path} expires on {cert.not_valid_after_utc:%Y-%m-%d}")
    if san_names(cert_pem) != {*DNS_NAMES, *IP_ADDRESSES}:
        raise CertificateError(f"{cert_path} is not for {', '.join((*DNS_NAMES, *IP_ADDRESSES))}")
    # The ssl module is what serves it: check that it takes the pair too.
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert_path, key_path)
    except (ssl.SSLError, OSError) as exc:
        raise CertificateError(f"{cert_path} cannot be served: {exc}") from None
    if key_path.stat().st_mode & 0o077:
        os.chmod(key_path, 0o600)  # someone loosened it: a private key is its owner's only
    digest = cert.fingerprint(hashes.SHA256())
    return LocalCertificate(
        cert_path, key_path,
        fingerprint=":".join(f"{byte:02X}" for byte in digest),
        spki_hash=base64.b64encode(_sha256(spki)).decode("ascii"),
    )


def san_names(cert_pem: bytes) -> set[str]:
    """The DNS names and IP addresses a PEM certificate's subjectAltName lists."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {*san.get_values_for_type(x509.DNSName),
            *(str(ip) for ip in san.get_values_for_type(x509.IPAddress))}


def _make(folder: Path, cert_path: Path, key_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tutor serve (localhost)")])
    now = _now()
    san = x509.SubjectAlternativeName(
        [x509.DNSName(n) for n in DNS_NAMES]
        + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in IP_ADDRESSES])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # An hour back, so a client whose clock is slightly behind still accepts it.
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    try:
        _write(key_path, key_pem, 0o600)
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    except OSError as exc:
        raise _unwritable(folder, exc) from None


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write through a temporary file made with `mode` from the start, then rename: the
    key is never readable by others, not even for a moment, and never half-written."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sha256(data: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(data).digest()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


# --- one port, https only, and a clear answer to plain http ----------------------------

TLS_HANDSHAKE = 0x16
"""The first byte of a TLS connection: a handshake record (RFC 8446 §5.1, content type
22). Plain HTTP starts with a method's letters."""


def server_context(cert: LocalCertificate) -> ssl.SSLContext:
    """What serves `cert`: a server context with the ssl module's defaults (TLS 1.2 and
    later, the library's ciphers)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert_path, cert.key_path)
    return context


def plain_http_answer(url: str) -> bytes:
    """The whole answer to plain http sent to the https port, then the connection ends."""
    body = (f"This is tutor serve with --https: it speaks only https on this port.\n"
            f"Plain http was sent to it. Use {url}/ instead (curl needs --cacert with the\n"
            f"certificate the banner names).\n").encode()
    head = ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    return head + body


def tls_door(protocol: type[H11Protocol], context: ssl.SSLContext, url: str, log: QuietLog,
             handshake_timeout: float) -> type[H11Protocol]:
    """`protocol` behind a door that reads a connection's first bytes before TLS does:
    a TLS handshake goes on to `context` (as `ssl=` to the server would), plain http
    gets a 400 that names the https URL instead of a TLS error it cannot read (curl
    said only "Empty reply from server").

    The first bytes cannot be put back once read, so they are handed to asyncio's own
    TLS protocol (the one `loop.create_server(ssl=...)` uses) as if just received."""
    from asyncio.sslproto import SSLProtocol

    refusal = plain_http_answer(url)

    class TlsDoor(protocol):  # type: ignore[valid-type,misc]
        _door: asyncio.Transport | None = None
        """The raw connection, until its first bytes say what it speaks."""
        _door_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            if self._door_timer is not None:  # the second time: TLS, its handshake done
                super().connection_made(transport)
                return
            self._door = transport
            # A client that connects and says nothing is dropped, as in a handshake.
            self._door_timer = self.loop.call_later(handshake_timeout, transport.close)

        def data_received(self, data: bytes) -> None:
            door = self._door
            if door is None:
                super().data_received(data)
                return
            self._door = None
            assert self._door_timer is not None
            self._door_timer.cancel()
            if data[0] != TLS_HANDSHAKE:
                log.note("plain-http", f"answered plain http with 400: this port speaks "
                         f"only https ({url})")
                door.write(refusal)
                door.close()
                return
            # No waiter: nothing awaits the handshake, this protocol hears of it through
            # connection_made (typeshed's stubs ask for a future, and an int timeout).
            tls = SSLProtocol(self.loop, self, context, None,  # type: ignore[arg-type]
                              server_side=True,
                              ssl_handshake_timeout=handshake_timeout)  # type: ignore[arg-type]
            door.set_protocol(tls)
            tls.connection_made(door)
            _feed(tls, data)

        def connection_lost(self, exc: Exception | None) -> None:
            if self.transport is None:  # never past the door, or the handshake failed
                self._door = None
                if self._door_timer is not None:
                    self._door_timer.cancel()
                return
            super().connection_lost(exc)

    return TlsDoor


def _feed(protocol: asyncio.BufferedProtocol, data: bytes) -> None:
    """Give a buffered protocol `data` as if the transport had just read it."""
    view = memoryview(data)
    while view:
        buffer = memoryview(protocol.get_buffer(len(view)))
        size = min(len(buffer), len(view))
        buffer[:size] = view[:size]
        protocol.buffer_updated(size)
        view = view[size:]
