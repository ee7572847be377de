#!/usr/bin/env python3
"""Writes SAML inputs whose cost once grew faster than their size (issue 13, item 7) into OUTDIR,
made from the generated fixtures in testdata/saml: the corpus sweep runs them under its time
bound and fuzz/seed.py seeds saml_xml with them.

Usage: cost-shapes.py OUTDIR [SCALE]. SCALE (default 1.0) scales the counts: the sweep runs a quarter
beside the full scale to see the cost grow linearly, fuzz seeds are smaller still."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAML = ROOT / "testdata" / "saml"


def pem_body(name):
    text = (SAML / name).read_text()
    return "".join(text.split("-----")[2].split())


def shapes(scale):
    xml = (SAML / "response-signed.xml").read_text()
    n = lambda count: max(2, int(count * scale))
    start = xml.index("<Signature")
    end = xml.index("</Signature>") + len("</Signature>")
    signature = xml[start:end]
    # 16 signatures over the same assertion, each with four KeyInfo certificates, in a document
    # padded to about 180 KB: every failed signature used to re-verify the whole document per
    # certificate.
    certs = "".join(
        f"<X509Certificate>{pem_body(p)}</X509Certificate>"
        for p in ["attacker.pem", "idp-b-signing.pem", "expired-signing.pem", "ecdsa-signing.pem"]
    )
    forged = re.sub(r"<SignatureValue>[^<]*</SignatureValue>", "<SignatureValue>AAAA</SignatureValue>", signature)
    forged = re.sub(r"<X509Data>.*</X509Data>", f"<X509Data>{certs}</X509Data>", forged)
    padded = xml.replace("Alice Example", "A" * int(170_000 * scale), 1)
    yield "signatures-16-keyinfo-4.xml", padded.replace(signature, signature + forged * 15, 1)
    # One element with 60,000 attributes (the parser's duplicate check was quadratic).
    attributes = " ".join(f'a{i}="x"' for i in range(n(60_000)))
    yield "attributes-60000.xml", xml.replace("<samlp:Response ", f"<samlp:Response {attributes} ", 1)
    # 60,000 SAML Attributes of one name (the repeated-attribute check was quadratic).
    statement = '<Attribute Name="u"/>' * n(60_000)
    yield "saml-attributes-60000.xml", xml.replace("<AttributeStatement>", "<AttributeStatement>" + statement, 1)
    # 40,000 elements in pairs sharing an ID (the duplicate-ID list was searched per ID).
    pairs = "".join(f'<x ID="d{i}"/><x ID="d{i}"/>' for i in range(n(20_000)))
    yield "duplicate-ids-40000.xml", xml.replace("</samlp:Response>", f"<samlp:Extensions>{pairs}</samlp:Extensions></samlp:Response>", 1)


def main():
    out = Path(sys.argv[1])
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in shapes(scale):
        (out / name).write_text(text)
        print(out / name)


if __name__ == "__main__":
    main()
