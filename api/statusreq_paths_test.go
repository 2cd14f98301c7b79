package api

// The status requests' endpoints (api/cabinetapi/statusreq.go), checked
// by TestOpenAPIDocument with the cabinet's.
func init() {
	for path, methods := range map[string][]string{
		"/api/v1/cabinet/certificates/{serial}/status-requests": {"post"},
		"/api/v1/cabinet/status-requests":                       {"get"},
		"/api/v1/cabinet/status-requests/{id}":                  {"get"},
		"/api/v1/cabinet/status-requests/{id}/confirm":          {"post"},
		"/api/v1/status-requests":                               {"get"},
		"/api/v1/status-requests/{id}/approve":                  {"post"},
		"/api/v1/status-requests/{id}/reject":                   {"post"},
	} {
		cabinetPaths[path] = methods
	}
}
