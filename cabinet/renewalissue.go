package cabinet

import (
	"context"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// renewalOrgUnchanged refuses the issuance of a renewal the cabinet
// opened (its first event is ra.ActRenew) when the tax registry's latest
// record shows the organisation or its head changed since the renewed
// certificate's organisation data were checked: the same rule as at
// eligibility, opening and the signature, run again at the last step,
// since a registry answer may have arrived after the signature. An
// application that is not such a renewal passes. It writes nothing.
func (s *Service) renewalOrgUnchanged(ctx context.Context, sub *Subscriber, a *store.Application) error {
	if a.Kind != store.AppKindReplacement || len(a.Replaces) == 0 || s.opts.Renewal.Registry == nil {
		return nil
	}
	if _, ok := store.OrgKeyOf(&a.Org); !ok {
		return nil
	}
	h, err := s.ra.History(ctx, sub.actor(), a.ID)
	if err != nil {
		return err
	}
	if len(h) == 0 || h[0].Action != string(ra.ActRenew) {
		return nil
	}
	c, err := s.subscriberCert(ctx, sub, a.Replaces)
	if err != nil {
		return err
	}
	var req RenewalRequest
	if err := s.renewalOrgFacts(ctx, c, &req); err != nil {
		return err
	}
	if ref := orgRefusal(req); ref != nil {
		return refusalError(ref)
	}
	return nil
}
