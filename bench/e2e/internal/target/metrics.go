package target

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/report"
)

// BatchMetric is the signer's batch-size histogram in gostca's /metrics.
const BatchMetric = "gostca_issuance_batch_size"

// Histogram is one scrape of a Prometheus histogram: cumulative bucket
// counts by upper bound, sum and count.
type Histogram struct {
	Buckets map[string]float64 `json:"buckets"`
	Sum     float64            `json:"sum"`
	Count   float64            `json:"count"`
}

// ParseHistogram reads name's unlabelled histogram from Prometheus text.
func ParseHistogram(text []byte, name string) Histogram {
	h := Histogram{Buckets: map[string]float64{}}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"_") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			continue
		}
		switch {
		case f[0] == name+"_sum":
			h.Sum = v
		case f[0] == name+"_count":
			h.Count = v
		case strings.HasPrefix(f[0], name+`_bucket{le="`):
			le := strings.TrimSuffix(strings.TrimPrefix(f[0], name+`_bucket{le="`), `"}`)
			h.Buckets[le] = v
		}
	}
	return h
}

// BatchDelta is after − before, with cumulative buckets turned into
// per-bucket counts.
func BatchDelta(before, after Histogram) report.BatchSizes {
	d := report.BatchSizes{Batches: after.Count - before.Count, Buckets: map[string]float64{}}
	type b struct {
		le  float64
		key string
	}
	var bs []b
	for k := range after.Buckets {
		le, err := strconv.ParseFloat(k, 64)
		if err != nil {
			continue // +Inf handled by count
		}
		bs = append(bs, b{le, k})
	}
	load.SortBy(bs, func(x b) float64 { return x.le })
	prev := 0.0
	for _, x := range bs {
		cum := after.Buckets[x.key] - before.Buckets[x.key]
		if n := cum - prev; n > 0 {
			d.Buckets[x.key] = n
		}
		prev = cum
	}
	if n := d.Batches - prev; n > 0 {
		d.Buckets["+Inf"] = n
	}
	return d
}

func (c *Client) ScrapeBatches(ctx context.Context) Histogram {
	b, err := c.Get(ctx, "/metrics")
	if err != nil {
		return Histogram{Buckets: map[string]float64{}}
	}
	return ParseHistogram(b, BatchMetric)
}
