"""C++17 with g++ -O2."""

from __future__ import annotations

from ..models import Limits
from .base import Language


class Cpp(Language):
    id = "cpp"
    name = "C++17 (g++)"
    aliases = ("c++", "cpp17", "c++17", "g++", "cxx")
    warm = True
    source_file = "main.cpp"
    keep = ("main",)
    out_of_memory_markers = (b"std::bad_alloc",)
    self_test_source = (
        "#include <iostream>\n"
        "int main() { long long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }\n"
    )

    def required_paths(self) -> list[str]:
        return ["/usr/bin/g++"]

    def compile_argv(self, source_name: str) -> list[str]:
        return ["/usr/bin/g++", "-std=gnu++17", "-O2", "-pipe", "-DONLINE_JUDGE", "-o", "main", source_name]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        return ["/prog/main"]
