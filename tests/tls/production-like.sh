#!/usr/bin/env bash
# Makes, in the current directory, what a site gets from a public CA, so a scanner judges the
# server and not a test certificate: a CA (ca.pem), a 90-day P-256 leaf for localhost signed by
# it with the server-auth usage and the revocation pointers a browser looks for (cert.pem,
# key.pem), and the CA's OCSP response for it (ocsp.der), to staple.
set -euo pipefail
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj /CN=bext-test-ca \
    -addext 'basicConstraints=critical,CA:true' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
    -keyout key.pem -out leaf.csr 2>/dev/null
cat > leaf.ext <<'EXT'
subjectAltName=DNS:localhost
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
authorityInfoAccess=OCSP;URI:http://ocsp.bext.test/
crlDistributionPoints=URI:http://crl.bext.test/ca.crl
EXT
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 \
    -extfile leaf.ext -out cert.pem 2>/dev/null
serial="$(openssl x509 -in cert.pem -noout -serial | cut -d= -f2)"
expires="$(date -u -d '+90 days' +%y%m%d%H%M%SZ)"
printf 'V\t%s\t\t%s\tunknown\t/CN=localhost\n' "$expires" "$serial" > index.txt
openssl ocsp -issuer ca.pem -cert cert.pem -no_nonce -reqout request.der >/dev/null 2>&1
openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -reqin request.der \
    -respout ocsp.der -ndays 7 >/dev/null 2>&1
test -s ocsp.der
