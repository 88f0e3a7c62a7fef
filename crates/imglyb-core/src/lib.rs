//! imglyb-core: the JVM, the embedded Java bridge, and image descriptors in NumPy's terms.
//!
//! # What this layer knows
//! - The JVM: finding a Java installation ([`JavaSearch`]), starting it or attaching to one that
//!   already runs in the process ([`Jvm::start`]), attaching threads, and turning Java
//!   exceptions into [`Error::Java`].
//! - The Java bridge: the classes under `java/`, compiled by `build.rs` with
//!   `javac --release 11` against ImgLib2 and embedded in this library. They are loaded through a
//!   class loader of imglyb's own, so the installed library needs no separate Java install step.
//! - ImgLib2, through the bridge.
//! - Raw memory, through [`unsafe_access`] only.
//!
//! # What it must not know
//! Python and C. Nothing here names a Python object, the GIL or a C result code; the binding
//! crates (`imglyb-py`, `imglyb-c`) convert at their boundary and stay thin.
//!
//! # One JVM per process
//! A JVM can be created once per process and never restarted. [`Jvm::start`] is idempotent for
//! compatible settings and refuses incompatible ones with [`Error::JvmAlreadyStarted`].

#![cfg_attr(feature = "ndarray", doc = include_str!("arrays.md"))]
#![deny(missing_docs)]

mod bridge;
mod call;
mod config;
mod discovery;
mod error;
mod image;
mod jref;
mod jvm;
pub mod overload;
mod proxy;
pub mod reflect;
mod shared;
mod sys;

pub use bridge::bridge_class_names;
pub use call::{Arg, BorrowedBytes, Bytes, JObj, Value};
pub use config::{DEFAULT_OPTIONS, JvmConfig, SYSTEM_JARS, classpath_has_imglib2};
pub use discovery::{DEFAULT_INSTALL_DIRS, JavaInstall, JavaSearch, libjvm_in};
pub use error::{Error, JavaThrowable, Result};
pub use image::{DType, ImageDescriptor, Pixel};
pub use jref::{JRef, RawEnv};
pub use jvm::{ActiveSettings, Jvm, JvmInfo};
pub use proxy::ProxyHost;
pub use shared::{ImageShape, Owner, PixelType, SharedImage, owners_held};

/// Re-exported so users of this crate name the same `jni` types.
pub use jni;

/// Re-exported so users of this crate name the same `ndarray` types.
#[cfg(feature = "ndarray")]
pub use ndarray;

/// The version of this crate, which is also the version of the embedded bridge classes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
