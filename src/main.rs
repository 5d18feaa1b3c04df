//! The `listdiff` binary: everything lives in the library; see `listdiff::cli`.

fn main() -> std::process::ExitCode {
    listdiff::cli::main()
}
