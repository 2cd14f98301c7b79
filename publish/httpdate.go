package publish

import "time"

// appendHTTPDate appends t in the HTTP date format (RFC 9110 §5.6.7,
// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"). It writes the fields
// itself: time.Time.AppendFormat, which reads the layout each time, was
// most of the cost of caching an OCSP answer.
func appendHTTPDate(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	}
	h, mi, s := t.Clock()
	const days, months = "SunMonTueWedThuFriSat", "JanFebMarAprMayJunJulAugSepOctNovDec"
	wd := int(t.Weekday()) * 3
	m := (int(mo) - 1) * 3
	b = append(b, days[wd:wd+3]...)
	b = append(b, ',', ' ')
	b = append2(b, d)
	b = append(b, ' ')
	b = append(b, months[m:m+3]...)
	b = append(b, ' ')
	b = append2(b, y/100)
	b = append2(b, y%100)
	b = append(b, ' ')
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	return append(b, " GMT"...)
}

// append2 appends v (0..99) as two digits.
func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}
