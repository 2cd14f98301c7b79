package hooks

import (
	"context"
	"fmt"
	"math/big"
	"strconv"

	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/store"
)

// Operators' view of the outbox: list pending and dead rows, see one
// row's attempts, redrive or cancel it. Each change appends its audit
// entry in the batch of the change (store.OutboxRedrive, OutboxCancel).

// List returns rows of kind ("" for all) in state, at most limit.
func (d *Deliverer) List(ctx context.Context, kind string, state store.OutboxState, after uint64, limit int) ([]store.OutboxRow, error) {
	return d.st.OutboxList(ctx, kind, state, after, limit)
}

// Row returns one row.
func (d *Deliverer) Row(ctx context.Context, id uint64) (*store.OutboxRow, error) {
	return d.st.Outbox(ctx, id)
}

// Redrive makes a dead or waiting row due now with a fresh attempt budget
// and wakes its worker. actor is who asked (the audit log's actor).
func (d *Deliverer) Redrive(ctx context.Context, actor string, id uint64) (*store.OutboxRow, error) {
	r, err := d.st.OutboxRedrive(ctx, id, store.AuditEntry{Actor: actor, Action: "outbox.redrive",
		Subject: "outbox:" + strconv.FormatUint(id, 10), Details: "redriven"})
	if err != nil {
		return nil, err
	}
	d.kickKind(r.Kind)
	return r, nil
}

// Cancel gives a dead or pending row up; a row carrying a one-time code
// loses its payload.
func (d *Deliverer) Cancel(ctx context.Context, actor string, id uint64) (*store.OutboxRow, error) {
	r, err := d.st.Outbox(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.st.OutboxCancel(ctx, id, scrubOnDelivery(r.Kind, r.Payload), store.AuditEntry{Actor: actor, Action: "outbox.cancel",
		Subject: "outbox:" + strconv.FormatUint(id, 10), Details: "cancelled"})
}

// ESIAState is a certificate's ESIA registration as the callbacks left
// it; nil without error while none has come (pending).
func (d *Deliverer) ESIAState(ctx context.Context, serial []byte) (*store.HookState, error) {
	s, err := d.st.HookStateOf(ctx, HookESIA, new(big.Int).SetBytes(serial).Bytes())
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("hooks: ESIA state: %w", err)
	}
	return s, nil
}

func (d *Deliverer) kickKind(kind string) {
	for _, h := range d.targets {
		if h.kind == kind {
			select {
			case h.kick <- struct{}{}:
			default:
			}
		}
	}
}

// RedriveESIA queues the ESIA registration of a certificate again after
// ESIA answered with a failure (the earlier row was delivered, so it is
// final). Refused while the registration is pending, validating or
// succeeded.
func (d *Deliverer) RedriveESIA(ctx context.Context, actor string, serial []byte) (*store.OutboxRow, error) {
	// One at a time, so that two operators asking at once queue one row
	// (the check below and the write are not one store batch).
	d.esiaRedriveMu.Lock()
	defer d.esiaRedriveMu.Unlock()
	rec, err := d.st.Certificate(ctx, serial)
	if err != nil {
		return nil, err
	}
	rows := OutboxFor(rec.Profile)
	if len(rows) == 0 {
		return nil, fmt.Errorf("hooks: certificate %s is not qualified: it has no ESIA registration: %w", message.SerialHex(serial), store.ErrInvalidTransition)
	}
	st, err := d.ESIAState(ctx, serial)
	if err != nil {
		return nil, err
	}
	if st == nil || st.State == ESIAValidating || st.State == ESIASucceeded || st.State == ESIARedriven {
		return nil, fmt.Errorf("hooks: the ESIA registration of %s has not failed: %w", message.SerialHex(serial), store.ErrInvalidTransition)
	}
	row := rows[0]
	row.Serial = rec.Serial
	r, err := d.st.OutboxEnqueue(ctx, row, store.AuditEntry{Actor: actor, Action: "esia.redrive", Subject: message.SerialHex(serial),
		Details: "ESIA registration queued again after " + st.State})
	if err != nil {
		return nil, err
	}
	// Until ESIA answers the new registration, the state says it was
	// queued again, so a second redrive is refused.
	if err := d.st.TakeCallback(ctx, HookESIA, "redrive-"+strconv.FormatUint(r.ID, 10),
		&store.HookState{Kind: HookESIA, Subject: rec.Serial, State: ESIARedriven, Message: "queued again"}, nil, nil); err != nil {
		d.log.Error("ESIA redrive queued but its state not recorded", "id", r.ID, "err", err)
	}
	d.kickKind(HookESIA)
	return r, nil
}
