// A public class whose name is not ASCII: the file is Решение.java, the class Решение.class.
import java.util.Scanner;
public class Решение {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.println(in.nextLong() + in.nextLong());
    }
}
