// Recursion 10^6 deep on the main thread: needs a big -Xss.
import java.io.*;

public class Main {
    static int[] next;
    static int depth(int u) { return u == next.length - 1 ? 0 : 1 + depth(next[u]); }
    public static void main(String[] args) throws IOException {
        int n = Integer.parseInt(new BufferedReader(new InputStreamReader(System.in)).readLine().trim());
        next = new int[n + 1];
        for (int i = 0; i < n; i++) next[i] = i + 1;
        System.out.println(depth(0));
    }
}
