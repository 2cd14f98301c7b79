// Package clientlimit bounds what one client address may do to the HTTP
// server, and all of them together: how many connections it may hold
// open on the listener (ConnLimits; a connection over a limit is refused
// and, on plain HTTP, its request answered), and how often it may fail
// authentication before it is made to wait (AuthFailureLimits). It knows
// nothing of routes, tokens or the CA: package api decides what a
// refusal and a block look like to the client.
//
// A client address is the TCP peer's (behind a reverse proxy: the
// proxy's; no forwarding header is trusted): an IPv4 address, or the /64
// an IPv6 address is in.
package clientlimit

import "net"

// clientKey is a client address: IPv4 (as IPv4-mapped IPv6) or an IPv6 /64.
type clientKey [16]byte

func clientKeyOf(ip net.IP) (clientKey, bool) {
	var k clientKey
	ip16 := ip.To16()
	if ip16 == nil {
		return k, false
	}
	copy(k[:], ip16)
	if ip.To4() == nil {
		clear(k[8:]) // the /64
	}
	return k, true
}
