fn main() {
    std::process::exit(wasmint::cli::main(std::env::args().collect()))
}
