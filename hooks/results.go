package hooks

import (
	"context"
	"time"

	"github.com/gostca/gostca/store"
)

// The workers' delivery results go to the store in groups: a result
// waits at most resultWindow for others (of any kind), then the group is
// written as one synced batch (store.OutboxResults) and each worker gets
// its own row's outcome. A worker goes on only once its result is
// durable. While one group is written the next one gathers, so under
// load the groups grow by themselves and one fsync serves many
// deliveries (like the signer's batches of intents and certificates).

const (
	// resultWindow is how long the first result of a group waits for
	// more.
	resultWindow = 2 * time.Millisecond
	// maxResultGroup bounds a group.
	maxResultGroup = 256
)

type resultReq struct {
	r    store.OutboxResult
	done chan struct{}
}

type resultBatcher struct {
	write  func(ctx context.Context, rs []store.OutboxResult) error
	window time.Duration
	max    int
	in     chan *resultReq
}

func newResultBatcher(write func(context.Context, []store.OutboxResult) error) *resultBatcher {
	return &resultBatcher{write: write, window: resultWindow, max: maxResultGroup, in: make(chan *resultReq)}
}

// submit hands one result to the group writer and waits until it is
// written (or refused); the returned result carries Dead and Err. Once
// taken, a result is written even if ctx ends meanwhile.
func (b *resultBatcher) submit(ctx context.Context, r store.OutboxResult) store.OutboxResult {
	q := &resultReq{r: r, done: make(chan struct{})}
	select {
	case b.in <- q:
	case <-ctx.Done():
		r.Err = ctx.Err()
		return r
	}
	<-q.done
	return q.r
}

// run writes groups until ctx ends.
func (b *resultBatcher) run(ctx context.Context) {
	wctx := context.WithoutCancel(ctx)
	group := make([]*resultReq, 0, b.max)
	rs := make([]store.OutboxResult, 0, b.max)
	for {
		select {
		case q := <-b.in:
			group = append(group[:0], q)
		case <-ctx.Done():
			return
		}
		timer := time.NewTimer(b.window)
	gather:
		for len(group) < b.max {
			select {
			case q := <-b.in:
				group = append(group, q)
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		rs = rs[:0]
		for _, q := range group {
			rs = append(rs, q.r)
		}
		_ = b.write(wctx, rs) // a batch error is in every Err
		for i, q := range group {
			q.r = rs[i]
			close(q.done)
		}
	}
}
