// Recursion 10^6 deep (Go grows goroutine stacks itself, up to 1 GB).
package main

import "fmt"

var trail []int

func depth(n int) int {
	if n == 0 {
		return 0
	}
	trail = append(trail, n)
	r := 1 + depth(n-1)
	trail = append(trail, r)
	return r
}

func main() {
	var n int
	fmt.Scan(&n)
	fmt.Println(depth(n))
}
