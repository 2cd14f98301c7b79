// Package hooks delivers outbox rows to external systems — the ESIA
// registration of every qualified certificate, registry (SMEV) checks,
// SMS, e-mail and renewal reminders — and takes their answers back. The
// rows are written in the same store batch as the change that causes them
// (an issuance, an application's change, the renewal job); a worker per
// configured kind sends each as a signed Standard Webhook
// (signature.go), logs every attempt, retries with jittered backoff and,
// at the kind's attempt limit, leaves the row dead for an operator
// (admin.go). Signed callbacks (callbacks.go) move a certificate's ESIA
// registration state and feed registry answers to the registration
// authority; a receiver that only offers status queries is polled with
// signed requests until its signed final answer, taken the same way
// (poll.go). The workers' results are written in groups (results.go).
// What each row's body is — the ESIA registration, a registry request, a
// notice from its template — is package hooks/message's (kinds.go).
// docs/integrations.md describes the whole.
package hooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// HookESIA is the outbox kind of ESIA registrations: every qualified
// certificate gets one row, written in the same batch as the certificate
// (63-FZ art. 18 p. 5 obliges the CA to register it). A worker delivers
// the rows to the ESIA connector named by hooks.esia_url.
const HookESIA = "esia"

// hookPageSize bounds the rows one delivery pass takes.
const hookPageSize = 256

// OutboxFor returns the outbox rows committed with a certificate of a
// profile (signer.Options.Outbox): an ESIA registration for qualified
// profiles.
func OutboxFor(profile string) []store.OutboxRow {
	if p, ok := pkix.ProfileByName(profile); !ok || !p.Qualified {
		return nil
	}
	return []store.OutboxRow{{Kind: HookESIA, Payload: message.ESIAPayload(profile)}}
}

// Kick wakes the workers after an issuance.
func (d *Deliverer) Kick() {
	for _, hs := range [2][]*hookTarget{d.targets, d.idle} {
		for _, h := range hs {
			select {
			case h.kick <- struct{}{}:
			default:
			}
		}
	}
}

// Run delivers due rows until ctx is done: one worker per configured hook,
// each on every Kick and every hooks.poll_interval. It returns when every
// worker has stopped.
func (d *Deliverer) Run(ctx context.Context) {
	var wg sync.WaitGroup
	if d.renewalsOn() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.runRenewals(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.results.run(ctx)
	}()
	for _, h := range d.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.loop(ctx, h)
		}()
	}
	for _, h := range d.idle {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.countDue(ctx, h)
		}()
	}
	wg.Wait()
}

// loop delivers due rows of one hook kind.
func (d *Deliverer) loop(ctx context.Context, h *hookTarget) {
	t := time.NewTicker(d.cfg.PollInterval)
	defer t.Stop()
	for {
		if _, err := d.deliverHooks(ctx, h); err != nil && ctx.Err() == nil {
			d.log.Error("hook delivery pass failed", "kind", h.kind, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.kick:
		}
	}
}

// deliverHooks runs one pass: every due row of h's kind is delivered, up to
// hooks.concurrency at a time. It returns how many were delivered. Passes
// of one kind never overlap (one loop per kind), so a row is never sent
// twice at once; the receiver still gets an Idempotency-Key, because a
// crash between its 2xx and OutboxDone sends the row again.
func (d *Deliverer) deliverHooks(ctx context.Context, h *hookTarget) (int, error) {
	delivered := 0
	if dead, err := d.st.OutboxList(ctx, h.kind, store.OutboxDeadRows, 0, 1000); err == nil {
		d.m.hookDeadNow.WithLabelValues(h.kind).Set(float64(len(dead)))
	}
	d.countTickets(ctx, h)
	for {
		rows, err := d.st.OutboxPending(ctx, h.kind, hookPageSize)
		if err != nil {
			return delivered, fmt.Errorf("hooks: %s: %w", h.kind, err)
		}
		d.m.hookDue.WithLabelValues(h.kind).Set(float64(len(rows)))
		if len(rows) == 0 {
			return delivered, nil
		}
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			sem = make(chan struct{}, h.concurrency)
		)
		ok := 0
		for i := range rows {
			if ctx.Err() != nil {
				break
			}
			sem <- struct{}{}
			wg.Add(1)
			go func(r *store.OutboxRow) {
				defer func() { <-sem; wg.Done() }()
				if d.deliverHook(ctx, h, r) {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}(&rows[i])
		}
		wg.Wait()
		delivered += ok
		if ctx.Err() != nil || ok == 0 || len(rows) < hookPageSize {
			// Nothing more due now, or every attempt failed: the failed
			// rows moved to their next attempt; wait for the timer.
			return delivered, nil
		}
	}
}

// deliverHook sends one row and records the outcome; true when delivered.
// Every attempt is logged on the row (status code, escaped and bounded
// error, duration); a failure either schedules the next attempt with
// backoff and jitter or, at the kind's attempt limit, makes the row dead.
// The outcome joins the other workers' in one synced write (results.go).
// A row holding a polling receiver's ticket is asked about, not sent
// again (poll.go) — unless the kind was switched back to callbacks: then
// the request is sent again (same webhook-id) and the answer awaited as
// a callback.
func (d *Deliverer) deliverHook(ctx context.Context, h *hookTarget, r *store.OutboxRow) bool {
	if r.Ticket != "" && h.poll() {
		return d.pollHook(ctx, h, r)
	}
	start := time.Now()
	code, body, err := d.sendHook(ctx, h, r)
	att := store.OutboxAttempt{At: start, Code: code, Took: time.Since(start)}
	d.m.hookAttempt.WithLabelValues(h.kind).Observe(att.Took.Seconds())
	if err == nil && h.poll() {
		return d.takeTicket(ctx, h, r, att, code, body)
	}
	if err == nil {
		res := d.results.submit(ctx, store.OutboxResult{ID: r.ID, Attempt: att, Delivered: true, Scrub: scrubOnDelivery(h.kind, r.Payload)})
		if res.Err != nil {
			d.log.Error("hook delivered but not recorded (it will be sent again)", "kind", h.kind, "id", r.ID, "err", res.Err)
			return false
		}
		d.m.hookDeliveries.WithLabelValues(h.kind, "ok").Inc()
		d.m.hookLag.WithLabelValues(h.kind).Observe(time.Since(r.CreatedAt).Seconds())
		return true
	}
	if ctx.Err() != nil {
		return false // shutting down: the row stays due
	}
	d.failed(ctx, h, r, att, err)
	return false
}

// failed records a failed send: the next attempt, or dead at the limit.
func (d *Deliverer) failed(ctx context.Context, h *hookTarget, r *store.OutboxRow, att store.OutboxAttempt, err error) {
	d.m.hookDeliveries.WithLabelValues(h.kind, "error").Inc()
	att.Error = attemptText(err.Error(), 512)
	next := time.Now().Add(d.backoff(r.Attempts))
	res := d.results.submit(ctx, store.OutboxResult{ID: r.ID, Attempt: att, Next: next, MaxAttempts: h.maxAttempts})
	if res.Err != nil {
		d.log.Error("hook attempt not recorded", "kind", h.kind, "id", r.ID, "err", res.Err)
		return
	}
	if res.Dead {
		d.m.hookDead.WithLabelValues(h.kind).Inc()
		d.log.Error("hook row dead: attempt limit reached; redrive or cancel it (gostca outbox)", "kind", h.kind, "id", r.ID,
			"attempts", r.Attempts+1, "err", att.Error)
		return
	}
	d.log.Warn("hook delivery failed", "kind", h.kind, "id", r.ID, "attempt", r.Attempts+1,
		"next_attempt", next.UTC().Format(time.RFC3339), "err", att.Error)
}

// maxAnswerBody bounds the receiver's answer read (a ticket, a status).
const maxAnswerBody = 64 << 10

// sendHook POSTs the row's document, signed; nil only on a 2xx answer.
// It returns the HTTP status (0 when none came) and the answer's body
// (at most maxAnswerBody).
func (d *Deliverer) sendHook(ctx context.Context, h *hookTarget, r *store.OutboxRow) (int, []byte, error) {
	body, err := d.document(ctx, h.kind, r)
	if err != nil {
		return 0, nil, err
	}
	hdr := http.Header{}
	hdr.Set("Idempotency-Key", idempotencyKey(h.kind, r))
	hdr.Set("X-GostCA-Delivery", strconv.FormatUint(r.ID, 10))
	resp, answer, err := d.post(ctx, h, h.url, WebhookID(h.kind, r.ID), hdr, body)
	if err != nil {
		return 0, nil, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, answer, fmt.Errorf("receiver answered %d: %s", resp.StatusCode, EscapeResponseText(answer[:min(len(answer), 256)]))
	}
	return resp.StatusCode, answer, nil
}

// post sends one signed POST of body to u (a delivery or a status
// query) with webhook-id id and returns the answer with its body read
// (at most maxAnswerBody) and closed.
func (d *Deliverer) post(ctx context.Context, h *hookTarget, u, id string, hdr http.Header, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("hook request: %w", err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GostCA-Hook", h.kind)
	if len(h.secrets) > 0 {
		ts := time.Now().Unix()
		req.Header.Set(HeaderID, id)
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(HeaderSignature, Sign(h.secrets, id, ts, body))
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err // drop the URL, which may carry credentials
		}
		return nil, nil, fmt.Errorf("POST: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBody))
	if err != nil && resp.StatusCode/100 == 2 {
		return nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp, answer, nil
}

// WebhookID is a row's webhook-id: the same on every attempt, so that the
// receiver can take each delivery once.
func WebhookID(kind string, id uint64) string {
	return "msg_" + kind + "_" + strconv.FormatUint(id, 10)
}

// idempotencyKey: ESIA registrations are idempotent by serial, others by row.
func idempotencyKey(kind string, r *store.OutboxRow) string {
	if kind == HookESIA && len(r.Serial) > 0 {
		return kind + "-" + message.SerialHex(r.Serial)
	}
	return WebhookID(kind, r.ID)
}
