// 10^6 integers with BufferedReader + StringTokenizer.
import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in), 1 << 16);
        int n = Integer.parseInt(br.readLine().trim());
        StringTokenizer st = new StringTokenizer(br.readLine());
        long s = 0;
        for (int i = 0; i < n; i++) s += Integer.parseInt(st.nextToken());
        System.out.println(s);
    }
}
