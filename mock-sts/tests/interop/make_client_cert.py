"""Make a client certificate for the interop run and a mock-sts configuration that registers it.

usage: make_client_cert.py DEFAULT_CONFIG OUT_DIR
writes OUT_DIR/client-cert.pem, OUT_DIR/client-key.pem and OUT_DIR/mock-sts.toml
"""
import datetime
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def main(default_config, out_dir):
    out = pathlib.Path(out_dir)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mock-sts interop client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (out / "client-cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (out / "client-key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    config = pathlib.Path(default_config).read_text()
    marker = "[[tenants.apps.secrets]]"
    if marker not in config:
        sys.exit(f"{default_config}: no {marker} to put the certificate before")
    registration = '[[tenants.apps.certificates]]\npath = "client-cert.pem"\n\n'
    (out / "mock-sts.toml").write_text(config.replace(marker, registration + marker, 1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
