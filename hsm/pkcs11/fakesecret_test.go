package pkcs11

import p11 "github.com/miekg/pkcs11"

// GenerateKey: the fake token has no secret-key mechanisms; the HMAC key
// is tested on SoftHSM2 (secret_test.go).
func (f *fakeModule) GenerateKey(sh p11.SessionHandle, _ []*p11.Mechanism, _ []*p11.Attribute) (p11.ObjectHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, done, err := f.use(sh, "GenerateKey")
	if err != nil {
		return 0, err
	}
	defer done()
	return 0, p11.Error(p11.CKR_MECHANISM_INVALID)
}
