#!/usr/bin/env bash
# Regenerates openssl-table.txt: Streebog digests of messages of length
# 0..300 computed by OpenSSL's gost engine (Debian: libengine-gost-openssl).
#
# Message n (n = 0..300) has n bytes; byte i of it is (i*31 + n*7 + 3) mod 256.
# gost/streebog/openssl_table_test.go builds the same messages.
#
# Output lines: "n hex256 hex512", digests in OpenSSL's byte order.
#
#   ./gen.sh            # writes openssl-table.txt next to this script
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")"
out=openssl-table.txt
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp" "$tmp.msg"' EXIT

# msg N writes message N to stdout. printf octal escapes carry the raw bytes,
# NUL included.
msg() {
	local n=$1 i fmt='' o
	for ((i = 0; i < n; i++)); do
		printf -v o '\\%03o' $(((i * 31 + n * 7 + 3) % 256))
		fmt+=$o
	done
	# shellcheck disable=SC2059 # the format is the message
	printf "$fmt"
}

# digest ALG FILE prints the hex digest. OpenSSL prints "ALG(FILE)= HEX" on
# stdout and may print 'Engine "gost" set.' on stderr; take only a line of
# the expected shape and fail loudly otherwise.
digest() {
	local want=$1 line hex
	line=$(openssl dgst -engine gost "-$1" "$2" 2>/dev/null | grep -E "= [0-9a-f]+$" | tail -n 1) || true
	hex=${line##*= }
	case $want in
	md_gost12_256) [[ $hex =~ ^[0-9a-f]{64}$ ]] ;;
	md_gost12_512) [[ $hex =~ ^[0-9a-f]{128}$ ]] ;;
	esac || {
		echo "gen.sh: openssl dgst -engine gost -$want gave no digest; is libengine-gost-openssl installed?" >&2
		exit 1
	}
	printf '%s' "$hex"
}

for ((n = 0; n <= 300; n++)); do
	msg "$n" >"$tmp.msg"
	size=$(wc -c <"$tmp.msg")
	if ((size != n)); then
		echo "gen.sh: message $n has $size bytes" >&2
		exit 1
	fi
	printf '%d %s %s\n' "$n" "$(digest md_gost12_256 "$tmp.msg")" "$(digest md_gost12_512 "$tmp.msg")" >>"$tmp"
done

chmod 0644 "$tmp"
mv "$tmp" "$out"
echo "wrote $(wc -l <"$out") lines to $(pwd)/$out"
