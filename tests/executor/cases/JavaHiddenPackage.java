// The comment below ends at the unicode escape \u002a/ (javac decodes escapes first), so the
// package declaration after it is real code: the class to run is hidden.pkg.Main.
/* \u002a/ package hidden.pkg; /* */
import java.util.Scanner;
public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.println(in.nextLong() + in.nextLong());
    }
}
