// A tree DFS 10^6 deep (a path): accepted on real judges, which give the stack the
// memory limit. Needs ~130 MB of stack.
#include <cstdio>
#include <vector>
std::vector<std::vector<int>> g;
std::vector<int> sz;
void dfs(int u, int p) {
    sz[u] = 1;
    for (int v : g[u]) if (v != p) { dfs(v, u); sz[u] += sz[v]; }
}
int main() {
    int n; if (scanf("%d", &n) != 1) return 1;
    g.resize(n); sz.resize(n);
    for (int i = 1; i < n; i++) { g[i - 1].push_back(i); g[i].push_back(i - 1); }
    dfs(0, -1);
    printf("%d\n", sz[0]);
}
