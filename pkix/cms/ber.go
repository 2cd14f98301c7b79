package cms

import "fmt"

// A BER reader that rewrites its input in the distinguished form
// cryptobyte reads: definite lengths in the fewest octets, and
// constructed OCTET STRINGs (the chunks streaming encoders cut content
// into) joined into one primitive OCTET STRING. CryptoPro and
// `openssl cms -stream` emit indefinite lengths; both emit DER inside
// the signed attributes, whose bytes are kept as found.
//
// It is not a full BER-to-DER converter: SET OF order, BOOLEAN and
// INTEGER forms are left as found, and constructed forms of string types
// other than OCTET STRING are refused (CMS signers do not write them).
//
// The walk is bounded: nesting depth (maxDepth), number of elements
// (maxElements), and the caller bounds the input size. The output is
// built in one buffer after the lengths are known, so the cost is linear
// in the input.

const (
	maxDepth    = 32
	maxElements = 1 << 16
)

// berNode is one element of the parsed tree, in pre-order.
type berNode struct {
	ident   []byte // identifier octets as found
	content []byte // primitive content; nil for constructed
	kids    []int  // indexes of the children, in order
	n       int    // content length of the canonical encoding
	octets  bool   // constructed OCTET STRING: written as one primitive
}

type berReader struct {
	nodes   []berNode
	changed bool // the input is not already in the canonical form
}

// toDER returns in in canonical definite-length form. When in already
// is, it is returned as is (no copy).
func toDER(in []byte) ([]byte, error) {
	r := &berReader{}
	root, rest, err := r.element(in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the ContentInfo", ErrMalformed, len(rest))
	}
	if !r.changed {
		return in, nil
	}
	size := r.encodedLen(root)
	out := make([]byte, 0, size)
	out = r.write(out, root)
	return out, nil
}

func berError(why string) error {
	return fmt.Errorf("%w: BER: %s", ErrMalformed, why)
}

// element parses one element from the start of in.
func (r *berReader) element(in []byte, depth int) (idx int, rest []byte, err error) {
	if depth > maxDepth {
		return 0, nil, fmt.Errorf("%w: BER: nested deeper than %d", ErrMalformed, maxDepth)
	}
	if len(r.nodes) >= maxElements {
		return 0, nil, fmt.Errorf("%w: more than %d BER elements", ErrTooLarge, maxElements)
	}
	if len(in) < 2 {
		return 0, nil, berError("truncated element")
	}
	// Identifier octets: one, or a high tag number in up to 4 more.
	p := 1
	if in[0]&0x1f == 0x1f {
		for {
			if p >= len(in) || p > 4 {
				return 0, nil, berError("bad or too long tag")
			}
			b := in[p]
			p++
			if b&0x80 == 0 {
				break
			}
		}
	}
	ident := in[:p]
	constructed := in[0]&0x20 != 0
	if p >= len(in) {
		return 0, nil, berError("truncated length")
	}
	lb := in[p]
	p++
	length, indefinite := 0, false
	switch {
	case lb < 0x80:
		length = int(lb)
	case lb == 0x80:
		if !constructed {
			return 0, nil, berError("indefinite length on a primitive element")
		}
		indefinite = true
		r.changed = true
	case lb == 0xff:
		return 0, nil, berError("reserved length octet 0xFF")
	default:
		n := int(lb & 0x7f)
		if n > 4 || p+n > len(in) {
			return 0, nil, berError("length too large or truncated")
		}
		for i := 0; i < n; i++ {
			length = length<<8 | int(in[p+i])
		}
		p += n
		if length < 0x80 || in[p-n] == 0 {
			r.changed = true // not the shortest form
		}
	}
	idx = len(r.nodes)
	r.nodes = append(r.nodes, berNode{ident: ident})
	if !constructed {
		if length > len(in)-p {
			return 0, nil, berError("truncated content")
		}
		r.nodes[idx].content = in[p : p+length]
		r.nodes[idx].n = length
		return idx, in[p+length:], nil
	}
	octets := false
	if len(ident) == 1 {
		switch in[0] {
		case 0x24:
			octets = true
			r.changed = true
		case 0x23, 0x2c, 0x32, 0x33, 0x34, 0x36, 0x3a, 0x3c, 0x3e:
			return 0, nil, berError(fmt.Sprintf("constructed string form (tag 0x%02x) not supported", in[0]))
		}
	}
	body := in[p:]
	if !indefinite {
		if length > len(body) {
			return 0, nil, berError("truncated content")
		}
		body, rest = body[:length], body[length:]
	}
	var kids []int
	total := 0
	for {
		if indefinite {
			if len(body) >= 2 && body[0] == 0 && body[1] == 0 {
				rest = body[2:]
				break
			}
			if len(body) == 0 {
				return 0, nil, berError("missing end-of-contents")
			}
		} else if len(body) == 0 {
			break
		}
		kid, after, err := r.element(body, depth+1)
		if err != nil {
			return 0, nil, err
		}
		k := &r.nodes[kid]
		if octets {
			if !(len(k.ident) == 1 && (k.ident[0] == 0x04 || k.ident[0] == 0x24)) {
				return 0, nil, berError("piece of a constructed OCTET STRING is not an OCTET STRING")
			}
			total += k.n
		} else {
			if k.ident[0] == 0 && len(k.ident) == 1 {
				return 0, nil, berError("stray end-of-contents")
			}
			total += r.encodedLen(kid)
		}
		kids = append(kids, kid)
		body = after
	}
	nd := &r.nodes[idx]
	nd.kids, nd.n, nd.octets = kids, total, octets
	return idx, rest, nil
}

// encodedLen is the size of node i's canonical encoding.
func (r *berReader) encodedLen(i int) int {
	nd := &r.nodes[i]
	idLen := len(nd.ident)
	if nd.octets {
		idLen = 1
	}
	return idLen + lengthLen(nd.n) + nd.n
}

func lengthLen(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n <= 0xff:
		return 2
	case n <= 0xffff:
		return 3
	case n <= 0xffffff:
		return 4
	}
	return 5
}

func appendLength(out []byte, n int) []byte {
	switch lengthLen(n) {
	case 1:
		return append(out, byte(n))
	case 2:
		return append(out, 0x81, byte(n))
	case 3:
		return append(out, 0x82, byte(n>>8), byte(n))
	case 4:
		return append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// write appends node i in canonical form.
func (r *berReader) write(out []byte, i int) []byte {
	nd := &r.nodes[i]
	if nd.octets {
		out = append(out, 0x04)
		out = appendLength(out, nd.n)
		return r.writeOctets(out, i)
	}
	out = append(out, nd.ident...)
	out = appendLength(out, nd.n)
	if nd.content != nil || len(nd.kids) == 0 {
		return append(out, nd.content...)
	}
	for _, k := range nd.kids {
		out = r.write(out, k)
	}
	return out
}

// writeOctets appends the joined content of a constructed OCTET STRING.
func (r *berReader) writeOctets(out []byte, i int) []byte {
	nd := &r.nodes[i]
	if !nd.octets {
		return append(out, nd.content...)
	}
	for _, k := range nd.kids {
		out = r.writeOctets(out, k)
	}
	return out
}
