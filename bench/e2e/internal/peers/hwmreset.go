package peers

import (
	"fmt"
	"os"
)

// ResetPeakRSS resets the VmHWM of process pid to its current resident
// size (writing 5 to /proc/PID/clear_refs, Linux 4.0+), so that a later
// VmHWM is the peak of what ran in between: the CRL workload resets the
// server's after start-up, whose key decryption peaks at one 128 MiB
// scrypt buffer that a CRL build has nothing to do with.
func ResetPeakRSS(pid int) error {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return fmt.Errorf("reset the peak RSS of process %d: %w", pid, err)
	}
	return nil
}
