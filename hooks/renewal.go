package hooks

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/store"
)

// Renewal reminders: every hooks.renewal_interval the job looks through
// the expiry index for valid certificates expiring within the largest of
// hooks.renewal_days, and writes for each one e-mail row of kind
// "renewal" for the smallest threshold it has crossed — once per
// certificate and threshold, across restarts (store.OutboxOnce keys the
// row by serial and threshold). A certificate found late (after a
// longer outage) gets only the reminder of the threshold it is at. The
// address is the certificate's emailAddress, else the owner's e-mail in
// the application it was issued for; with neither there is no reminder.

func (d *Deliverer) renewalsOn() bool {
	if len(d.cfg.RenewalDays) == 0 {
		return false
	}
	for _, h := range d.targets {
		if h.kind == HookRenewal {
			return true
		}
	}
	return false
}

func (d *Deliverer) runRenewals(ctx context.Context) {
	t := time.NewTicker(d.cfg.RenewalInterval)
	defer t.Stop()
	for {
		if n, err := d.RenewalPass(ctx, time.Now()); err != nil && ctx.Err() == nil {
			d.log.Error("renewal reminder pass failed", "err", err)
		} else if n > 0 {
			d.kickKind(HookRenewal)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RenewalPass writes the reminders due at now; it returns how many rows
// it wrote.
func (d *Deliverer) RenewalPass(ctx context.Context, now time.Time) (int, error) {
	days := slices.Clone(d.cfg.RenewalDays)
	slices.Sort(days)
	if len(days) == 0 {
		return 0, nil
	}
	wrote := 0
	cursor := ""
	for {
		page, next, err := d.st.Expiring(ctx, now, now.Add(time.Duration(days[len(days)-1])*24*time.Hour), cursor, 500)
		if err != nil {
			return wrote, err
		}
		for i := range page {
			rec := &page[i]
			if rec.Status.State != store.Valid {
				continue
			}
			left := rec.NotAfter.Sub(now)
			at := -1
			for _, t := range days {
				if left <= time.Duration(t)*24*time.Hour {
					at = t
					break
				}
			}
			if at < 0 {
				continue
			}
			to := d.msg.OwnerEmail(ctx, rec)
			if to == "" {
				continue
			}
			ok, err := d.st.OutboxOnce(ctx, message.SerialHex(rec.Serial)+"/"+strconv.Itoa(at),
				store.OutboxRow{Kind: HookRenewal, Serial: rec.Serial, Payload: message.RenewalPayload(to, rec, at)})
			if err != nil {
				return wrote, err
			}
			if ok {
				wrote++
			}
		}
		if next == "" {
			return wrote, nil
		}
		cursor = next
	}
}
