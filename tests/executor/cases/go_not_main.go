// A package that is not main: go build makes an archive, not a program; it must be CE.
package solution

import "fmt"

func main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }
