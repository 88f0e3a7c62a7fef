//! Java strings and string arrays, read as UTF-16 (so lone surrogates survive and no modified
//! UTF-8 surprises).

use ::jni::sys::{jobject, jsize};

use super::env::{Frame, RawEnv, jcall};
use crate::jni::error::Result;

/// Reads a `java.lang.String` as UTF-16 code units.
pub(crate) fn read_string(env: RawEnv, s: jobject) -> Vec<u16> {
    // SAFETY: `s` is a live java.lang.String reference.
    let len = unsafe { jcall!(env, GetStringLength, s) };
    let mut units = vec![0u16; usize::try_from(len).unwrap_or(0)];
    if len > 0 {
        // SAFETY: `units` has room for `len` code units, the whole string.
        unsafe { jcall!(env, GetStringRegion, s, 0, len, units.as_mut_ptr()) };
    }
    units
}

/// Reads a `java.lang.String` into a Rust string (lone surrogates become U+FFFD).
pub(crate) fn read_rust_string(env: RawEnv, s: jobject) -> String {
    String::from_utf16_lossy(&read_string(env, s))
}

/// Reads a Java `String[]` (a live reference); null elements stay `None`.
pub(crate) fn read_string_array(frame: &mut Frame, array: jobject) -> Result<Vec<Option<String>>> {
    let env = frame.env();
    // SAFETY: `array` is a live String[] reference.
    let len: jsize = unsafe { jcall!(env, GetArrayLength, array) };
    let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    for i in 0..len {
        // SAFETY: `array` is a live object array and `0 <= i < len`.
        let element = unsafe { jcall!(env, GetObjectArrayElement, array, i) };
        frame.check()?;
        if element.is_null() {
            out.push(None);
        } else {
            out.push(Some(read_rust_string(env, element)));
            env.delete_local(element);
        }
    }
    Ok(out)
}

/// A new `java.lang.String` from UTF-16, as a local reference kept in `frame`.
#[cfg_attr(not(feature = "bridge"), allow(dead_code))]
pub(crate) fn new_string(frame: &mut Frame, units: &[u16]) -> Result<jobject> {
    let len = jsize::try_from(units.len()).map_err(|_| {
        crate::jni::error::Error::InvalidArgument("string too long for Java".into())
    })?;
    let env = frame.env();
    // SAFETY: `units` holds `len` UTF-16 code units.
    let s = unsafe { jcall!(env, NewString, units.as_ptr(), len) };
    frame.checked_local(s)
}
