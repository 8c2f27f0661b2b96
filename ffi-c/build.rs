//! Compiles kv_command (src/command.c), the printf-style entry point:
//! a C variadic function cannot be defined in stable Rust.

fn main() {
    println!("cargo:rerun-if-changed=src/command.c");
    println!("cargo:rerun-if-changed=../include/kv.h");
    cc::Build::new()
        .file("src/command.c")
        .include("../include")
        .std("c99")
        .warnings(true)
        .extra_warnings(true)
        .compile("kv_command");
}
