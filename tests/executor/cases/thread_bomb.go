// Pins goroutines to OS threads until the process limit stops the runtime: RE.
package main

import (
	"runtime"
	"syscall"
	"time"
)

func main() {
	for i := 0; i < 10000; i++ {
		go func() {
			runtime.LockOSThread()
			for {
				syscall.Syscall(syscall.SYS_PAUSE, 0, 0, 0)
			}
		}()
	}
	time.Sleep(5 * time.Second)
}
