package restore

import "os"

// EnvCrashAt names a step of the switch at which the process kills itself
// with SIGKILL. It exists for the fault tests, which prove that a restore
// interrupted at every step is put back by the next run; it is never set in
// normal use.
const EnvCrashAt = "BACKUP_DESKTOP_TEST_CRASH_AT"

// Steps at which a restore can be interrupted on purpose, in order.
var CrashSteps = []string{"staged", "swap-begin", "swap-dropped", "swap-renamed", "swap-objects", "swap-media-old", "swap-media-new", "committed"}

func checkpoint(step string) {
	if os.Getenv(EnvCrashAt) == step {
		killSelf()
	}
}
