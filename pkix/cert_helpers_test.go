package pkix

import (
	"encoding/asn1"
	"time"
)

type asn1OID = asn1.ObjectIdentifier

// year is a 365-day year, for test lifetimes.
const year = 365 * 24 * time.Hour
