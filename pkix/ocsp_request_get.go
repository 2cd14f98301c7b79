package pkix

import "encoding/base64"

// ParseOCSPRequestGET parses the request of an HTTP GET (RFC 6960
// Appendix A.1): path is what follows the responder's base URL, the
// URL-escaped base64 of the DER. Standard and URL-safe alphabets, with
// or without padding, are accepted, and so is a '+' turned into a space
// by a form decoder on the way.
func ParseOCSPRequestGET(path string) (*OCSPRequest, error) { return parseOCSPRequestGET(path) }

// ParseOCSPRequestGETBytes is ParseOCSPRequestGET of a path held in
// bytes (an HTTP server's request URI), without copying it to a string.
// The request does not alias path.
func ParseOCSPRequestGETBytes(path []byte) (*OCSPRequest, error) { return parseOCSPRequestGET(path) }

// parseOCSPRequestGET undoes the URL escaping and the base64 in one pass
// over path, on the stack for requests of ordinary size: the DER is the
// only allocation before ParseOCSPRequest's own. It accepts what
// url.PathUnescape followed by the base64 decoding accepts.
func parseOCSPRequestGET[T string | []byte](path T) (*OCSPRequest, error) {
	const what = "OCSP GET request"
	// %XX escapes triple the length at most.
	if len(path) > 3*base64.StdEncoding.EncodedLen(MaxOCSPRequestSize) {
		return nil, errf("%s: %w: %d bytes", what, ErrTooLarge, len(path))
	}
	var stack [512]byte
	b64 := stack[:0]
	if len(path) > len(stack) {
		b64 = make([]byte, 0, len(path))
	}
	urlSafe := false
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '%' {
			if i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2]) {
				end := min(i+3, len(path))
				return nil, errf("%s: %w: URL escaping: invalid URL escape %q", what, ErrMalformed, string(path[i:end]))
			}
			c = unHex(path[i+1])<<4 | unHex(path[i+2])
			i += 2
		}
		switch c {
		case ' ':
			c = '+' // a form decoder's space was a '+'
		case '-', '_':
			urlSafe = true
		}
		b64 = append(b64, c)
	}
	for len(b64) > 0 && b64[len(b64)-1] == '=' {
		b64 = b64[:len(b64)-1]
	}
	enc := base64.RawStdEncoding
	if urlSafe {
		enc = base64.RawURLEncoding
	}
	der := make([]byte, enc.DecodedLen(len(b64)))
	n, err := enc.Decode(der, b64)
	if err != nil {
		return nil, errf("%s: %w: base64: %v", what, ErrMalformed, err)
	}
	req, err := ParseOCSPRequest(der[:n])
	if err != nil {
		return nil, wrapCtx(what, err)
	}
	return req, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unHex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
