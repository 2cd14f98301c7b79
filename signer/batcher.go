package signer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrOverloaded is returned at once when the admission queue is full; the
// caller should retry after RetryAfter. Queued work is never dropped, and
// memory stays bounded by the queue length.
type ErrOverloaded struct {
	RetryAfter time.Duration
}

func (e *ErrOverloaded) Error() string {
	return fmt.Sprintf("signer: overloaded, retry after %v", e.RetryAfter)
}

// ErrClosed is returned for work submitted after Close.
var ErrClosed = errors.New("signer: closed")

// batcher groups submitted jobs into batches of at most maxBatch and runs
// up to concurrency batches at once, so the fsync of one batch overlaps
// the signing of the next.
//
// A batch is formed only when one of the concurrency slots is free: it
// takes the first job to arrive and every job already queued behind it,
// and closes at once (adaptive batching, maxDelay 0). Under load the slots
// are busy, requests queue meanwhile, and the next batch is as large as
// the load makes it; a lone request pays no wait. With maxDelay > 0 a
// batch that is not full also waits up to maxDelay after its first job
// for more. Each slot is a goroutine that forms its batch and runs it
// (work), so a request reaches the goroutine that processes it in one
// hand-over; one slot forms at a time (form), as one goroutine formed
// every batch before, so that jobs are never split between two batches
// that are filling at once.
type batcher[J any] struct {
	queue       chan J
	maxBatch    int
	maxDelay    time.Duration
	process     func([]J)
	retryAfter  time.Duration
	concurrency int

	// forming is held by the one slot forming a batch: two free slots
	// filling batches at once would split the queue between two partial
	// batches, each waiting maxDelay for jobs the other took.
	forming sync.Mutex

	closeOnce sync.Once
	mu        sync.RWMutex // guards closed against concurrent submit
	closed    bool
	done      chan struct{}
}

func newBatcher[J any](queueLen, maxBatch int, maxDelay time.Duration, concurrency int, process func([]J)) *batcher[J] {
	b := &batcher[J]{
		queue:       make(chan J, queueLen),
		maxBatch:    maxBatch,
		maxDelay:    maxDelay,
		process:     process,
		retryAfter:  50 * time.Millisecond,
		concurrency: concurrency,
		done:        make(chan struct{}),
	}
	go b.run()
	return b
}

// submit enqueues j or fails at once when the queue is full or closed.
func (b *batcher[J]) submit(j J) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrClosed
	}
	select {
	case b.queue <- j:
		return nil
	default:
		return &ErrOverloaded{RetryAfter: b.retryAfter}
	}
}

// depth is the number of queued jobs not yet in a batch.
func (b *batcher[J]) depth() int { return len(b.queue) }

// close stops admission, processes everything already queued and waits
// for all batches to finish.
func (b *batcher[J]) close() {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		close(b.queue)
		b.mu.Unlock()
	})
	<-b.done
}

func (b *batcher[J]) run() {
	defer close(b.done)
	var wg sync.WaitGroup
	for range b.concurrency {
		wg.Go(b.work)
	}
	wg.Wait()
}

// work is one of the concurrency slots: it waits for a first job, forms
// a batch with it and runs the batch itself, until the queue is closed
// and empty. A slot forms a batch only when it is free, so a lone
// request is handed over once (to the waiting slot) and pays no wait.
func (b *batcher[J]) work() {
	var timer *time.Timer
	if b.maxDelay > 0 {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
	}
	for {
		batch, ok := b.form(timer)
		if !ok {
			return
		}
		b.process(batch)
	}
}

// form takes the next batch from the queue: the first job, everything
// already queued behind it and, with maxDelay, what arrives within
// maxDelay, up to maxBatch. One slot forms at a time (forming); ok is
// false once the queue is closed and empty.
func (b *batcher[J]) form(timer *time.Timer) ([]J, bool) {
	b.forming.Lock()
	defer b.forming.Unlock()
	first, ok := <-b.queue
	if !ok {
		return nil, false
	}
	batch := make([]J, 1, b.maxBatch)
	batch[0] = first
drain: // everything already waiting, without waiting for more
	for len(batch) < b.maxBatch {
		select {
		case j, ok := <-b.queue:
			if !ok {
				return batch, true
			}
			batch = append(batch, j)
		default:
			break drain
		}
	}
	if timer == nil || len(batch) == b.maxBatch {
		return batch, true
	}
	timer.Reset(b.maxDelay)
	defer timer.Stop() // since Go 1.23 no stale tick survives Stop
	for len(batch) < b.maxBatch {
		select {
		case j, ok := <-b.queue:
			if !ok {
				return batch, true
			}
			batch = append(batch, j)
		case <-timer.C:
			return batch, true
		}
	}
	return batch, true
}

// waitResult waits for a job's reply or the caller's context.
func waitResult[R any](ctx context.Context, ch <-chan R) (R, error) {
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}
