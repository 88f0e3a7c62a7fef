//! [`JRef`], a global reference that any thread may hold and drop.

use ::jni::sys::jobject;

use super::env::jcall;
use super::vm;
use crate::jni::error::Result;

/// A JNI global reference to a non-null Java object.
///
/// It may be moved to and dropped on any thread: dropping attaches the thread if needed. In a
/// child forked after the JVM started, dropping leaks the reference instead of touching a JVM
/// whose threads are gone.
#[derive(Debug)]
pub struct JRef(jobject);

// SAFETY: a JNI global reference is valid on every thread until DeleteGlobalRef, which only Drop
// calls.
unsafe impl Send for JRef {}
// SAFETY: as above; shared access only reads the handle.
unsafe impl Sync for JRef {}

impl JRef {
    /// A new global reference to `obj`, a local or global reference made by JNI code of your
    /// own on this thread (a `Views` result, say): how such objects reach the pixels layer
    /// (`Pixels::describe`, `Pixels::copy_out`, ...) and the bridge. `None` for null.
    ///
    /// # Safety
    /// `obj` must be null or a live local or global reference valid on the calling thread.
    pub unsafe fn new(obj: jobject) -> Result<Option<JRef>> {
        if obj.is_null() {
            return Ok(None);
        }
        vm::env()?.global(obj).map(Some)
    }

    /// Gives the raw global reference away without deleting it: whoever takes it deletes it
    /// (JNI's `DeleteGlobalRef`), or it leaks.
    pub fn into_raw(self) -> jobject {
        let obj = self.0;
        std::mem::forget(self);
        obj
    }

    /// The raw global reference, valid while `self` lives.
    pub fn as_raw(&self) -> jobject {
        self.0
    }

    /// Takes ownership of a raw global reference.
    ///
    /// # Safety
    /// `obj` must be a non-null global reference that nothing else deletes.
    pub unsafe fn from_raw(obj: jobject) -> JRef {
        JRef(obj)
    }
}

impl Drop for JRef {
    fn drop(&mut self) {
        if vm::forked() {
            return;
        }
        if let Ok(env) = vm::env() {
            // SAFETY: `self.0` is a global reference owned by this JRef and deleted only here.
            unsafe { jcall!(env, DeleteGlobalRef, self.0) }
        }
    }
}
