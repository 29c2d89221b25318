// public class Decoy { is only in a comment
/* public class Decoy2 { */
import java.util.*;

class Helper { static String word() { return "public class Decoy3 {"; } }

final class Main {
    public static void main(String[] args) {
        System.out.println(Helper.word().length() > 0 ? "ok" : "no");
    }
}
