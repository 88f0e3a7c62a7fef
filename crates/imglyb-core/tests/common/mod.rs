//! The one session JVM every integration test of this crate shares (each test file is its own
//! process), started with `-Xcheck:jni`, and the layers over it.

#![allow(dead_code)]

use std::sync::OnceLock;

use imglyb_core::{Bridge, Jvm, JvmConfig, Pixels};

/// The session's settings: `-Xcheck:jni`, so a JNI misuse fails the test run.
pub fn session_config() -> JvmConfig {
    JvmConfig {
        options: vec!["-Xcheck:jni".into(), "-Dimglyb.test=rust".into()],
        ..JvmConfig::from_env()
    }
}

/// The session JVM, started on first use.
pub fn jvm() -> &'static Jvm {
    static JVM: OnceLock<&'static Jvm> = OnceLock::new();
    JVM.get_or_init(|| Jvm::start(&session_config()).expect("start the session JVM"))
}

/// The pixels layer over the session JVM.
pub fn pixels() -> &'static Pixels {
    Pixels::get(jvm()).expect("set up the pixels layer")
}

/// The call bridge over the session JVM.
pub fn bridge() -> &'static Bridge {
    Bridge::get(jvm()).expect("set up the call bridge")
}

/// Runs `f` with the calling thread's env as the `jni` crate's `JNIEnv`, inside a local frame:
/// how a user's own JNI code runs beside imglyb.
pub fn with_env<R>(
    f: impl FnOnce(&mut jni::JNIEnv) -> imglyb_core::Result<R>,
) -> imglyb_core::Result<R> {
    let raw = jvm().raw_env()?;
    // SAFETY: `raw` is the calling thread's valid env, used on this thread only.
    let mut env = unsafe { jni::JNIEnv::from_raw(raw.raw()) }?;
    env.with_local_frame(16, f)
}

/// Converts a `jni` result; a pending Java exception is taken off the thread as `Error::Java`.
pub fn check<T>(env: &mut jni::JNIEnv, r: jni::errors::Result<T>) -> imglyb_core::Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(e) => {
            let _ = env;
            match jvm().raw_env()?.take_exception() {
                Some(java) => Err(java),
                None => Err(e.into()),
            }
        }
    }
}

/// A class through imglyb's class loader, as a local reference of `env`'s current frame.
pub fn load_class<'l>(
    env: &mut jni::JNIEnv<'l>,
    name: &str,
) -> imglyb_core::Result<jni::objects::JObject<'l>> {
    let class = jvm().load_class(name)?;
    // SAFETY: `class` is a live global reference; the JObject wrapper deletes nothing.
    let global = unsafe { jni::objects::JObject::from_raw(class.as_raw()) };
    Ok(env.new_local_ref(&global)?)
}
