//! Writes include/kv.h from ffi-c's sources with the settings in
//! ffi-c/cbindgen.toml. `--check` compares instead of writing and fails on
//! any difference (the header is committed, so drift is an error).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let crate_dir = root.join("ffi-c");
    let out = root.join("include/kv.h");
    let check = std::env::args().any(|a| a == "--check");
    let config = match cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ffi-c/cbindgen.toml: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bindings = match cbindgen::Builder::new().with_crate(&crate_dir).with_config(config).generate() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cbindgen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut text = Vec::new();
    bindings.write(&mut text);
    if check {
        let committed = std::fs::read(&out).unwrap_or_default();
        if committed != text {
            eprintln!("include/kv.h is out of date with ffi-c: run `make header` and commit it");
            return ExitCode::FAILURE;
        }
        println!("include/kv.h is up to date");
    } else if let Err(e) = std::fs::write(&out, &text) {
        eprintln!("{}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
