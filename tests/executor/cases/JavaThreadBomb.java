// Starts threads until the process limit says no, then reports calmly. The JVM's own
// warning about the failed thread must go to stderr, not into the judged output.
public class Main {
    public static void main(String[] args) {
        try {
            while (true) {
                Thread t = new Thread(() -> { try { Thread.sleep(100_000); } catch (InterruptedException e) { } });
                t.setDaemon(true);
                t.start();
            }
        } catch (Throwable e) {
            System.out.println("stopped");
        }
    }
}
