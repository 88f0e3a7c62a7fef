//! Raw JNI plumbing for the hot call path: the calling thread's `JNIEnv` as a raw pointer, and
//! [`JRef`], a global reference that any thread may hold and drop.

use jni::sys::{self, jobject};

use crate::error::{Error, Result};
use crate::jvm::{Jvm, forked};

/// Calls a function of the JNI function table: `jcall!(env, Name, args...)`.
///
/// Must be used inside an `unsafe` block whose `// SAFETY:` line justifies the call.
macro_rules! jcall {
    ($env:expr, $f:ident $(, $a:expr)* $(,)?) => {{
        let env: *mut jni::sys::JNIEnv = $env.raw();
        ((**env).$f.expect(concat!("JNI function ", stringify!($f))))(env $(, $a)*)
    }};
}
pub(crate) use jcall;

/// The raw `JNIEnv` of the calling thread. Not `Send`: a `JNIEnv` belongs to one thread.
#[derive(Debug, Clone, Copy)]
pub struct RawEnv(*mut sys::JNIEnv);

impl RawEnv {
    /// Wraps a `JNIEnv` pointer.
    ///
    /// # Safety
    /// `env` must be the valid `JNIEnv` of the calling thread, and the value must not be used on
    /// another thread.
    pub unsafe fn from_raw(env: *mut sys::JNIEnv) -> RawEnv {
        RawEnv(env)
    }

    /// The raw env of a `jni` crate env.
    pub fn from_jni(env: &jni::JNIEnv) -> RawEnv {
        RawEnv(env.get_raw())
    }

    /// A `jni` crate env for the same thread, for the calls that are not on the hot path.
    pub(crate) fn to_jni<'local>(self) -> Result<jni::JNIEnv<'local>> {
        // SAFETY: `self.0` is the calling thread's valid env (see `from_raw`).
        Ok(unsafe { jni::JNIEnv::from_raw(self.0) }?)
    }

    /// The raw pointer.
    pub fn raw(self) -> *mut sys::JNIEnv {
        self.0
    }

    /// Whether a Java exception is pending.
    pub(crate) fn exception_pending(self) -> bool {
        // SAFETY: `self` is the calling thread's valid env; ExceptionCheck may always be called.
        unsafe { jcall!(self, ExceptionCheck) != 0 }
    }

    /// Deletes a local reference; null is ignored.
    pub(crate) fn delete_local(self, obj: jobject) {
        if !obj.is_null() {
            // SAFETY: `obj` is a live local reference of this thread's current frame.
            unsafe { jcall!(self, DeleteLocalRef, obj) }
        }
    }

    /// `IsSameObject`.
    pub(crate) fn same(self, a: jobject, b: jobject) -> bool {
        // SAFETY: both are live references (or null), which IsSameObject accepts.
        unsafe { jcall!(self, IsSameObject, a, b) != 0 }
    }

    /// `IsAssignableFrom(from, to)`: whether a `from` can be used where a `to` is expected.
    pub(crate) fn assignable(self, from: jobject, to: jobject) -> bool {
        // SAFETY: both are live references to java.lang.Class objects.
        unsafe { jcall!(self, IsAssignableFrom, from, to) != 0 }
    }

    /// `IsInstanceOf(obj, class)`; null is an instance of every class.
    pub(crate) fn instance_of(self, obj: jobject, class: jobject) -> bool {
        // SAFETY: `obj` is a live reference or null and `class` a live java.lang.Class reference.
        unsafe { jcall!(self, IsInstanceOf, obj, class) != 0 }
    }

    /// A new global reference to `obj` (a live local or global reference, not null).
    pub(crate) fn global(self, obj: jobject) -> Result<JRef> {
        // SAFETY: `obj` is a live reference; NewGlobalRef returns null only when out of memory.
        let g = unsafe { jcall!(self, NewGlobalRef, obj) };
        if g.is_null() {
            return Err(Error::Internal(
                "NewGlobalRef failed (out of memory?)".into(),
            ));
        }
        Ok(JRef(g))
    }
}

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
    /// A new global reference to `obj`, a local or global reference made through the `jni`
    /// crate on this thread (a `Views` result, say): how objects from your own JNI calls reach
    /// [`Jvm::describe`], [`Jvm::image_shape`], [`Jvm::copy_out`] or `Jvm::copy_to_array`. `None`
    /// for a null object.
    pub fn new(env: &jni::JNIEnv<'_>, obj: &jni::objects::JObject<'_>) -> Result<Option<JRef>> {
        if obj.is_null() {
            return Ok(None);
        }
        RawEnv::from_jni(env).global(obj.as_raw()).map(Some)
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
        if forked() {
            return;
        }
        let Some(jvm) = Jvm::get() else { return };
        if let Ok(env) = jvm.raw_env() {
            // SAFETY: `self.0` is a global reference owned by this JRef and deleted only here.
            unsafe { jcall!(env, DeleteGlobalRef, self.0) }
        }
    }
}
