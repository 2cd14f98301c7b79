package hooks

import (
	"context"
	"fmt"

	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

// Outbox kinds besides HookESIA. The registration authority writes the
// first three (package ra/outbox: SMS, Email, RegistryCheck);
// the renewal job writes the last.
const (
	HookRegistryCheck = "registry_check"
	HookSMS           = "sms"
	HookEmail         = "email"
	HookRenewal       = "renewal"
)

// document builds the JSON body of a delivery of kind from its row
// (package message). The data is read at delivery time, so that it
// describes what is stored.
func (d *Deliverer) document(ctx context.Context, kind string, r *store.OutboxRow) ([]byte, error) {
	switch kind {
	case HookESIA:
		return d.msg.ESIA(ctx, r)
	case HookRegistryCheck:
		return d.msg.Registry(ctx, r)
	case HookSMS:
		return d.msg.SMS(r)
	case HookEmail, HookRenewal: // a renewal reminder is an e-mail
		return d.msg.Email(r)
	}
	return nil, fmt.Errorf("no document format for hook kind %q", kind)
}

// scrubOnDelivery: a row of a one-time code loses its payload when it is
// delivered or cancelled.
func scrubOnDelivery(kind string, payload []byte) bool {
	return kind == HookSMS && message.CarriesCode(payload)
}

// SetCodeSecret gives the delivery the one-time code secret: an SMS row
// of a code carries a nonce, and the code is derived from it only at
// delivery (message.Builder.SetCodeSecret). Without it such rows fail
// and are retried.
func (d *Deliverer) SetCodeSecret(s *otp.Secret) { d.msg.SetCodeSecret(s) }
