fn main() {
    eprintln!("mock-sts: not built yet");
    std::process::exit(2);
}
