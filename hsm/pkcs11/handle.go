package pkcs11

import (
	"sync"

	p11 "github.com/miekg/pkcs11"
)

// objectHandle is a key object's handle, valid for one generation of the
// token's sessions: after a re-establishment (a new generation) the
// object is found again before its next use.
type objectHandle struct {
	mu  sync.Mutex
	gen uint64           // generation of h
	h   p11.ObjectHandle // the object
}

// get returns the handle for s's generation, calling find on the first use
// in a new generation.
func (o *objectHandle) get(s *session, find func() (p11.ObjectHandle, error)) (p11.ObjectHandle, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.gen == s.gen {
		return o.h, nil
	}
	h, err := find()
	if err != nil {
		return 0, err
	}
	o.gen, o.h = s.gen, h
	return h, nil
}

// signOn signs data on session s with the object of o and mech
// (C_SignInit, C_Sign): a key's signature or an HMAC.
func (t *Token) signOn(s *session, o *objectHandle, find func() (p11.ObjectHandle, error), mech []*p11.Mechanism, data []byte) ([]byte, error) {
	h, err := o.get(s, find)
	if err != nil {
		return nil, err
	}
	if err := t.mod.api.SignInit(s.h, mech, h); err != nil {
		return nil, err
	}
	return t.mod.api.Sign(s.h, data)
}
