//! The boundary of every native method Java calls (`Memory`'s and `NativeProxy`'s): one helper
//! that catches panics, turns an [`Error`] into a thrown Java exception and returns a fallback
//! value, so no native method unwinds into the JVM or forgets to throw. `imglyb-c` has the same
//! for C callers.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ::jni::sys::{self, JNINativeMethod, jint};

use super::env::{Frame, RawEnv, jcall};
use super::jref::JRef;
use crate::jni::error::{Error, Result};

/// Runs the body of a native method. An `Err` is thrown in Java (see [`throw`]) and a panic as a
/// `RuntimeException`; either way the method returns `fallback`, which Java ignores because an
/// exception is pending.
///
/// # Safety
/// `env` must be the `JNIEnv` the JVM passed to the native method, on this thread.
pub(crate) unsafe fn boundary<T>(
    env: *mut sys::JNIEnv,
    fallback: T,
    body: impl FnOnce(RawEnv) -> Result<T>,
) -> T {
    // SAFETY: the caller passes the env the JVM handed this native method.
    let env = unsafe { RawEnv::from_raw(env) };
    let error = match catch_unwind(AssertUnwindSafe(|| body(env))) {
        Ok(Ok(v)) => return v,
        Ok(Err(e)) => e,
        Err(_) => Error::Callback("imglyb: a panic in a native method".into()),
    };
    throw(env, error);
    fallback
}

/// Throws `e` in Java, unless an exception is pending already: a Java throwable as itself,
/// [`Error::TooDeep`] as a `StackOverflowError`, anything else as a `RuntimeException` with the
/// error's text.
pub(crate) fn throw(env: RawEnv, e: Error) {
    if env.exception_pending() {
        return;
    }
    if let Error::Java(t) = &e {
        // SAFETY: the throwable is a live global reference to a java.lang.Throwable.
        unsafe { jcall!(env, Throw, t.throwable.as_raw()) };
        return;
    }
    let class = match e {
        Error::TooDeep(_) => c"java/lang/StackOverflowError",
        _ => c"java/lang/RuntimeException",
    };
    let message = std::ffi::CString::new(e.to_string().replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: the name is a NUL-terminated JDK class name.
    let class = unsafe { jcall!(env, FindClass, class.as_ptr()) };
    if !class.is_null() {
        // SAFETY: `class` is a live Throwable subclass and `message` is NUL-terminated.
        unsafe { jcall!(env, ThrowNew, class, message.as_ptr()) };
        env.delete_local(class);
    }
}

/// Binds native methods of `class`.
///
/// # Safety
/// Each entry must name a native method `class` declares, with a function pointer of the
/// matching JNI signature, and static strings.
pub(crate) unsafe fn register(
    frame: &Frame,
    class: &JRef,
    methods: &[JNINativeMethod],
) -> Result<()> {
    let env = frame.env();
    // SAFETY: `class` is live; the entries are valid, per the contract.
    let rc = unsafe {
        jcall!(
            env,
            RegisterNatives,
            class.as_raw(),
            methods.as_ptr(),
            methods.len() as jint
        )
    };
    frame.check()?;
    if rc != 0 {
        return Err(Error::Internal(format!("RegisterNatives failed with {rc}")));
    }
    Ok(())
}
