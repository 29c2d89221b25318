// Starts child processes until the process limit refuses, then reports calmly; the
// children are killed with the box.
import java.util.*;

public class Main {
    public static void main(String[] args) {
        List<Process> children = new ArrayList<>();
        try {
            while (children.size() < 10_000) children.add(new ProcessBuilder("/bin/sleep", "100").start());
            System.out.println("never refused");
        } catch (Exception e) {
            System.out.println("stopped");
        }
    }
}
