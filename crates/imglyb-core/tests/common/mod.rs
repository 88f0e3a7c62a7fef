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
