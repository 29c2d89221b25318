// Recursion 10^6 deep on the main thread (not a tail call).
fn depth(n: u64, trail: &mut Vec<u64>) -> u64 {
    if n == 0 { return 0; }
    trail.push(n);
    let r = 1 + depth(n - 1, trail);
    trail.push(r);
    r
}
fn main() {
    let mut s = String::new();
    std::io::stdin().read_line(&mut s).unwrap();
    let mut trail = Vec::new();
    println!("{}", depth(s.trim().parse().unwrap(), &mut trail));
}
