"""Local TLS for the demo partner app: a throwaway CA and a loopback certificate (trustme)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class LocalTLS:
    """Files of one throwaway CA and a certificate for 127.0.0.1 and localhost."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_local_tls(folder: Path) -> LocalTLS:
    """Write a fresh CA and a loopback server certificate into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    tls = LocalTLS(folder / "ca.pem", folder / "app.pem", folder / "app.key")
    ca.cert_pem.write_to_path(str(tls.ca_file))
    server.cert_chain_pems[0].write_to_path(str(tls.cert_file))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(tls.cert_file), append=True)
    server.private_key_pem.write_to_path(str(tls.key_file))
    tls.key_file.chmod(0o600)
    return tls
