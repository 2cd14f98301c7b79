package signer

import (
	"testing"
	"time"
)

// The adaptive batcher (maxDelay 0): a lone job is processed at once, with
// no other job ever arriving; jobs submitted while every slot is busy wait
// in the queue and form the next batch together, up to maxBatch.
func TestBatcherAdaptive(t *testing.T) {
	batches := make(chan []int, 16)
	hold := make(chan struct{})
	b := newBatcher(64, 3, 0, 1, func(batch []int) {
		batches <- append([]int(nil), batch...)
		<-hold
	})
	defer b.close()
	next := func() []int {
		t.Helper()
		select {
		case got := <-batches:
			return got
		case <-time.After(10 * time.Second):
			t.Fatal("no batch processed")
			return nil
		}
	}
	if err := b.submit(1); err != nil {
		t.Fatal(err)
	}
	if got := next(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("lone job: batch %v, want [1]", got)
	}
	// The only slot is busy (hold): these queue up behind it.
	for j := 2; j <= 6; j++ {
		if err := b.submit(j); err != nil {
			t.Fatal(err)
		}
	}
	for b.depth() != 5 {
		time.Sleep(time.Millisecond)
	}
	hold <- struct{}{}
	if got := next(); len(got) != 3 || got[0] != 2 || got[2] != 4 {
		t.Fatalf("queued while busy: batch %v, want [2 3 4] (maxBatch 3)", got)
	}
	hold <- struct{}{}
	if got := next(); len(got) != 2 || got[0] != 5 || got[1] != 6 {
		t.Fatalf("the rest: batch %v, want [5 6]", got)
	}
	hold <- struct{}{}
	close(hold)
}

// TestBatcherOneFormsAtATime: with maxDelay and two free slots, jobs
// arriving one by one all go to the batch being formed; two slots
// filling at once split them into two partial batches, each waiting the
// whole (here: an hour's) delay for jobs the other took.
func TestBatcherOneFormsAtATime(t *testing.T) {
	for round := range 20 {
		got := make(chan int, 8)
		b := newBatcher(64, 4, time.Hour, 2, func(batch []int) { got <- len(batch) })
		for i := range 4 {
			if err := b.submit(i); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // let a slot take it
		}
		select {
		case n := <-got:
			if n != 4 {
				t.Fatalf("round %d: a batch of %d, want 4", round, n)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: no full batch: the jobs were split between slots", round)
		}
		b.close()
	}
}
