// One 200 MB array under a 256 MB limit: accepted on real judges. With the JVM's
// default young generation (1/3 of the heap) SerialGC cannot place it.
public class Main {
    public static void main(String[] args) {
        int[] a = new int[50_000_000];
        for (int i = 0; i < a.length; i += 4096) a[i] = i;
        long s = 0;
        for (int i = 0; i < a.length; i += 4096) s += a[i];
        System.out.println(s > 0 ? "ok" : "zero");
    }
}
