package cabinet

import (
	"context"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Cloud keys are package cloudkey's: the CA makes the key of a cloud
// certificate type and issues for it through the cabinet's consent and
// request checks, exported here.

// notCloud refuses a subscriber's own request for a cloud type: its key
// is made by the CA (package cloudkey).
func (s *Service) notCloud(certType string) error {
	if p, ok := s.ra.Profile(certType); ok && p.KeyStorage == appdata.KeyStorageCloud {
		return &Error{Code: CodeCloudType, Detail: "this certificate type's key is made by the CA: ask for it (cloud-key) instead of sending a request"}
	}
	return nil
}

// Ready checks that one of the subscriber's applications may be issued
// now (the consent to the data as it is, the payment where the type
// needs it) and returns it with the consent's SHA-256.
func (s *Service) Ready(ctx context.Context, sub *Subscriber, id string) (*store.Application, [32]byte, error) {
	return s.ready(ctx, sub, id)
}

// CheckRequest checks a PKCS#10 request for an application as issuance
// would (proof of possession, the key type, the key never certified)
// and returns its DER.
func (s *Service) CheckRequest(ctx context.Context, a *store.Application, csr []byte) ([]byte, error) {
	return s.request(ctx, a, csr)
}
