//! Java exceptions into [`Error::Java`]: take the pending throwable off the thread, describe it
//! (class name, message, stack trace with causes) and keep it as a global reference.
//!
//! The description comes from a static `String[] describe(Throwable)` method the runtime layer
//! registers once its classes are loaded ([`set_throwable_text`]); before that, from
//! `Throwable.toString()`.

use std::sync::OnceLock;

use ::jni::sys::{jobject, jvalue};

use super::env::{MethodId, RawEnv, jcall};
use super::jref::JRef;
use super::strings::read_rust_string;
use crate::jni::error::{Error, JavaThrowable};

static THROWABLE_TEXT: OnceLock<(JRef, MethodId)> = OnceLock::new();

/// Registers `class.method`, a static `String[] (Throwable)` returning the class name, the
/// message (or null) and the stack trace. The first registration wins.
pub(crate) fn set_throwable_text(class: JRef, method: MethodId) {
    let _ = THROWABLE_TEXT.set((class, method));
}

/// Takes the pending exception off the thread and describes it as [`Error::Java`].
pub(crate) fn take(env: RawEnv) -> Error {
    // SAFETY: ExceptionOccurred may always be called; it returns a new local reference or null.
    let throwable = unsafe { jcall!(env, ExceptionOccurred) };
    if throwable.is_null() {
        return Error::Internal("a Java exception was reported but none is pending".into());
    }
    // SAFETY: ExceptionClear may always be called.
    unsafe { jcall!(env, ExceptionClear) };
    let error = throwable_error(env, throwable);
    env.delete_local(throwable);
    error
}

/// An [`Error::Java`] for `throwable` (a live `java.lang.Throwable`, no exception pending): one
/// just caught, or one that crossed into the host earlier and is to be thrown again.
pub(crate) fn throwable_error(env: RawEnv, throwable: jobject) -> Error {
    let global = match env.global(throwable) {
        Ok(g) => g,
        Err(e) => return e,
    };
    match throwable_text(env, throwable) {
        Some((class_name, message, stacktrace)) => Error::Java(Box::new(JavaThrowable {
            class_name,
            message,
            stacktrace,
            throwable: global,
        })),
        None => Error::Internal("a Java exception was thrown while describing another".into()),
    }
}

type Description = (String, Option<String>, String);

fn throwable_text(env: RawEnv, throwable: jobject) -> Option<Description> {
    if let Some((class, method)) = THROWABLE_TEXT.get() {
        let args = [jvalue { l: throwable }];
        // SAFETY: `method` is a static String[] (Throwable) method of `class` (set_throwable_text),
        // and `args` holds its one argument.
        let array = unsafe {
            jcall!(
                env,
                CallStaticObjectMethodA,
                class.as_raw(),
                method.raw(),
                args.as_ptr()
            )
        };
        if env.exception_pending() || array.is_null() {
            // SAFETY: ExceptionClear may always be called.
            unsafe { jcall!(env, ExceptionClear) };
            env.delete_local(array);
            return None;
        }
        let mut frame = super::env::Frame::new(env);
        frame.keep(array);
        let mut parts = super::strings::read_string_array(&mut frame, array)
            .ok()?
            .into_iter();
        let class_name = parts.next().flatten().unwrap_or_default();
        let message = parts.next().flatten();
        let stacktrace = parts.next().flatten().unwrap_or_default();
        return Some((class_name, message, stacktrace));
    }
    // Before the runtime's classes exist: Throwable.toString() is "class: message".
    let mut frame = super::env::Frame::new(env);
    let text = (|| {
        let throwable_class = frame.find_class(c"java/lang/Throwable").ok()?;
        let id = frame
            .method_id(&throwable_class, c"toString", c"()Ljava/lang/String;")
            .ok()?;
        // SAFETY: `throwable` is a live Throwable and `id` its toString().
        unsafe { frame.call_object(throwable, id, &[]) }.ok()
    })();
    let Some(text) = text.filter(|t| !t.is_null()) else {
        // SAFETY: ExceptionClear may always be called.
        unsafe { jcall!(env, ExceptionClear) };
        return None;
    };
    let string = read_rust_string(env, text);
    let (class_name, message) = match string.split_once(": ") {
        Some((c, m)) => (c.to_owned(), Some(m.to_owned())),
        None => (string.clone(), None),
    };
    Some((class_name, message, string))
}
