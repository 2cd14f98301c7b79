package target

import "testing"

func TestBatchDelta(t *testing.T) {
	text := func(b1, b2, b4, count, sum string) []byte {
		return []byte("# TYPE gostca_issuance_batch_size Histogram\n" +
			`gostca_issuance_batch_size_bucket{le="1"} ` + b1 + "\n" +
			`gostca_issuance_batch_size_bucket{le="2"} ` + b2 + "\n" +
			`gostca_issuance_batch_size_bucket{le="4"} ` + b4 + "\n" +
			`gostca_issuance_batch_size_bucket{le="+Inf"} ` + count + "\n" +
			"gostca_issuance_batch_size_sum " + sum + "\ngostca_issuance_batch_size_count " + count + "\n")
	}
	before := ParseHistogram(text("1", "1", "1", "1", "1"), BatchMetric)
	after := ParseHistogram(text("2", "4", "5", "7", "20"), BatchMetric)
	d := BatchDelta(before, after)
	if d.Batches != 6 || d.Buckets["1"] != 1 || d.Buckets["2"] != 2 || d.Buckets["4"] != 1 || d.Buckets["+Inf"] != 2 {
		t.Fatalf("%+v", d)
	}
}
