package restore

import "os"

func killSelf() { os.Exit(137) }
