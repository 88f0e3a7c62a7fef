//! The JNI layer: references, the calling thread's env and its [`Frame`], Java primitives,
//! strings and exceptions, over the raw JNI function table.
//!
//! # What this layer knows
//! JNI and the JDK's own classes (`java.lang.String`, `Throwable`). The process's one `JavaVM`
//! once the runtime layer has set it (`vm::set`), so that any thread can get an env and any
//! [`JRef`] can be dropped anywhere.
//!
//! # What it must not know
//! imglyb: not how the JVM is found or started (the runtime layer), not reflection or calls
//! (the bridge layer), not images (the pixels layer). It imports only the contract.
//!
//! [`error`] is the crate's one error type, here because this is where Java exceptions become
//! errors; the layers above add their variants' meaning (a missing Java, a type mismatch) but
//! not their own types.
//! The runtime layer hands it the one thing it needs from above as data: the method that
//! describes an exception (`exception::set_throwable_text`).
//!
//! # Rules for the layers above
//! - Every `jcall!` is followed by a check: use a [`Frame`] ([`Frame::check`], and
//!   `Frame::checked_local` for a call that returns a reference), which also owns the local
//!   references the operation makes.
//! - Per-primitive code is written once, with `with_prim!` over [`Prim`] and the `JavaValue`
//!   trait, which gives each primitive's Rust type its JNI functions.
//! - Functions that take raw `jobject`s are `pub(crate)`: a safe public function cannot check
//!   that a raw pointer is a live reference, so none takes one.
//!
//! One JNI style throughout: the raw function table through `jcall!`, inside a [`Frame`]. The
//! `jni` crate is used for one thing, `JavaVM`'s thread attachment (which detaches a thread
//! when it exits), in [`vm`]. No public signature names a `jni`-crate type: code of your own that calls JNI gets raw
//! pointers (`RawEnv::raw`, `Jvm::raw_vm`) and may wrap them in the `jni` crate itself.
//! [`sys`] re-exports JNI's C types (`jni-sys`), which the C ABI speaks.

mod env;
pub mod error;
pub(crate) mod exception;
mod jref;
pub(crate) mod natives;
mod prim;
pub(crate) mod strings;
pub mod vm;

pub(crate) use env::jcall;
pub use env::{FieldId, Frame, MethodId, RawEnv};
pub use jref::JRef;
#[cfg(feature = "bridge")]
pub(crate) use prim::JavaValue;
pub use prim::Prim;
pub(crate) use prim::with_prim;

pub use ::jni::sys;
