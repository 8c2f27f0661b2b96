//! kv_command() and kv_vcommand(): their C bodies are in command.c (a C
//! variadic function cannot be defined in stable Rust), but rustc exports
//! only Rust items from a cdylib, so each export is a Rust function that
//! jumps to the C one, leaving registers and stack exactly as the caller
//! set them (variadic arguments included).

extern "C" {
    fn kv_internal_command();
    fn kv_internal_vcommand();
}

#[cfg(target_arch = "x86_64")]
macro_rules! jump {
    ($to:ident) => {
        core::arch::naked_asm!("jmp {f}", f = sym $to)
    };
}

#[cfg(target_arch = "aarch64")]
macro_rules! jump {
    ($to:ident) => {
        core::arch::naked_asm!("b {f}", f = sym $to)
    };
}

/// Declared in kv.h's trailer with its real, variadic signature.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn kv_command() {
    jump!(kv_internal_command)
}

/// Declared in kv.h's trailer with its real signature.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn kv_vcommand() {
    jump!(kv_internal_vcommand)
}
