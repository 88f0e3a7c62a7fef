//! The pixels layer: NumPy's view of memory and ImgLib2's view of the same bytes. Pixel types
//! and descriptors ([`descriptor`]: a dtype, a NumPy-order shape and byte strides, checked
//! before anything reaches Java), and the shared images themselves ([`Pixels`]: wrap memory as
//! an ImgLib2 `Img` with no copy, describe an image as memory, copy any image out).
//!
//! # What this layer knows
//! Raw memory through `unsafe-access`, the JNI layer ([`crate::jni`]), and the runtime layer
//! ([`crate::runtime`]) for the JVM and imglyb's class loader. Its Java side is
//! `org.imglyb.Images` (called through method ids resolved once, never through reflection),
//! `org.imglyb.memory.Memory` (whose natives are bound here) and the image classes over them
//! (`StridedImg`, the `Native*Access` classes, `SharedImgFactory`).
//!
//! # What it must not know
//! The bridge layer: no reflection, no overloads, no dynamic calls. That keeps a C or Rust host
//! that only shares pixels free of the call machinery (the `bridge` feature can be left off).
//!
//! # The lifetime rule
//! Java may keep an image, and any view of it, for as long as it likes, so wrapped memory must
//! stay valid until Java drops its [`Owner`]; see [`Pixels::wrap`].

pub mod descriptor;
mod images;

pub use descriptor::{DType, ImageDescriptor, Pixel};
pub use images::{ImageShape, Owner, PixelType, Pixels, SharedImage, owners_held};
