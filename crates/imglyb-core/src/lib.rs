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
//!
//! # Sharing pixels
//! - [`Jvm::wrap`] (`unsafe`) hands memory described by an [`ImageDescriptor`] to Java as an
//!   ImgLib2 `Img`, with no copy, together with an [`Owner`] that Java drops once no Java object
//!   reaches the memory. [`ImageDescriptor::new`] and [`ImageDescriptor::c_contiguous`] build a
//!   descriptor from raw parts (address, [`DType`], NumPy-order shape, byte strides).
//! - With the `ndarray` feature (on by default), `Jvm::wrap_array` and
//!   `Jvm::wrap_shared_array` wrap owned `ndarray` arrays safely (see *Rust arrays* below).
//! - [`Jvm::describe`] tells where an image's pixels are, when they are memory imglyb knows:
//!   the reverse of `wrap`, again with no copy.
//! - [`Jvm::image_shape`] and [`Jvm::copy_out`] copy any ImgLib2 image of a NumPy dtype into
//!   C-contiguous memory.
//!
//! The lifetime rule: Java may keep an image, and any view of it, for as long as it likes, so the
//! memory must stay valid until Java drops the owner. Only memory that the owner itself keeps
//! alive (an array moved into it) can be wrapped safely; memory that is merely borrowed goes
//! through `unsafe` [`Jvm::wrap`], whose `# Safety` section states what the caller promises.
//!
//! # Threads
//! A `JNIEnv` belongs to one thread. [`Jvm::attach_current_thread`] (or [`Jvm::with_env`],
//! which adds a local-reference frame) gives the calling thread its own, attaching it once as a
//! daemon thread. [`Jvm`], [`JRef`] and [`JObj`] may be used from any thread.
//!
//! # Example
//! Wrap an `ndarray` array and read one pixel in Java through the `jni` crate (re-exported as
//! [`jni`]). The crate's `examples/` folder has longer ones (`wrap_array`, `wrap_raw`).
//!
//! ```
//! # #[cfg(feature = "ndarray")]
//! # fn main() -> imglyb_core::Result<()> {
//! use imglyb_core::jni::objects::{JObject, JValue};
//! use imglyb_core::ndarray::array;
//! use imglyb_core::{Jvm, JvmConfig};
//!
//! let jvm = Jvm::start(&JvmConfig::from_env())?;
//! // a[y, x]: 2 rows of 3 pixels; ImgLib2 sees dimensions (3, 2).
//! let a = array![[1.5f64, 2.5, 3.5], [4.5, 5.5, 6.5]];
//! let img = jvm.wrap_array(a)?; // Java owns the array from here on
//! assert_eq!(img.class.name(), "org.imglyb.StridedImg");
//!
//! // ImgLib2 position (x, y) = (2, 1) is a[1, 2].
//! let value = jvm.with_env(|env| {
//!     // SAFETY: `img.obj` is a live global reference while `img` lives, and a `JObject`
//!     // deletes nothing when dropped.
//!     let img = unsafe { JObject::from_raw(img.obj.as_raw()) };
//!     let r = (|| {
//!         let access = env
//!             .call_method(&img, "randomAccess", "()Lnet/imglib2/RandomAccess;", &[])?
//!             .l()?;
//!         let position = env.new_long_array(2)?;
//!         env.set_long_array_region(&position, 0, &[2, 1])?;
//!         env.call_method(&access, "setPosition", "([J)V", &[JValue::Object(&position)])?;
//!         let pixel = env.call_method(&access, "get", "()Ljava/lang/Object;", &[])?.l()?;
//!         env.call_method(&pixel, "getRealDouble", "()D", &[])?.d()
//!     })();
//!     // A pending Java exception is cleared and becomes `Error::Java`.
//!     jvm.check(env, r)
//! })?;
//! assert_eq!(value, 6.5);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "ndarray"))]
//! # fn main() {}
//! ```

#![cfg_attr(feature = "ndarray", doc = include_str!("arrays.md"))]
#![deny(missing_docs)]

mod bridge;
mod call;
mod config;
mod discovery;
mod error;
mod image;
pub mod interrupt;
mod jref;
mod jvm;
pub mod native_stack;
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
