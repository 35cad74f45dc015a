package mariadbtest

import "syscall"

func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
