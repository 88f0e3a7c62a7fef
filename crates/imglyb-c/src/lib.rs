//! imglyb-c: the C ABI of imglyb, built as `libimglyb.so`.
//!
//! # What this layer knows
//! C: result codes, out-parameters, NUL-terminated strings, per-thread error messages and the
//! panic boundary around every export. It converts at the boundary and calls `imglyb-core` for
//! everything else.
//!
//! # What it must not know
//! Python, and any logic that is not about crossing into C: the JVM lifecycle, the bridge and
//! image descriptors live in `imglyb-core`.
//!
//! The foundation exports only the version; the C image API grows on top of shared pixels.

#![deny(missing_docs)]

use std::ffi::{CStr, c_char};

static VERSION: &CStr = {
    const BYTES: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();
    match CStr::from_bytes_with_nul(BYTES) {
        Ok(s) => s,
        Err(_) => panic!("version contains NUL"),
    }
};

/// The library version as a static NUL-terminated string, owned by the library; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn imglyb_version() -> *const c_char {
    debug_assert_eq!(VERSION.to_str().ok(), Some(imglyb_core::VERSION));
    VERSION.as_ptr()
}
