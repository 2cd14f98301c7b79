package hooks

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/store"
)

// The workers' delivery results go to the store in groups (group
// commit): a result is written at once when a write slot is free;
// while maxResultWrites groups are being written, the results that
// arrive queue, and the next free slot writes all of them as one synced
// batch (store.OutboxResults), up to maxResultGroup. Each worker gets
// its own row's outcome and goes on only once its result is durable.
// Under load the groups grow by themselves and one fsync serves many
// deliveries; alone, a result waits for nothing (no timer).
// gostca_hook_result_group_size shows the groups' sizes.

const (
	// maxResultGroup bounds a group.
	maxResultGroup = 256
	// maxResultWrites is the groups written at once (one's fsync overlaps
	// the next one's gathering, as in the signer).
	maxResultWrites = 2
)

type resultReq struct {
	r    store.OutboxResult
	done chan struct{}
}

type resultBatcher struct {
	write func(ctx context.Context, rs []store.OutboxResult) error
	size  prometheus.Observer // results per write
	max   int
	in    chan *resultReq
	slots chan struct{}
}

func newResultBatcher(write func(context.Context, []store.OutboxResult) error, size prometheus.Observer) *resultBatcher {
	return &resultBatcher{write: write, size: size, max: maxResultGroup, in: make(chan *resultReq), slots: make(chan struct{}, maxResultWrites)}
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

// run writes groups until ctx ends, then waits for the groups being
// written.
func (b *resultBatcher) run(ctx context.Context) {
	wctx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		var first *resultReq
		select {
		case first = <-b.in:
		case <-ctx.Done():
			return
		}
		b.slots <- struct{}{} // while both slots write, the next results queue in b.in
		group := []*resultReq{first}
	gather:
		for len(group) < b.max {
			select {
			case q := <-b.in:
				group = append(group, q)
			default:
				break gather
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs := make([]store.OutboxResult, len(group))
			for i, q := range group {
				rs[i] = q.r
			}
			_ = b.write(wctx, rs) // a batch error is in every Err
			b.size.Observe(float64(len(rs)))
			<-b.slots
			for i, q := range group {
				q.r = rs[i]
				close(q.done)
			}
		}()
	}
}
