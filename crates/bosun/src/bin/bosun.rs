fn main() -> std::process::ExitCode {
    bosun::main()
}
