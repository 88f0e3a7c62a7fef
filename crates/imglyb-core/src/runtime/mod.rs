//! The runtime layer: find a Java installation, start the process's one JVM or attach to the one
//! that runs already, attach threads, and load imglyb's embedded Java classes through a class
//! loader of its own.
//!
//! # What this layer knows
//! - Java installations ([`discovery`]), `libjvm` (loaded with `dlopen`), JVM
//!   options and classpaths ([`config`]), and which options could make HotSpot end the process,
//!   so that start-up tries them in a short-lived `java` first (the `options` module).
//! - The JVM's lifecycle ([`Jvm`]): one per process, started or attached once, never restarted;
//!   refused after `fork()`.
//! - The embedded classes ([`loader`]): the class files `build.rs` compiled from `java/`, and
//!   the runtime's own calls into `org.imglyb.bridge.Bridge` (JVM facts, the ImgLib2 self-test, and the
//!   exception description it hands to the JNI layer).
//! - The calling thread's native stack ([`native_stack`]) and Ctrl-C during a Java call
//!   ([`interrupt`]).
//!
//! # What it must not know
//! Reflection, overloads, calls and proxies (the bridge layer) and images (the pixels layer):
//! both build on this one, never the reverse. It uses the JNI layer ([`crate::jni`]) and
//! the crate's [`Error`](crate::Error) only.

mod cds;
pub mod config;
pub mod discovery;
mod exit;
pub mod gui_loop;
mod install_check;
pub mod interrupt;
mod jvm;
mod libjvm;
pub mod loader;
pub mod native_stack;
mod options;
mod platform;
#[cfg(test)]
pub(crate) mod scratch;

pub use config::{ClasspathSource, DEFAULT_OPTIONS, JvmConfig, SYSTEM_JARS, classpath_has_imglib2};
pub use discovery::{DEFAULT_INSTALL_DIRS, JavaInstall, JavaSearch, JavaSource, libjvm_in};
pub use jvm::{ActiveSettings, Jvm, JvmInfo};
pub use loader::{Loader, bridge_class_names};
