package main

import "log/slog"

// warnPublicURL says loudly, at every start without server.public_url,
// that issued certificates will name the listen address: their CRL
// distribution points, OCSP and CA-issuer URLs point at a socket relying
// parties elsewhere cannot reach, and a certificate keeps its URLs for
// life.
func warnPublicURL(log *slog.Logger, derived string) {
	log.Warn("server.public_url is not set: every certificate issued now names "+derived+
		" in its CRL distribution points, OCSP and CA-issuer URLs (the listen address), which relying parties elsewhere cannot reach; "+
		"set server.public_url (or GOSTCA_SERVER_PUBLIC_URL) to the URL they use before issuing real certificates",
		"public_url", derived)
}
