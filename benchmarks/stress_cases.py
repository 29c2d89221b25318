"""Problems with a stress setup and buggy solutions whose smallest failing size is known.

Used by ``benchmarks/counterexample.py``; tests may reuse them (``from benchmarks.stress_cases
import PROBLEMS``). Each problem has a generator (the ``"<size> <seed>"`` contract), a
validator, a Python reference, and ``size_of``: the generator's size of any valid input
(so a shrunk input is measured on the same scale as a generated one). Each bug says the
smallest size at which a failing input exists, reasoned from the bug (for the time-limit
bugs: measured on this machine, and only roughly — they depend on the machine's load).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from algoitny.executor import Checker, Limits


@dataclass(frozen=True)
class Bug:
    name: str
    language: str
    code: str
    smallest: int  # the smallest generator size with a failing input
    why: str


@dataclass(frozen=True)
class Problem:
    name: str
    generator: str
    validator: str
    reference: str
    size_min: int
    size_max: int
    size_of: Callable[[str], int]
    bugs: list[Bug] = field(default_factory=list)
    limits: Limits = Limits(time_limit_s=1.0, memory_mb=256)
    checker: Checker = Checker("tokens")


def first_number(text: str) -> int:
    return int(text.split()[0])


# An array problem's generator: n = size, values from a range that mixes small ones in
# (so zeros, ties and duplicates turn up at small sizes).
ARRAY_GENERATOR = """\
import random
size, seed = map(int, input().split())
rng = random.Random(seed)
def value():
    return rng.randint(SMALL_LO, SMALL_HI) if rng.random() < 0.4 else rng.randint(LO, HI)
print(size)
print(*[value() for _ in range(size)])
"""
ARRAY_VALIDATOR = """\
import sys
lines = sys.stdin.read().split("\\n")
assert lines[2:] == [""], "two lines"
n = int(lines[0])
assert 1 <= n <= 100000 and lines[0] == str(n)
values = [int(x) for x in lines[1].split()]
assert len(values) == n and all(LO <= v <= HI for v in values)
"""


def array_problem(
    name: str, lo: int, hi: int, small: tuple[int, int], reference: str, bugs: list[Bug]
) -> Problem:
    def fill(text: str) -> str:
        for key, value in (("SMALL_LO", small[0]), ("SMALL_HI", small[1]), ("LO", lo), ("HI", hi)):
            text = text.replace(key, str(value))
        return text

    return Problem(name, fill(ARRAY_GENERATOR), fill(ARRAY_VALIDATOR), reference, 1, 30, first_number, bugs)


SUM = array_problem(
    "sum",
    0,
    10**9,
    (0, 3),
    "input()\nprint(sum(map(int, input().split())))\n",
    [
        Bug(
            "wrong when n is 1",
            "python",
            "n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs) if n > 1 else 0)\n",
            1,
            "off-by-one on the smallest case",
        ),
        Bug(
            "32-bit sum",
            "cpp",
            '#include <cstdio>\nint main(){int n;scanf("%d",&n);int s=0;'
            'for(int i=0;i<n;i++){int x;scanf("%d",&x);s+=x;}printf("%d\\n",s);}\n',
            3,
            "overflow: two values never pass 2^31 - 1, three can",
        ),
        Bug(
            "skips the first number",
            "java",
            "import java.util.*;\npublic class Main{public static void "
            "main(String[] a){Scanner in=new Scanner(System.in);int n=in.nextInt();long[] v=new long[n];"
            "for(int i=0;i<n;i++)v[i]=in.nextLong();long s=0;for(int i=1;i<n;i++)s+=v[i];"
            "System.out.println(s);}}\n",
            1,
            "off-by-one: fails whenever the first value is not 0",
        ),
        Bug(
            "stops at a zero",
            "c",
            "#include <stdio.h>\nint main(void){int n;long long s=0,x;"
            'scanf("%d",&n);for(int i=0;i<n;i++){scanf("%lld",&x);if(x==0)break;s+=x;}'
            'printf("%lld\\n",s);return 0;}\n',
            2,
            "missing edge case: needs a 0 before a non-zero",
        ),
    ],
)

MAX_SUBARRAY = array_problem(
    "max-subarray",
    -20,
    20,
    (-2, 2),
    "input()\nbest = cur = None\nfor x in map(int, input().split()):\n"
    "    cur = x if cur is None or cur < 0 else cur + x\n    best = cur if best is None else max(best, cur)\n"
    "print(best)\n",
    [
        Bug(
            "best starts at 0",
            "python",
            "input()\nbest = cur = 0\nfor x in map(int, input().split()):\n"
            "    cur = max(0, cur + x)\n    best = max(best, cur)\nprint(best)\n",
            1,
            "missing edge case: every value negative",
        ),
        Bug(
            "ignores the last value",
            "cpp",
            "#include <bits/stdc++.h>\nint main(){int n;std::cin>>n;"
            "std::vector<long long>a(n);for(auto&x:a)std::cin>>x;long long best=a[0],cur=0;"
            "for(int i=0;i+1<n;i++){cur=std::max(a[i],cur+a[i]);best=std::max(best,cur);}"
            'std::cout<<best<<"\\n";}\n',
            2,
            "off-by-one in the loop bound",
        ),
        Bug(
            "max element or whole sum",
            "java",
            "import java.util.*;\npublic class Main{public static void "
            "main(String[] a){Scanner in=new Scanner(System.in);int n=in.nextInt();long best=Long.MIN_VALUE,"
            "sum=0;for(int i=0;i<n;i++){long x=in.nextLong();best=Math.max(best,x);sum+=x;}"
            "System.out.println(Math.max(best,sum));}}\n",
            3,
            "wrong idea: right for every n <= 2",
        ),
        Bug(
            "every subset",
            "python",
            "from itertools import combinations\nn = int(input())\n"
            "a = list(map(int, input().split()))\nbest = max(a)\nfor mask in range(1, 1 << n):\n"
            "    idx = [i for i in range(n) if mask >> i & 1]\n    if idx[-1] - idx[0] + 1 == len(idx):\n"
            "        best = max(best, sum(a[i] for i in idx))\nprint(best)\n",
            19,
            "exponential blow-up: 2^n subsets (1 s of CPU near n = 19 here)",
        ),
    ],
)

SORT = array_problem(
    "sort",
    -50,
    50,
    (-3, 3),
    "input()\nprint(*sorted(map(int, input().split())))\n",
    [
        Bug(
            "sorts as strings",
            "javascript",
            "const t = require('fs').readFileSync(0, 'utf8').trim()"
            ".split(/\\s+/).slice(1);\nconsole.log(t.sort().join(' '));\n",
            2,
            "wrong comparison: '-1' < '-2', '10' < '9'",
        ),
        Bug(
            "drops duplicates",
            "python",
            "input()\nprint(*sorted(set(map(int, input().split()))))\n",
            2,
            "missing edge case: equal values",
        ),
        Bug(
            "bubble sort one pass short",
            "cpp",
            "#include <bits/stdc++.h>\nint main(){int n;std::cin>>n;"
            "std::vector<int>a(n);for(auto&x:a)std::cin>>x;for(int i=0;i<n-1;i++)for(int j=0;j+2<n-i;j++)"
            "if(a[j]>a[j+1])std::swap(a[j],a[j+1]);for(int x:a)std::cout<<x<<' ';std::cout<<\"\\n\";}\n",
            2,
            "off-by-one: the last pair is never compared",
        ),
        Bug(
            "selection sort from 1",
            "java",
            "import java.util.*;\npublic class Main{public static void "
            "main(String[] s){Scanner in=new Scanner(System.in);int n=in.nextInt();int[] a=new int[n];"
            "for(int i=0;i<n;i++)a[i]=in.nextInt();for(int i=1;i<n;i++){int m=i;for(int j=i+1;j<n;j++)"
            "if(a[j]<a[m])m=j;int t=a[i];a[i]=a[m];a[m]=t;}StringBuilder b=new StringBuilder();"
            "for(int x:a)b.append(x).append(' ');System.out.println(b.toString().trim());}}\n",
            2,
            "off-by-one: the first place is never filled",
        ),
    ],
)

ARGMAX = array_problem(
    "argmax",
    0,
    9,
    (0, 2),
    "input()\na = list(map(int, input().split()))\nprint(a.index(max(a)) + 1)\n",
    [
        Bug(
            "last of the ties",
            "python",
            "input()\na = list(map(int, input().split()))\nbest = 0\n"
            "for i, x in enumerate(a):\n    if x >= a[best]:\n        best = i\nprint(best + 1)\n",
            2,
            "wrong tie-break: >= instead of >",
        ),
        Bug(
            "0-based answer",
            "cpp",
            "#include <bits/stdc++.h>\nint main(){int n;std::cin>>n;"
            "std::vector<int>a(n);for(auto&x:a)std::cin>>x;"
            'std::cout<<(std::max_element(a.begin(),a.end())-a.begin())<<"\\n";}\n',
            1,
            "off-by-one: prints the index from 0",
        ),
        Bug(
            "searches from the end",
            "java",
            "import java.util.*;\npublic class Main{public static void "
            "main(String[] s){Scanner in=new Scanner(System.in);int n=in.nextInt();int[] a=new int[n];"
            "int m=-1;for(int i=0;i<n;i++){a[i]=in.nextInt();m=Math.max(m,a[i]);}int k=n-1;"
            "while(a[k]!=m)k--;System.out.println(k+1);}}\n",
            2,
            "wrong tie-break: the last maximum",
        ),
        Bug(
            "ignores the last value",
            "javascript",
            "const t = require('fs').readFileSync(0, 'utf8').trim()"
            ".split(/\\s+/).map(Number);\nconst n = t[0], a = t.slice(1);\nlet best = 0;\n"
            "for (let i = 1; i < n - 1; i++) if (a[i] > a[best]) best = i;\nconsole.log(best + 1);\n",
            2,
            "off-by-one: the last value is never compared",
        ),
    ],
)

# k = 5 (size - 1) + seed mod 5: size 1 asks for fib(0..4), size 10 for fib(45..49).
FIBONACCI = Problem(
    "fibonacci",
    "size, seed = map(int, input().split())\nprint(5 * (size - 1) + seed % 5)\n",
    "import sys\ntext = sys.stdin.read()\nk = int(text)\nassert text == f'{k}\\n' and 0 <= k <= 10**6\n",
    "k = int(input())\na, b = 0, 1\nfor _ in range(k):\n    a, b = b, (a + b) % 1000000007\nprint(a)\n",
    1,
    30,
    lambda text: int(text) // 5 + 1,
    [
        Bug(
            "fib(0) is 1",
            "python",
            "k = int(input())\na, b = 1, 1\nfor _ in range(k - 1):\n"
            "    a, b = b, (a + b) % 1000000007\nprint(a)\n",
            1,
            "off-by-one on the smallest case",
        ),
        Bug(
            "no modulo",
            "c",
            '#include <stdio.h>\nint main(void){int k;scanf("%d",&k);'
            'unsigned long long a=0,b=1,t;for(int i=0;i<k;i++){t=a+b;a=b;b=t;}printf("%llu\\n",a);'
            "return 0;}\n",
            10,
            "missing modulo: fib(45) is the first one past 10^9 + 7",
        ),
        Bug(
            "updates in the wrong order",
            "cpp",
            '#include <cstdio>\nint main(){int k;scanf("%d",&k);'
            'long long a=0,b=1;for(int i=0;i<k;i++){a=b;b=(a+b)%1000000007;}printf("%lld\\n",a);}\n',
            1,
            "wrong update: right for k <= 1 only",
        ),
        Bug(
            "naive recursion",
            "java",
            "import java.util.*;\npublic class Main{static long f(int k){"
            "return k<2?k:(f(k-1)+f(k-2))%1000000007L;}public static void main(String[] a){"
            "System.out.println(f(new Scanner(System.in).nextInt()));}}\n",
            9,
            "exponential blow-up (time limit near k = 40 here)",
        ),
    ],
)

PROBLEMS = [SUM, MAX_SUBARRAY, SORT, ARGMAX, FIBONACCI]
