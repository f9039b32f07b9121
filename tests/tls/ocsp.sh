#!/usr/bin/env bash
# Makes, in the current directory, a test CA (ca.pem), a leaf certificate for localhost signed
# by it (cert.pem, key.pem) and the CA's OCSP response saying the leaf is good (ocsp.der):
# what a real CA's responder would hand out, made with openssl's own responder.
set -euo pipefail
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bext-test-ca \
    -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
    -keyout key.pem -out leaf.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile leaf.ext -out cert.pem 2>/dev/null
serial="$(openssl x509 -in cert.pem -noout -serial | cut -d= -f2)"
expires="$(date -u -d '+2 days' +%y%m%d%H%M%SZ)"
printf 'V\t%s\t\t%s\tunknown\t/CN=localhost\n' "$expires" "$serial" > index.txt
openssl ocsp -issuer ca.pem -cert cert.pem -no_nonce -reqout request.der >/dev/null 2>&1
openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -reqin request.der \
    -respout ocsp.der -ndays 1 >/dev/null 2>&1
test -s ocsp.der
