#!/usr/bin/env bash
# Regenerates the PKCS#10 requests in this directory with OpenSSL 3 and
# Debian's gost engine (libengine-gost-openssl): one request per production
# GOST R 34.10-2012 parameter set (every OID alias OpenSSL writes), plus
# ECDSA P-256 and P-384. Subjects and extension requests come from
# openssl.cnf. Keys are fresh each run and thrown away (-keyout /dev/null),
# so the bytes change every time; pkix/csr_test.go checks content, not bytes.
#
#   ./gen.sh            # writes *.der and *.pem next to this script
#
# The malformed requests of the tests are built in Go (pkix/csr_test.go),
# where each defect can be made precisely and re-signed.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen FILE SECTION EXTS KEYARGS...
#   FILE      output name; .der is written as DER, .pem as PEM, .new.pem as
#             PEM under "NEW CERTIFICATE REQUEST" (-newhdr)
#   SECTION   openssl.cnf section of the request (req_person, ...)
#   EXTS      extension section for the extensionRequest attribute, or -
#   KEYARGS   key generation and digest options
gen() {
	local file=$1 section=$2 exts=$3
	shift 3
	local args=(req -new -nodes -keyout /dev/null -config openssl.cnf -section "$section" "$@")
	if [[ $exts != - ]]; then
		args+=(-reqexts "$exts")
	fi
	case $file in
	*.new.pem) args+=(-outform PEM -newhdr) ;;
	*.pem) args+=(-outform PEM) ;;
	*.der) args+=(-outform DER) ;;
	*) echo "gen.sh: $file: unknown extension" >&2; exit 1 ;;
	esac
	if ! openssl "${args[@]}" -out "$tmp/$file" 2>"$tmp/err"; then
		echo "gen.sh: openssl ${args[*]} failed:" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	# Proof of possession, checked by OpenSSL itself before we keep it.
	local inform=PEM
	[[ $file == *.der ]] && inform=DER
	if ! openssl req -engine gost -verify -noout -inform "$inform" -in "$tmp/$file" 2>&1 |
		grep -q 'verify OK'; then
		echo "gen.sh: $file: OpenSSL does not verify its own request" >&2
		exit 1
	fi
	mv "$tmp/$file" "$file"
	echo "$file"
}

g256() { echo -engine gost -newkey gost2012_256 -pkeyopt "paramset:$1"; }
g512() { echo -engine gost -newkey gost2012_512 -pkeyopt "paramset:$1"; }
ec() { echo -newkey ec -pkeyopt "ec_paramgen_curve:$1" "-$2"; }

# GOST R 34.10-2012 256: OpenSSL's paramset names and the OID each writes.
# shellcheck disable=SC2046 # word splitting of the key options is wanted
{
	gen gost256-tca.der req_person ext_qualified $(g256 TCA)   # tc26-256-A
	gen gost256-tcb.der req_person - $(g256 TCB)               # tc26-256-B
	gen gost256-cpa.der req_person ext_qualified $(g256 A)     # CryptoPro-A
	gen gost256-cpxa.der req_employee - $(g256 XA)             # CryptoPro-XchA
	gen gost256-tcc.der req_employee ext_full $(g256 TCC)      # tc26-256-C
	gen gost256-cpb.der req_person ext_qualified $(g256 B)     # CryptoPro-B
	gen gost256-tcd.der req_person - $(g256 TCD)               # tc26-256-D
	gen gost256-cpc.der req_employee ext_full $(g256 C)        # CryptoPro-C
	gen gost256-cpxb.der req_person ext_qualified $(g256 XB)   # CryptoPro-XchB

	# GOST R 34.10-2012 512: tc26-512-A, -B, -C.
	gen gost512-a.der req_person ext_qualified $(g512 A)
	gen gost512-b.der req_employee ext_full $(g512 B)
	gen gost512-c.der req_person - $(g512 C)

	gen ecdsa-p256.der req_person ext_qualified $(ec P-256 sha256)
	gen ecdsa-p384.der req_employee ext_full $(ec P-384 sha384)

	# PEM, both header forms; challengePassword and unstructuredName.
	gen gost256-tca-attrs.new.pem req_attrs - $(g256 TCA)
	gen gost512-c.pem req_employee ext_qualified $(g512 C)
}
