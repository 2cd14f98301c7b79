package hooks

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/store"
)

// Polling receivers (hooks.kind.K.mode = "poll"): some registries and
// ESIA connectors take a request and offer only a status query. The
// delivery is sent as always; the receiver answers 202 with a PollTicket;
// the ticket is kept on the row (store.OutboxTicket), and the worker
// asks hooks.kind.K.poll_url about it — a signed POST of a PollQuery —
// until a final answer, waiting poll_interval doubling up to
// poll_max_interval (or the receiver's poll_after, if longer). Every
// status answer is a signed PollAnswer: the Standard Webhooks signature
// under the kind's secret over the answer's webhook-id, timestamp and
// whole body, so it covers the ticket, the status and the answer
// together, inside hooks.replay_window. A final answer must be about the
// row's own subject (the certificate's serial; the application, check
// and request time) and is taken exactly as a callback with that body
// and webhook-id would be (takeAnswer); then the row is delivered. A
// ticket without a final answer by poll_deadline makes the row dead.
// docs/integrations.md describes the exchange.

// PollTicket is a polling receiver's answer (HTTP 202) to a delivery.
type PollTicket struct {
	Ticket    string `json:"ticket"`               // 1-128 printable ASCII
	PollAfter int    `json:"poll_after,omitempty"` // seconds before the first query (a hint)
}

// PollQuery is the body of a status query.
type PollQuery struct {
	Ticket   string `json:"ticket"`
	Delivery string `json:"delivery"` // the request's webhook-id
}

// Status answer states.
const (
	PollPending = "pending"
	PollFinal   = "final"
)

// PollAnswer is the signed answer to a status query: pending (with an
// optional intermediate answer, e.g. ESIA's VALIDATING) or final, with
// the answer a callback of the kind would carry (ESIAAnswer,
// RegistryAnswer).
type PollAnswer struct {
	Ticket    string          `json:"ticket"`
	Status    string          `json:"status"`
	PollAfter int             `json:"poll_after,omitempty"`
	Answer    json.RawMessage `json:"answer,omitempty"`
}

// pollMetrics are the series of status queries.
type pollMetrics struct {
	polls   *prometheus.CounterVec
	tickets *prometheus.GaugeVec
	group   prometheus.Histogram // results per store write (results.go)
}

func newPollMetrics(reg prometheus.Registerer, targets []*hookTarget) *pollMetrics {
	m := &pollMetrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_hook_polls_total",
			Help: "Polling receivers: tickets taken and status queries by kind and result (ticket, pending, final, error, bad_signature, deadline)."},
			[]string{"kind", "result"}),
		tickets: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gostca_hook_pending_tickets",
			Help: "Outbox rows holding a polling receiver's ticket without a final answer, by kind, at the last pass (at most 1000 counted)."},
			[]string{"kind"}),
	}
	m.group = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "gostca_hook_result_group_size", Help: "Delivery results written per synced store batch (the workers' group commit).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}})
	reg.MustRegister(m.polls, m.tickets, m.group)
	for _, h := range targets {
		if h.poll() {
			m.tickets.WithLabelValues(h.kind).Set(0)
		}
	}
	return m
}

// countTickets refreshes gostca_hook_pending_tickets of a polling kind.
func (d *Deliverer) countTickets(ctx context.Context, h *hookTarget) {
	if !h.poll() {
		return
	}
	rows, err := d.st.OutboxList(ctx, h.kind, store.OutboxPendingRows, 0, 1000)
	if err != nil {
		return
	}
	n := 0
	for i := range rows {
		if rows[i].Ticket != "" {
			n++
		}
	}
	d.pm.tickets.WithLabelValues(h.kind).Set(float64(n))
}

// pollWait is the wait before status query n+1: poll_interval doubling
// per query up to poll_max_interval, with jitter; a longer poll_after
// of the receiver (capped at poll_max_interval) is waited instead.
func pollWait(h *hookTarget, n, after int) time.Duration {
	w := jitter(hookBackoff(n, h.pollInterval, h.pollMax))
	if a := min(time.Duration(after)*time.Second, h.pollMax); after > 0 && a > w {
		w = a
	}
	return w
}

// takeTicket handles the answer to a delivery of a polling kind: a 202
// with a ticket keeps the ticket on the row; anything else is a failed
// attempt (retried with backoff like any other).
func (d *Deliverer) takeTicket(ctx context.Context, h *hookTarget, r *store.OutboxRow, att store.OutboxAttempt, code int, body []byte) bool {
	var t PollTicket
	if code != http.StatusAccepted || json.Unmarshal(body, &t) != nil || !store.ValidTicket(t.Ticket) || t.PollAfter < 0 {
		d.failed(ctx, h, r, att, fmt.Errorf("mode = \"poll\": the receiver answered %d without a ticket (want 202 and {\"ticket\": …}): %s",
			code, EscapeResponseText(body[:min(len(body), 256)])))
		return false
	}
	now := time.Now()
	deadline := now.Add(h.pollDeadline)
	first := now.Add(pollWait(h, 0, t.PollAfter))
	if first.After(deadline) {
		first = deadline
	}
	if err := d.st.OutboxTicket(ctx, r.ID, att, t.Ticket, first, deadline); err != nil {
		d.log.Error("hook ticket not recorded (the request will be sent again)", "kind", h.kind, "id", r.ID, "err", err)
		return false
	}
	d.m.hookDeliveries.WithLabelValues(h.kind, "ok").Inc()
	d.pm.polls.WithLabelValues(h.kind, "ticket").Inc()
	return true
}

// pollHook asks about a row's ticket once and records what came back;
// true when the final answer was taken and the row delivered.
func (d *Deliverer) pollHook(ctx context.Context, h *hookTarget, r *store.OutboxRow) bool {
	start := time.Now()
	if !start.Before(r.PollDeadline) {
		d.pollDead(ctx, h, r, store.OutboxAttempt{At: start}, fmt.Errorf(
			"no final answer for ticket %s by the poll deadline (%v after the request was taken at %s): redrive the row to send the request again",
			r.Ticket, h.pollDeadline, r.TicketAt.UTC().Format(time.RFC3339)), "deadline")
		return false
	}
	query, _ := json.Marshal(PollQuery{Ticket: r.Ticket, Delivery: WebhookID(h.kind, r.ID)})
	u := strings.ReplaceAll(h.pollURL, "{ticket}", url.PathEscape(r.Ticket))
	id := "poll_" + h.kind + "_" + strconv.FormatUint(r.ID, 10) + "_" + strconv.Itoa(r.Polls+1)
	resp, body, err := d.post(ctx, h, u, id, nil, query)
	att := store.OutboxAttempt{At: start, Took: time.Since(start)}
	d.m.hookAttempt.WithLabelValues(h.kind).Observe(att.Took.Seconds())
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		d.pollAgain(ctx, h, r, att, err, 0, "error")
		return false
	}
	att.Code = resp.StatusCode
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		d.pollAgain(ctx, h, r, att, fmt.Errorf("status query answered %d: %s", resp.StatusCode, EscapeResponseText(body[:min(len(body), 256)])), 0, "error")
		return false
	}
	answerID := resp.Header.Get(HeaderID)
	if err := Verify(h.secrets, answerID, resp.Header.Get(HeaderTimestamp), resp.Header.Get(HeaderSignature), body,
		time.Now(), d.cfg.ReplayWindow); err != nil {
		d.log.Warn("hook status answer refused: nothing taken", "kind", h.kind, "id", r.ID, "err", err)
		d.pollAgain(ctx, h, r, att, fmt.Errorf("status answer refused, nothing taken: %w", err), 0, "bad_signature")
		return false
	}
	var a PollAnswer
	if err := decodeStrict(body, &a); err != nil {
		d.pollAgain(ctx, h, r, att, err, 0, "error")
		return false
	}
	if a.Ticket != r.Ticket || (a.Status != PollPending && a.Status != PollFinal) || (a.Status == PollFinal && len(a.Answer) == 0) {
		d.pollAgain(ctx, h, r, att, errors.New("the status answer must name this row's ticket and be pending, or final with the answer"), 0, "error")
		return false
	}
	if len(a.Answer) > 0 {
		if err := answerFor(h.kind, r, a.Answer); err != nil {
			d.pollAgain(ctx, h, r, att, err, 0, "error")
			return false
		}
	}
	if a.Status == PollPending {
		if len(a.Answer) > 0 { // an intermediate answer (ESIA VALIDATING), taken as a callback
			if _, err := d.takeAnswer(ctx, h.kind, answerID, a.Answer); err != nil {
				d.log.Warn("hook intermediate answer not taken", "kind", h.kind, "id", r.ID, "err", err)
			}
		}
		d.pollAgain(ctx, h, r, att, nil, a.PollAfter, PollPending)
		return false
	}
	_, err = d.takeAnswer(ctx, h.kind, answerID, a.Answer)
	var ce *CallbackError
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.Status == http.StatusConflict:
		// The records refuse the answer as stale or final (e.g. it was
		// taken before a crash): it is answered, nothing more to ask.
		att.Error = attemptText("final answer not taken: "+ce.Detail, 512)
	case errors.As(err, &ce) && ce.Status/100 == 4:
		d.pollDead(ctx, h, r, att, fmt.Errorf("the final answer was refused: %w", err), "error")
		return false
	default:
		d.pollAgain(ctx, h, r, att, fmt.Errorf("the final answer was not taken: %w", err), 0, "error")
		return false
	}
	res := d.results.submit(ctx, store.OutboxResult{ID: r.ID, Attempt: att, Delivered: true})
	if res.Err != nil {
		d.log.Error("hook final answer taken but the row not recorded (it is asked again)", "kind", h.kind, "id", r.ID, "err", res.Err)
		return false
	}
	d.pm.polls.WithLabelValues(h.kind, PollFinal).Inc()
	d.m.hookLag.WithLabelValues(h.kind).Observe(time.Since(r.CreatedAt).Seconds())
	return true
}

// pollAgain records a status query without a final answer and schedules
// the next (never after the deadline, so the row dies on time).
func (d *Deliverer) pollAgain(ctx context.Context, h *hookTarget, r *store.OutboxRow, att store.OutboxAttempt, cause error, after int, result string) {
	d.pm.polls.WithLabelValues(h.kind, result).Inc()
	if cause != nil {
		att.Error = attemptText(cause.Error(), 512)
	}
	next := time.Now().Add(pollWait(h, r.Polls+1, after))
	if next.After(r.PollDeadline) {
		next = r.PollDeadline
	}
	if err := d.st.OutboxPolled(ctx, r.ID, att, next, false); err != nil && ctx.Err() == nil {
		d.log.Error("hook status query not recorded", "kind", h.kind, "id", r.ID, "err", err)
	}
	if cause != nil && result != "bad_signature" {
		d.log.Warn("hook status query failed", "kind", h.kind, "id", r.ID, "polls", r.Polls+1, "err", att.Error)
	}
}

// pollDead ends a polling row: dead, with the reason, for an operator.
func (d *Deliverer) pollDead(ctx context.Context, h *hookTarget, r *store.OutboxRow, att store.OutboxAttempt, cause error, result string) {
	d.pm.polls.WithLabelValues(h.kind, result).Inc()
	att.Error = attemptText(cause.Error(), 512)
	if err := d.st.OutboxPolled(ctx, r.ID, att, time.Time{}, true); err != nil {
		if ctx.Err() == nil {
			d.log.Error("hook status query not recorded", "kind", h.kind, "id", r.ID, "err", err)
		}
		return
	}
	d.m.hookDead.WithLabelValues(h.kind).Inc()
	d.log.Error("hook row dead: redrive or cancel it (gostca outbox)", "kind", h.kind, "id", r.ID, "ticket", r.Ticket, "err", att.Error)
}

// answerFor checks that an answer is about the row's own subject: an
// ESIA answer names the row's certificate, a registry answer quotes the
// row's application, check and request time. A signed answer about
// something else is not taken for this row.
func answerFor(kind string, r *store.OutboxRow, answer []byte) error {
	switch kind {
	case HookESIA:
		var a ESIAAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return fmt.Errorf("the answer is not an ESIA answer: %s", attemptText(err.Error(), 200))
		}
		b, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(a.Serial), "0x"))
		if err != nil || new(big.Int).SetBytes(b).Cmp(new(big.Int).SetBytes(r.Serial)) != 0 {
			return errors.New("the answer is about another certificate than the row's")
		}
	case HookRegistryCheck:
		var a RegistryAnswer
		var q message.CheckRow
		if err := json.Unmarshal(answer, &a); err != nil {
			return fmt.Errorf("the answer is not a registry answer: %s", attemptText(err.Error(), 200))
		}
		if err := json.Unmarshal(r.Payload, &q); err != nil {
			return fmt.Errorf("outbox row %d: unreadable payload", r.ID)
		}
		if a.Application != q.Application || a.Check != q.Check || !a.RequestedAt.Equal(q.RequestedAt) {
			return errors.New("the answer is about another application, check or request than the row's")
		}
	default:
		return fmt.Errorf("kind %s has no answers", kind)
	}
	return nil
}
