// About 10 MB of output through a PrintWriter.
import java.io.*;

public class Main {
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        for (long i = 0; i < 1000000; i++) out.println(i * 1000003 % 998244353);
        out.flush();
    }
}
