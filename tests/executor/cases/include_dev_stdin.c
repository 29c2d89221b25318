/* Includes the compiler's stdin (empty): no hang, a normal CE for the missing main. */
#include </dev/stdin>
