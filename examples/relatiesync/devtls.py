"""A throwaway self-signed certificate for running RelatieSync over https on loopback.

Production serves a certificate from a real CA; for local runs (sb-readiness) the server
makes one with the `openssl` command line tool and the harness trusts it via [app] ca_file.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class DevTlsError(RuntimeError):
    """The certificate could not be made; the message says how to fix it."""


def ensure_self_signed(folder: Path) -> tuple[Path, Path]:
    """cert.pem and key.pem for 127.0.0.1/localhost in `folder` (made once, then reused)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    if cert.exists() and key.exists():
        return cert, key
    openssl = shutil.which("openssl")
    if openssl is None:
        raise DevTlsError("openssl is not installed; install it or pass --certfile and "
                          "--keyfile of a certificate you have")
    folder.mkdir(parents=True, exist_ok=True)
    command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
               "-subj", "/CN=RelatieSync local test", "-keyout", str(key), "-out", str(cert),
               "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
               "-addext", "basicConstraints=critical,CA:TRUE"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except subprocess.TimeoutExpired as error:
        raise DevTlsError("openssl did not finish within 60 s") from error
    if done.returncode != 0:
        raise DevTlsError(f"openssl could not make a certificate: {done.stderr.strip()[-200:]}")
    key.chmod(0o600)
    return cert, key
