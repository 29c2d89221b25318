// No class with a main method: a clear CE, not a runtime ClassNotFoundException.
class Solution {
    int solve() { return 1; }
}
