#!/usr/bin/python3
"""An ACME CA (RFC 8555) for tests/acme.rs, written for the suite: no public CA is reachable
here. It speaks the protocol a client sees from Let's Encrypt or Pebble, strictly where a
client can go wrong, and validates challenges for real:

- every POST is a JWS (flattened JSON) whose signature is checked against the account key
  (`jwk` for a new account, `kid` after), whose `nonce` must be one this server issued and
  not yet used (else `badNonce`), and whose `url` must be the URL posted to;
- HTTP-01 (RFC 8555 §8.3): GET http://<name>/.well-known/acme-challenge/<token>, sent to
  127.0.0.1:<http port> with `Host: <name>`, body compared with the key authorization;
- TLS-ALPN-01 (RFC 8737): a TLS handshake with 127.0.0.1:<tls port>, SNI <name>, ALPN
  `acme-tls/1` only; the certificate must name <name> alone and carry the critical
  acmeIdentifier extension with SHA-256 of the key authorization;
- finalize checks the CSR's signature and that it names exactly the order's identifiers, then
  issues a certificate from this CA's root (valid from now for `--lifetime` seconds).

The directory is served over HTTPS with a certificate from the same root, written to
`--root-out` for the client (bext's `ca = …`) and for curl. Test-only endpoints, outside
ACME: `POST /test/targets` ({"http_port", "tls_port"}: where names are validated) and
`GET /test/stats` (counts of accounts, orders, issued certificates, validations).

Prints `listening on <port>` when ready.
"""

import argparse
import base64
import datetime
import hashlib
import http.client
import json
import secrets
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID, ExtensionOID

ACME_IDENTIFIER_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.31")
VALIDATION_TIMEOUT_SECS = 10
TARGETS_WAIT_SECS = 60


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class Problem(Exception):
    def __init__(self, status, kind, detail):
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail


class CA:
    def __init__(self, lifetime):
        self.lifetime = lifetime
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bext test ACME root")])
        self.root = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now() - datetime.timedelta(days=1))
            .not_valid_after(now() + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, public_key, names, lifetime):
        start = now() - datetime.timedelta(seconds=1)
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.root.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(seconds=lifetime))
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )


def jwk_public_key(jwk):
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        x = int.from_bytes(unb64u(jwk["x"]), "big")
        y = int.from_bytes(unb64u(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    if jwk.get("kty") == "RSA":
        n = int.from_bytes(unb64u(jwk["n"]), "big")
        e = int.from_bytes(unb64u(jwk["e"]), "big")
        return rsa.RSAPublicNumbers(e, n).public_key()
    raise Problem(400, "badPublicKey", f"unsupported key {jwk.get('kty')}/{jwk.get('crv')}")


def thumbprint(jwk):
    """RFC 7638: the required members, sorted, no whitespace."""
    if jwk["kty"] == "EC":
        members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    else:
        members = {k: jwk[k] for k in ("e", "kty", "n")}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return b64u(hashlib.sha256(canonical).digest())


def verify_jws(key, alg, signing_input, signature):
    try:
        if alg == "ES256":
            if len(signature) != 64:
                raise InvalidSignature()
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == "RS256":
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise Problem(400, "badSignatureAlgorithm", f"alg {alg} is not supported")
    except InvalidSignature:
        raise Problem(403, "unauthorized", "the JWS signature does not verify")


class State:
    def __init__(self, ca, base, lifetime):
        self.ca = ca
        self.base = base
        self.lifetime = lifetime
        self.lock = threading.Lock()
        self.nonces = set()
        self.accounts = {}  # id -> {"jwk", "thumbprint", "contact"}
        self.account_by_thumb = {}
        self.orders = {}
        self.authzs = {}
        self.challenges = {}
        self.certs = {}
        self.targets = {"http_port": None, "tls_port": None}
        self.stats = {"accounts": 0, "orders": 0, "issued": 0, "validations": []}
        self.counter = 0

    def next_id(self):
        self.counter += 1
        return str(self.counter)

    def nonce(self):
        value = b64u(secrets.token_bytes(16))
        with self.lock:
            self.nonces.add(value)
        return value

    def url(self, path):
        return self.base + path


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("acme-server: " + (fmt % args) + "\n")

    @property
    def state(self) -> State:
        return self.server.state

    # --- responses -------------------------------------------------------------------------

    def reply(self, status, body=None, headers=None, content_type="application/json"):
        data = b""
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Replay-Nonce", self.state.nonce())
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def problem(self, p: Problem):
        self.reply(
            p.status,
            {"type": "urn:ietf:params:acme:error:" + p.kind, "detail": p.detail, "status": p.status},
            content_type="application/problem+json",
        )

    # --- plain requests --------------------------------------------------------------------

    def do_HEAD(self):
        if self.path == "/nonce":
            self.reply(200)
        else:
            self.reply(404)

    def do_GET(self):
        s = self.state
        if self.path == "/dir":
            self.reply(
                200,
                {
                    "newNonce": s.url("/nonce"),
                    "newAccount": s.url("/new-account"),
                    "newOrder": s.url("/new-order"),
                    "revokeCert": s.url("/revoke"),
                    "keyChange": s.url("/key-change"),
                },
            )
        elif self.path == "/nonce":
            self.reply(204)
        elif self.path == "/test/stats":
            with s.lock:
                stats = json.loads(json.dumps(s.stats))
            self.reply(200, stats)
        else:
            self.problem(Problem(404, "malformed", f"no resource {self.path}"))

    # --- signed requests -------------------------------------------------------------------

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path == "/test/targets":
            with self.state.lock:
                self.state.targets.update(json.loads(raw))
                targets = dict(self.state.targets)
            self.reply(200, targets)
            return
        try:
            account, payload = self.verify(raw)
            self.route(account, payload)
        except Problem as p:
            self.problem(p)

    def verify(self, raw):
        s = self.state
        if self.headers.get("Content-Type") != "application/jose+json":
            raise Problem(415, "malformed", "Content-Type must be application/jose+json")
        try:
            jws = json.loads(raw)
            protected = json.loads(unb64u(jws["protected"]))
            payload_b64 = jws["payload"]
            signature = unb64u(jws["signature"])
        except (ValueError, KeyError) as e:
            raise Problem(400, "malformed", f"not a flattened JWS: {e}")
        nonce = protected.get("nonce")
        with s.lock:
            if nonce not in s.nonces:
                raise Problem(400, "badNonce", "unknown or used nonce")
            s.nonces.discard(nonce)
        if protected.get("url") != s.url(self.path):
            raise Problem(401, "unauthorized", f"url {protected.get('url')} is not {s.url(self.path)}")
        has_jwk, has_kid = "jwk" in protected, "kid" in protected
        if has_jwk == has_kid:
            raise Problem(400, "malformed", "exactly one of jwk and kid")
        if has_jwk:
            if self.path != "/new-account":
                raise Problem(400, "malformed", "jwk is for newAccount only")
            jwk = protected["jwk"]
            account = None
        else:
            kid = protected["kid"]
            prefix = s.url("/acct/")
            account_id = kid[len(prefix):] if kid.startswith(prefix) else None
            with s.lock:
                account = s.accounts.get(account_id)
            if account is None:
                raise Problem(400, "accountDoesNotExist", f"no account {kid}")
            jwk = account["jwk"]
            account = dict(account, id=account_id)
        signing_input = (jws["protected"] + "." + payload_b64).encode()
        verify_jws(jwk_public_key(jwk), protected.get("alg"), signing_input, signature)
        if payload_b64 == "":
            payload = None  # POST-as-GET
        else:
            payload = json.loads(unb64u(payload_b64))
        if account is None:
            account = {"new_jwk": jwk}
        return account, payload

    def route(self, account, payload):
        path = self.path
        if path == "/new-account":
            return self.new_account(account["new_jwk"], payload or {})
        if "new_jwk" in account:
            raise Problem(400, "malformed", "needs an account")
        for prefix, handler in (
            ("/new-order", self.new_order),
            ("/order/", self.get_order),
            ("/authz/", self.get_authz),
            ("/chall/", self.post_challenge),
            ("/finalize/", self.finalize),
            ("/cert/", self.get_cert),
            ("/acct/", self.get_account),
        ):
            if path.startswith(prefix):
                return handler(account, path[len(prefix):], payload)
        raise Problem(404, "malformed", f"no resource {path}")

    def new_account(self, jwk, payload):
        s = self.state
        thumb = thumbprint(jwk)
        with s.lock:
            existing = s.account_by_thumb.get(thumb)
            if existing is None:
                if payload.get("onlyReturnExisting"):
                    raise Problem(400, "accountDoesNotExist", "no such account")
                if not payload.get("termsOfServiceAgreed"):
                    raise Problem(400, "userActionRequired", "agree to the terms of service")
                existing = s.next_id()
                s.accounts[existing] = {
                    "jwk": jwk,
                    "thumbprint": thumb,
                    "contact": payload.get("contact", []),
                }
                s.account_by_thumb[thumb] = existing
                s.stats["accounts"] += 1
                status = 201
            else:
                status = 200
            body = {"status": "valid", "contact": s.accounts[existing]["contact"], "orders": s.url(f"/acct/{existing}/orders")}
        self.reply(status, body, {"Location": s.url(f"/acct/{existing}")})

    def get_account(self, account, rest, payload):
        self.reply(200, {"status": "valid", "contact": account["contact"]})

    def order_json(self, order_id):
        s = self.state
        order = s.orders[order_id]
        body = {
            "status": order["status"],
            "expires": (now() + datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z"),
            "identifiers": [{"type": "dns", "value": n} for n in order["names"]],
            "authorizations": [s.url(f"/authz/{a}") for a in order["authzs"]],
            "finalize": s.url(f"/finalize/{order_id}"),
        }
        if order.get("cert"):
            body["certificate"] = s.url(f"/cert/{order['cert']}")
        if order.get("error"):
            body["error"] = order["error"]
        return body

    def new_order(self, account, rest, payload):
        s = self.state
        identifiers = (payload or {}).get("identifiers") or []
        names = []
        for ident in identifiers:
            if ident.get("type") != "dns" or not ident.get("value"):
                raise Problem(400, "rejectedIdentifier", f"not a DNS identifier: {ident}")
            names.append(ident["value"].lower())
        if not names:
            raise Problem(400, "malformed", "no identifiers")
        with s.lock:
            order_id = s.next_id()
            authz_ids = []
            for name in names:
                authz_id = s.next_id()
                challenge_ids = []
                for kind in ("http-01", "tls-alpn-01", "dns-01"):
                    challenge_id = s.next_id()
                    s.challenges[challenge_id] = {
                        "type": kind,
                        "token": b64u(secrets.token_bytes(32)),
                        "status": "pending",
                        "authz": authz_id,
                    }
                    challenge_ids.append(challenge_id)
                s.authzs[authz_id] = {
                    "name": name,
                    "status": "pending",
                    "challenges": challenge_ids,
                    "order": order_id,
                    "account": account["id"],
                }
                authz_ids.append(authz_id)
            s.orders[order_id] = {
                "status": "pending",
                "names": names,
                "authzs": authz_ids,
                "account": account["id"],
            }
            s.stats["orders"] += 1
            body = self.order_json(order_id)
        self.reply(201, body, {"Location": s.url(f"/order/{order_id}")})

    def owned(self, table, item_id, account):
        item = table.get(item_id)
        if item is None or item.get("account", account["id"]) != account["id"]:
            raise Problem(404, "malformed", "no such resource")
        return item

    def get_order(self, account, order_id, payload):
        s = self.state
        with s.lock:
            self.owned(s.orders, order_id, account)
            body = self.order_json(order_id)
        self.reply(200, body)

    def challenge_json(self, challenge_id):
        s = self.state
        c = s.challenges[challenge_id]
        body = {"type": c["type"], "url": s.url(f"/chall/{challenge_id}"), "token": c["token"], "status": c["status"]}
        if c.get("error"):
            body["error"] = c["error"]
        return body

    def authz_json(self, authz_id):
        s = self.state
        a = s.authzs[authz_id]
        return {
            "status": a["status"],
            "identifier": {"type": "dns", "value": a["name"]},
            "expires": (now() + datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z"),
            "challenges": [self.challenge_json(c) for c in a["challenges"]],
        }

    def get_authz(self, account, authz_id, payload):
        s = self.state
        with s.lock:
            self.owned(s.authzs, authz_id, account)
            body = self.authz_json(authz_id)
        self.reply(200, body)

    def post_challenge(self, account, challenge_id, payload):
        s = self.state
        with s.lock:
            c = s.challenges.get(challenge_id)
            if c is None:
                raise Problem(404, "malformed", "no such challenge")
            authz = self.owned(s.authzs, c["authz"], account)
            if payload is not None and c["status"] == "pending":
                if c["type"] == "dns-01":
                    raise Problem(400, "malformed", "dns-01 is offered but not validated here")
                c["status"] = "processing"
                key_authorization = c["token"] + "." + account["thumbprint"]
                threading.Thread(
                    target=self.validate,
                    args=(challenge_id, authz["name"], key_authorization),
                    daemon=True,
                ).start()
            body = self.challenge_json(challenge_id)
        self.reply(200, body, {"Link": f'<{s.url("/authz/" + c["authz"])}>;rel="up"'})

    def validate(self, challenge_id, name, key_authorization):
        s = self.state
        c = s.challenges[challenge_id]
        # The test tells where bext listens once bext has said so; a client that asks for
        # validation before that waits (bounded), as it would for a CA's queue.
        key = "http_port" if c["type"] == "http-01" else "tls_port"
        deadline = time.monotonic() + TARGETS_WAIT_SECS
        while s.targets[key] is None and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            if c["type"] == "http-01":
                detail = self.validate_http(name, c["token"], key_authorization)
            else:
                detail = self.validate_tls_alpn(name, key_authorization)
        except Exception as e:  # the validator's own failure is the client's problem
            detail = f"{type(e).__name__}: {e}"
        with s.lock:
            s.stats["validations"].append({"type": c["type"], "name": name, "ok": detail is None, "detail": detail})
            authz = s.authzs[c["authz"]]
            order = s.orders[authz["order"]]
            if detail is None:
                c["status"] = "valid"
                authz["status"] = "valid"
                if all(s.authzs[a]["status"] == "valid" for a in order["authzs"]):
                    order["status"] = "ready"
            else:
                error = {"type": "urn:ietf:params:acme:error:unauthorized", "detail": detail, "status": 403}
                c["status"] = "invalid"
                c["error"] = error
                authz["status"] = "invalid"
                order["status"] = "invalid"
                order["error"] = error
        print(f"acme-server: {c['type']} for {name}: {'valid' if detail is None else detail}", file=sys.stderr, flush=True)

    def validate_http(self, name, token, key_authorization):
        port = self.state.targets["http_port"]
        if port is None:
            return "no http port set (POST /test/targets)"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=VALIDATION_TIMEOUT_SECS)
        conn.request("GET", f"/.well-known/acme-challenge/{token}", headers={"Host": name})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            return f"http-01: {name} answered {response.status}"
        if body.strip() != key_authorization.encode():
            return f"http-01: {name} answered {body[:100]!r}, not the key authorization"
        return None

    def validate_tls_alpn(self, name, key_authorization):
        port = self.state.targets["tls_port"]
        if port is None:
            return "no tls port set (POST /test/targets)"
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["acme-tls/1"])
        with socket.create_connection(("127.0.0.1", port), timeout=VALIDATION_TIMEOUT_SECS) as raw:
            with context.wrap_socket(raw, server_hostname=name) as tls:
                if tls.selected_alpn_protocol() != "acme-tls/1":
                    return f"tls-alpn-01: ALPN {tls.selected_alpn_protocol()!r}, not acme-tls/1"
                der = tls.getpeercert(binary_form=True)
        cert = x509.load_der_x509_certificate(der)
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        names = san.value.get_values_for_type(x509.DNSName)
        if names != [name]:
            return f"tls-alpn-01: the certificate names {names}, not [{name}]"
        try:
            ext = cert.extensions.get_extension_for_oid(ACME_IDENTIFIER_OID)
        except x509.ExtensionNotFound:
            return "tls-alpn-01: no acmeIdentifier extension"
        if not ext.critical:
            return "tls-alpn-01: the acmeIdentifier extension is not critical"
        expected = b"\x04\x20" + hashlib.sha256(key_authorization.encode()).digest()
        if ext.value.value != expected:
            return "tls-alpn-01: acmeIdentifier does not hold the key authorization's digest"
        return None

    def finalize(self, account, order_id, payload):
        s = self.state
        with s.lock:
            order = self.owned(s.orders, order_id, account)
            if order["status"] != "ready":
                raise Problem(403, "orderNotReady", f"the order is {order['status']}")
        try:
            csr = x509.load_der_x509_csr(unb64u((payload or {})["csr"]))
        except (KeyError, ValueError) as e:
            raise Problem(400, "badCSR", f"not a CSR: {e}")
        if not csr.is_signature_valid:
            raise Problem(400, "badCSR", "the CSR's signature does not verify")
        try:
            names = csr.extensions.get_extension_for_oid(
                ExtensionOID.SUBJECT_ALTERNATIVE_NAME
            ).value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        if sorted(n.lower() for n in names) != sorted(order["names"]):
            raise Problem(400, "badCSR", f"the CSR names {names}, the order {order['names']}")
        cert = s.ca.issue(csr.public_key(), order["names"], s.lifetime)
        pem = cert.public_bytes(serialization.Encoding.PEM)
        with s.lock:
            cert_id = s.next_id()
            s.certs[cert_id] = pem
            order["status"] = "valid"
            order["cert"] = cert_id
            s.stats["issued"] += 1
            body = self.order_json(order_id)
        self.reply(200, body, {"Location": s.url(f"/order/{order_id}")})

    def get_cert(self, account, cert_id, payload):
        s = self.state
        with s.lock:
            pem = s.certs.get(cert_id)
        if pem is None:
            raise Problem(404, "malformed", "no such certificate")
        self.reply(200, pem, content_type="application/pem-certificate-chain")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root-out", required=True, help="where to write the root (PEM)")
    parser.add_argument("--lifetime", type=int, default=90 * 86400, help="seconds")
    args = parser.parse_args()
    ca = CA(args.lifetime)
    with open(args.root_out, "wb") as f:
        f.write(ca.root.public_bytes(serialization.Encoding.PEM))
    # The directory's own HTTPS certificate, from the same root.
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca.root.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now() - datetime.timedelta(days=1))
        .not_valid_after(now() + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    pem_path = args.root_out + ".server.pem"
    with open(pem_path, "wb") as f:
        f.write(server_cert.public_bytes(serialization.Encoding.PEM))
        f.write(
            server_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    server.state = State(ca, f"https://127.0.0.1:{port}", args.lifetime)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
