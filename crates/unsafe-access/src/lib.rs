//! unsafe-access: raw strided memory for imglyb.
//!
//! # What this layer knows
//! Pointers, shapes, byte strides and item sizes: the geometry of a block of memory, whether a
//! strided view stays inside its allocation, and how to copy between strided blocks (collapsing
//! contiguous runs into `memcpy`). It also owns the RAII guard over JNI critical regions
//! (`GetPrimitiveArrayCritical`) used to copy Java primitive arrays in and out.
//!
//! # What it must not know
//! NumPy, ImgLib2, Python, C callers, and how a JVM is started. It takes raw geometry and raw JNI
//! handles from the layers above and never starts or finds a JVM.
//!
//! This crate is the foundation's placeholder for that layer: the geometry and critical-region
//! code arrive with the shared-pixels and Java-bridge work, which build on it.

#![deny(missing_docs)]
