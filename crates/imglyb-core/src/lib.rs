//! imglyb-core: the JVM, the embedded Java bridge, and image descriptors in NumPy's terms.
//!
//! # Layers
//! Four layers, each a folder whose module doc says what it knows and must not know.
//! Dependencies point down only; `ci/check-layers` fails the build on an import that points up.
//!
//! | layer | knows | entry point |
//! |---|---|---|
//! | [`bridge`] (feature `bridge`, on by default) | reflection, overloads, calls, proxies | [`Bridge`] |
//! | [`pixels`] | dtypes, descriptors, wrap, describe, copy-out | [`Pixels`] |
//! | [`runtime`] | find, start, attach and configure the JVM; imglyb's class loader | [`Jvm`] |
//! | [`jni`] | references, a per-thread [`Frame`](jni::Frame), primitives, strings, exceptions | [`JRef`] |
//!
//! `bridge` and `pixels` sit side by side on `runtime`: neither uses the other, so a host that
//! only shares pixels (the C ABI) builds without the bridge. [`Error`] is shared by all four.
//! Nothing here names Python or C: the binding crates (`imglyb-py`, `imglyb-c`) convert at
//! their boundary and stay thin.
//!
//! # One JVM per process
//! A JVM can be created once per process and never restarted. [`Jvm::start`] is idempotent for
//! compatible settings and refuses incompatible ones with [`Error::JvmAlreadyStarted`].
//!
//! # Sharing pixels
//! - [`Pixels::wrap`] (`unsafe`) hands memory described by an [`ImageDescriptor`] to Java as an
//!   ImgLib2 `Img`, with no copy, together with an [`Owner`] that Java drops once no Java object
//!   reaches the memory. [`ImageDescriptor::new`] and [`ImageDescriptor::c_contiguous`] build a
//!   descriptor from raw parts (address, [`DType`], NumPy-order shape, byte strides).
//! - With the `ndarray` feature (on by default), `Pixels::wrap_array` and
//!   `Pixels::wrap_shared_array` wrap owned `ndarray` arrays safely (see *Rust arrays* below).
//! - [`Pixels::describe`] tells where an image's pixels are, when they are memory imglyb knows:
//!   the reverse of `wrap`, again with no copy.
//! - [`Pixels::image_shape`] and [`Pixels::copy_out`] copy any ImgLib2 image of a NumPy dtype
//!   into C-contiguous memory.
//!
//! The lifetime rule: Java may keep an image, and any view of it, for as long as it likes, so the
//! memory must stay valid until Java drops the owner. Only memory that the owner itself keeps
//! alive (an array moved into it) can be wrapped safely; memory that is merely borrowed goes
//! through `unsafe` [`Pixels::wrap`], whose `# Safety` section states what the caller promises.
//!
//! # Soundness
//! Every safe public function is sound whatever its arguments. The bridge's calls, fields and
//! arrays check argument kinds against parameter types and targets against declaring classes;
//! the unchecked fast path is `unsafe` (`Bridge::invoke_unchecked`). No safe function takes a
//! raw JNI pointer.
//!
//! # Threads
//! A `JNIEnv` belongs to one thread. [`Jvm::raw_env`] gives the calling thread its own,
//! attaching it once as a daemon thread. [`Jvm`], [`JRef`], [`Pixels`] and `Bridge` may be used from any thread.
//!
//! # Example
//! Wrap an `ndarray` array and read one pixel in Java through the bridge: `randomAccess()`,
//! `setPosition(long[])`, `get()`, `getRealDouble()`. The crate's `examples/` folder has
//! longer ones (`wrap_array`, `wrap_raw`).
//!
//! ```
//! # #[cfg(all(feature = "ndarray", feature = "bridge"))]
//! # fn main() -> imglyb_core::Result<()> {
//! use std::sync::Arc;
//!
//! use imglyb_core::jni::Prim;
//! use imglyb_core::ndarray::array;
//! use imglyb_core::{Arg, Bridge, Bytes, Jvm, JvmConfig, Pixels, Value};
//!
//! let jvm = Jvm::start(&JvmConfig::from_env())?;
//! let bridge = Bridge::get(jvm)?;
//! // a[y, x]: 2 rows of 3 pixels; ImgLib2 sees dimensions (3, 2).
//! let a = array![[1.5f64, 2.5, 3.5], [4.5, 5.5, 6.5]];
//! let img = bridge.object(Arc::new(Pixels::get(jvm)?.wrap_array(a)?))?;
//! assert_eq!(img.class.name(), "org.imglyb.img.StridedImg");
//!
//! // Calls an instance method with no overloads.
//! let call = |obj: &imglyb_core::JObj, name: &str, args: &[Arg]| {
//!     let method = &obj.class.methods[name].overloads[0];
//!     bridge.invoke(method, Some(&obj.obj), args)
//! };
//! let Value::Object(access) = call(&img, "randomAccess", &[])? else { panic!() };
//! // ImgLib2 position (x, y) = (2, 1) is a[1, 2].
//! let position = [2i64, 1].iter().flat_map(|v| v.to_ne_bytes()).collect();
//! let set_position = access.class.methods["setPosition"]
//!     .overloads
//!     .iter()
//!     .find(|m| m.params.len() == 1 && m.params[0].name == "[J")
//!     .expect("setPosition(long[])");
//! let long_array = Arg::PrimArray(Prim::Long, Bytes::Owned(position));
//! bridge.invoke(set_position, Some(&access.obj), &[long_array])?;
//! let Value::Object(pixel) = call(&access, "get", &[])? else { panic!() };
//! let Value::Double(value) = call(&pixel, "getRealDouble", &[])? else { panic!() };
//! assert_eq!(value, 6.5);
//!
//! // The checked call refuses an argument of the wrong kind instead of crashing the JVM.
//! let wrong = bridge.invoke(set_position, Some(&access.obj), &[Arg::Int(3)]);
//! assert!(matches!(wrong, Err(imglyb_core::Error::TypeMismatch(_))));
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "ndarray", feature = "bridge")))]
//! # fn main() {}
//! ```

#![cfg_attr(feature = "ndarray", doc = include_str!("arrays.md"))]
#![deny(missing_docs)]

pub mod contract;
pub mod jni;
pub mod runtime;

#[cfg(feature = "bridge")]
pub mod bridge;
pub mod pixels;

pub use jni::error::{Error, JavaThrowable, Result};
pub use jni::{JRef, RawEnv};
pub use pixels::{
    DType, ImageDescriptor, ImageShape, Owner, Pixel, PixelType, Pixels, SharedImage, owners_held,
};
pub use runtime::{
    ActiveSettings, ClasspathSource, DEFAULT_INSTALL_DIRS, DEFAULT_OPTIONS, JavaInstall,
    JavaSearch, JavaSource, Jvm, JvmConfig, JvmInfo, SYSTEM_JARS, bridge_class_names,
    classpath_has_imglib2, gui_loop, interrupt, libjvm_in, native_stack,
};

#[cfg(feature = "bridge")]
pub use bridge::{Arg, BorrowedBytes, Bridge, Bytes, JObj, ProxyHost, Value};

/// Re-exported so users of this crate name the same `ndarray` types.
#[cfg(feature = "ndarray")]
pub use ndarray;

/// The version of this crate, which is also the version of the embedded bridge classes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
