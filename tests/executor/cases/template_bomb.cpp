template <int N> struct Fib { static const long long v = Fib<N - 1>::v + Fib<N - 2>::v; };
template <> struct Fib<0> { static const long long v = 0; };
template <> struct Fib<1> { static const long long v = 1; };
template <class T, int D> struct Tree { typedef Tree<Tree<T, D - 1>, D - 1> left; typedef Tree<Tree<T, D - 1>, D - 1> right; };
template <class T> struct Tree<T, 0> { typedef T left; };
int main() { return Fib<100000>::v + sizeof(Tree<int, 40>::left::left); }
