//! The calling thread's `JNIEnv` ([`RawEnv`]), the [`jcall!`] macro that calls its function
//! table, and [`Frame`], which owns the local references one operation makes and turns a pending
//! Java exception into an [`Error`].

use std::ffi::CStr;

use ::jni::sys::{self, jfieldID, jmethodID, jobject};

use super::jref::JRef;
use super::prim::JavaValue;
use crate::jni::error::{Error, Result};

/// Calls a function of the JNI function table: `jcall!(env, Name, args...)`.
///
/// Must be used inside an `unsafe` block whose `// SAFETY:` line justifies the call.
macro_rules! jcall {
    ($env:expr, $f:ident $(, $a:expr)* $(,)?) => {{
        let env: *mut ::jni::sys::JNIEnv = $env.raw();
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

    /// The raw pointer.
    pub fn raw(self) -> *mut sys::JNIEnv {
        self.0
    }

    /// Whether a Java exception is pending.
    pub fn exception_pending(self) -> bool {
        // SAFETY: `self` is the calling thread's valid env; ExceptionCheck may always be called.
        unsafe { jcall!(self, ExceptionCheck) != 0 }
    }

    /// Takes the pending Java exception, if any, off the thread as [`Error::Java`](crate::Error):
    /// for JNI code of your own that left one pending.
    pub fn take_exception(self) -> Option<Error> {
        self.exception_pending()
            .then(|| super::exception::take(self))
    }

    /// Deletes a local reference; null is ignored.
    pub(crate) fn delete_local(self, obj: jobject) {
        if !obj.is_null() {
            // SAFETY: `obj` is a live local reference of this thread's current frame.
            unsafe { jcall!(self, DeleteLocalRef, obj) }
        }
    }

    /// `IsSameObject`.
    #[cfg_attr(not(feature = "bridge"), allow(dead_code))]
    pub(crate) fn same(self, a: jobject, b: jobject) -> bool {
        // SAFETY: both are live references (or null), which IsSameObject accepts.
        unsafe { jcall!(self, IsSameObject, a, b) != 0 }
    }

    /// `IsAssignableFrom(from, to)`: whether a `from` can be used where a `to` is expected.
    #[cfg_attr(not(feature = "bridge"), allow(dead_code))]
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
        // SAFETY: `g` is a new, non-null global reference that nothing else deletes.
        Ok(unsafe { JRef::from_raw(g) })
    }
}

/// The local references one JNI operation makes, deleted when it ends, and the exception check
/// every JNI call is followed by: a frame is how the layers above call JNI, so no local reference
/// leaks and no pending exception is forgotten.
///
/// A frame belongs to its thread (it holds a [`RawEnv`]) and is meant to live for one operation.
#[derive(Debug)]
pub struct Frame {
    env: RawEnv,
    refs: Vec<jobject>,
}

impl Frame {
    /// A frame on the calling thread, attaching it to the JVM (as a daemon) when needed.
    pub fn attach() -> Result<Frame> {
        Ok(Frame::new(super::vm::env()?))
    }

    /// A frame over `env`.
    pub(crate) fn new(env: RawEnv) -> Frame {
        Frame {
            env,
            refs: Vec::new(),
        }
    }

    /// The thread's env.
    pub fn env(&self) -> RawEnv {
        self.env
    }

    /// Registers a local reference (null is ignored), deleted when the frame ends; returns it.
    pub(crate) fn keep(&mut self, obj: jobject) -> jobject {
        if !obj.is_null() {
            self.refs.push(obj);
        }
        obj
    }

    /// `Ok(())`, or the pending Java exception, cleared, as [`Error::Java`].
    pub fn check(&self) -> Result<()> {
        if self.env.exception_pending() {
            Err(super::exception::take(self.env))
        } else {
            Ok(())
        }
    }

    /// [`Frame::check`] after a call that returned a local reference: the reference is kept in
    /// the frame and returned, or deleted when an exception is pending.
    pub(crate) fn checked_local(&mut self, obj: jobject) -> Result<jobject> {
        if self.env.exception_pending() {
            self.env.delete_local(obj);
            return Err(super::exception::take(self.env));
        }
        Ok(self.keep(obj))
    }

    /// [`Frame::check`] after a call that returned a local reference the caller keeps owning
    /// (it is not registered here): `obj`, or the pending exception with `obj` deleted. Used by
    /// the bridge's calls only.
    #[cfg(feature = "bridge")]
    pub(crate) fn checked_result(&self, obj: jobject) -> Result<jobject> {
        if self.env.exception_pending() {
            self.env.delete_local(obj);
            return Err(super::exception::take(self.env));
        }
        Ok(obj)
    }

    /// [`Frame::checked_local`] for a call that creates an object: a null result with no
    /// exception pending is an error too, never a null handed on. Used by the bridge's calls only.
    #[cfg(feature = "bridge")]
    pub(crate) fn created(&mut self, obj: jobject, what: &str) -> Result<jobject> {
        let obj = self.checked_local(obj)?;
        if obj.is_null() {
            return Err(Error::Internal(format!(
                "creating {what} returned null with no exception"
            )));
        }
        Ok(obj)
    }

    /// A new global reference to `obj` (a live reference, not null).
    pub(crate) fn global(&self, obj: jobject) -> Result<JRef> {
        self.env.global(obj)
    }

    /// A JDK class by JNI name (`java/lang/System`), as a global reference. Classes of imglyb
    /// and of the classpath go through the runtime's class loader instead.
    pub fn find_class(&mut self, name: &CStr) -> Result<JRef> {
        let env = self.env;
        // SAFETY: `name` is NUL-terminated.
        let class = unsafe { jcall!(env, FindClass, name.as_ptr()) };
        let class = self.checked_local(class)?;
        if class.is_null() {
            return Err(Error::Internal(format!(
                "FindClass({name:?}) returned null"
            )));
        }
        self.global(class)
    }

    /// The id of the static method `name` with JNI descriptor `sig` of `class`.
    pub(crate) fn static_method_id(
        &self,
        class: &JRef,
        name: &CStr,
        sig: &CStr,
    ) -> Result<MethodId> {
        // SAFETY: `class` is a live class reference (the callers pass classes only) and both
        // strings are NUL-terminated.
        let id = unsafe {
            jcall!(
                self.env,
                GetStaticMethodID,
                class.as_raw(),
                name.as_ptr(),
                sig.as_ptr()
            )
        };
        let id = self.looked_up(id, "static method", name, sig)?;
        // SAFETY: the id belongs to `class`; using it is unsafe, and its users keep the class.
        Ok(unsafe { MethodId::from_raw(id) })
    }

    /// The id of the instance method `name` with JNI descriptor `sig` of `class`.
    pub(crate) fn method_id(&self, class: &JRef, name: &CStr, sig: &CStr) -> Result<MethodId> {
        // SAFETY: as for `static_method_id`.
        let id = unsafe {
            jcall!(
                self.env,
                GetMethodID,
                class.as_raw(),
                name.as_ptr(),
                sig.as_ptr()
            )
        };
        let id = self.looked_up(id, "method", name, sig)?;
        // SAFETY: as for `static_method_id`.
        Ok(unsafe { MethodId::from_raw(id) })
    }

    /// The id of the instance field `name` with JNI type `sig` of `class`.
    pub(crate) fn field_id(&self, class: &JRef, name: &CStr, sig: &CStr) -> Result<FieldId> {
        // SAFETY: as for `static_method_id`.
        let id = unsafe {
            jcall!(
                self.env,
                GetFieldID,
                class.as_raw(),
                name.as_ptr(),
                sig.as_ptr()
            )
        };
        let id = self.looked_up(id, "field", name, sig)?;
        // SAFETY: as for `static_method_id`.
        Ok(unsafe { FieldId::from_raw(id) })
    }

    /// The result of a `Get*ID` lookup: the pending `NoSuchMethodError` or `NoSuchFieldError`
    /// when there is one, an error when the id is null anyway.
    fn looked_up<P>(&self, id: *mut P, what: &str, name: &CStr, sig: &CStr) -> Result<*mut P> {
        self.check()?;
        if id.is_null() {
            return Err(Error::Internal(format!("no {what} {name:?} {sig:?}")));
        }
        Ok(id)
    }

    /// Calls the static method `id` of `class` returning an object: a local reference kept in
    /// the frame (null stays null).
    ///
    /// # Safety
    /// `id` must be a static method of `class` returning an object, and `args` hold one value of
    /// each parameter's type.
    pub(crate) unsafe fn call_static_object(
        &mut self,
        class: &JRef,
        id: MethodId,
        args: &[sys::jvalue],
    ) -> Result<jobject> {
        let env = self.env;
        // SAFETY: per the contract.
        let v = unsafe {
            jcall!(
                env,
                CallStaticObjectMethodA,
                class.as_raw(),
                id.raw(),
                args.as_ptr()
            )
        };
        self.checked_local(v)
    }

    /// Calls the static method `id` of `class` returning the primitive `T`.
    ///
    /// # Safety
    /// As [`Frame::call_static_object`], for a method returning `T`'s primitive.
    pub(crate) unsafe fn call_static_prim<T: JavaValue>(
        &self,
        class: &JRef,
        id: MethodId,
        args: &[sys::jvalue],
    ) -> Result<T> {
        // SAFETY: per the contract.
        let v = unsafe { T::call_static(self.env, class.as_raw(), id.raw(), args.as_ptr()) };
        self.check().map(|()| v)
    }

    /// Calls the instance method `id` of `obj`, returning nothing (or a result it drops, for a
    /// `void` method only).
    ///
    /// # Safety
    /// `obj` must be a live object whose class has the `void` method `id`, and `args` hold one
    /// value of each parameter's type.
    pub(crate) unsafe fn call_void(
        &self,
        obj: jobject,
        id: MethodId,
        args: &[sys::jvalue],
    ) -> Result<()> {
        // SAFETY: per the contract.
        unsafe { jcall!(self.env, CallVoidMethodA, obj, id.raw(), args.as_ptr()) };
        self.check()
    }

    /// Calls the instance method `id` of `obj` returning an object: a local reference kept in
    /// the frame.
    ///
    /// # Safety
    /// As [`Frame::call_void`], for a method returning an object.
    pub(crate) unsafe fn call_object(
        &mut self,
        obj: jobject,
        id: MethodId,
        args: &[sys::jvalue],
    ) -> Result<jobject> {
        let env = self.env;
        // SAFETY: per the contract.
        let v = unsafe { jcall!(env, CallObjectMethodA, obj, id.raw(), args.as_ptr()) };
        self.checked_local(v)
    }

    /// A new object of `class` through its constructor `id`: a local reference kept in the frame.
    ///
    /// # Safety
    /// `id` must be a constructor of `class` (not abstract), and `args` hold one value of each
    /// parameter's type.
    pub(crate) unsafe fn new_object(
        &mut self,
        class: &JRef,
        id: MethodId,
        args: &[sys::jvalue],
    ) -> Result<jobject> {
        let env = self.env;
        // SAFETY: per the contract.
        let v = unsafe { jcall!(env, NewObjectA, class.as_raw(), id.raw(), args.as_ptr()) };
        let v = self.checked_local(v)?;
        if v.is_null() {
            return Err(Error::Internal("NewObject returned null".into()));
        }
        Ok(v)
    }

    /// A new `byte[]` holding `bytes`: a local reference kept in the frame.
    pub(crate) fn new_bytes(&mut self, bytes: &[u8]) -> Result<jobject> {
        let env = self.env;
        let len = sys::jsize::try_from(bytes.len()).map_err(|_| {
            Error::InvalidArgument("more than 2^31-1 bytes for a Java array".into())
        })?;
        // SAFETY: NewByteArray takes any non-negative length.
        let array = unsafe { jcall!(env, NewByteArray, len) };
        let array = self.checked_local(array)?;
        // SAFETY: `array` holds `len` bytes, as many as `bytes` provides.
        unsafe {
            jcall!(
                env,
                SetByteArrayRegion,
                array,
                0,
                len,
                bytes.as_ptr().cast()
            )
        };
        self.check()?;
        Ok(array)
    }

    /// Defines the class `name` (JNI form, `a/b/C`) from class-file bytes in `loader`: a local
    /// reference kept in the frame.
    ///
    /// # Safety
    /// `loader` must be a live `java.lang.ClassLoader`.
    pub(crate) unsafe fn define_class(
        &mut self,
        name: &CStr,
        loader: jobject,
        bytes: &[u8],
    ) -> Result<jobject> {
        let env = self.env;
        let len = sys::jsize::try_from(bytes.len())
            .map_err(|_| Error::InvalidArgument("a class file beyond 2 GiB".into()))?;
        // SAFETY: per the contract; `bytes` holds `len` bytes and `name` is NUL-terminated.
        let class = unsafe {
            jcall!(
                env,
                DefineClass,
                name.as_ptr(),
                loader,
                bytes.as_ptr().cast(),
                len
            )
        };
        self.checked_local(class)
    }

    /// The object field `id` of `obj`, as a local reference kept in the frame.
    ///
    /// # Safety
    /// `obj` must be a live object whose class has the object field `id`.
    pub(crate) unsafe fn object_field(&mut self, obj: jobject, id: FieldId) -> Result<jobject> {
        let env = self.env;
        // SAFETY: per the contract.
        let v = unsafe { jcall!(env, GetObjectField, obj, id.raw()) };
        self.checked_local(v)
    }

    /// The `int` field `id` of `obj`.
    ///
    /// # Safety
    /// `obj` must be a live object whose class has the `int` field `id`.
    #[cfg_attr(not(feature = "bridge"), allow(dead_code))]
    pub(crate) unsafe fn int_field(&self, obj: jobject, id: FieldId) -> i32 {
        // SAFETY: per the contract.
        unsafe { jcall!(self.env, GetIntField, obj, id.raw()) }
    }

    /// The `char` field `id` of `obj`.
    ///
    /// # Safety
    /// `obj` must be a live object whose class has the `char` field `id`.
    #[cfg_attr(not(feature = "bridge"), allow(dead_code))]
    pub(crate) unsafe fn char_field(&self, obj: jobject, id: FieldId) -> u16 {
        // SAFETY: per the contract.
        unsafe { jcall!(self.env, GetCharField, obj, id.raw()) }
    }

    /// Element `i` of the object array `array`, as a local reference kept in the frame.
    ///
    /// # Safety
    /// `array` must be a live object array.
    #[cfg_attr(not(feature = "bridge"), allow(dead_code))]
    pub(crate) unsafe fn element(&mut self, array: jobject, i: usize) -> Result<jobject> {
        let env = self.env;
        let i = sys::jsize::try_from(i)
            .map_err(|_| Error::Internal(format!("array index {i} beyond 2^31")))?;
        // SAFETY: per the contract; Java checks the bounds.
        let v = unsafe { jcall!(env, GetObjectArrayElement, array, i) };
        self.checked_local(v)
    }

    /// The length of the array `array`.
    ///
    /// # Safety
    /// `array` must be a live array.
    pub(crate) unsafe fn array_len(&self, array: jobject) -> usize {
        // SAFETY: per the contract.
        let n = unsafe { jcall!(self.env, GetArrayLength, array) };
        usize::try_from(n).unwrap_or(0)
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        for r in self.refs.drain(..) {
            self.env.delete_local(r);
        }
    }
}

/// A JNI method id; valid on every thread while its class is loaded (we hold the class).
#[derive(Debug, Clone, Copy)]
pub struct MethodId(jmethodID);
// SAFETY: method ids are process-wide and immutable; the class they belong to is kept alive by a
// global reference in the owning ClassInfo.
unsafe impl Send for MethodId {}
// SAFETY: as above.
unsafe impl Sync for MethodId {}

/// A JNI field id; valid on every thread while its class is loaded.
#[derive(Debug, Clone, Copy)]
pub struct FieldId(jfieldID);
// SAFETY: field ids are process-wide and immutable, like method ids.
unsafe impl Send for FieldId {}
// SAFETY: as above.
unsafe impl Sync for FieldId {}

impl MethodId {
    /// Wraps a method id.
    ///
    /// # Safety
    /// `id` must be a valid method id of a class that stays loaded for as long as the value is
    /// used (a class the caller holds a global reference to).
    pub unsafe fn from_raw(id: jmethodID) -> MethodId {
        MethodId(id)
    }

    /// The raw id.
    pub fn raw(self) -> jmethodID {
        self.0
    }
}

impl FieldId {
    /// Wraps a field id.
    ///
    /// # Safety
    /// As [`MethodId::from_raw`], for a field.
    pub unsafe fn from_raw(id: jfieldID) -> FieldId {
        FieldId(id)
    }

    /// The raw id.
    pub fn raw(self) -> jfieldID {
        self.0
    }
}
