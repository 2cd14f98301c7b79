// Package racmd holds the commands of the registration authority's
// operators: `gostca application export` (an application's archive from
// a running server, checked against its manifest) and `gostca
// status-requests` (the subscribers' requests to suspend or revoke a
// certificate, listed and decided).
package racmd
