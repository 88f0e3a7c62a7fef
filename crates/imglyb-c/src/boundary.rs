//! The panic boundary and the per-thread error message every export shares.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use imglyb_core::Error;

use crate::imglyb_result;

thread_local! {
    /// The message of the last call on this thread that failed; empty after one that succeeded.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Why an export failed: the code C sees and the message behind it.
#[derive(Debug)]
pub(crate) struct Failure {
    code: imglyb_result,
    message: String,
}

impl Failure {
    pub(crate) fn new(code: imglyb_result, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// A NULL pointer where `what` must not be NULL.
    pub(crate) fn null(what: &str) -> Failure {
        Failure::new(
            imglyb_result::NullArgument,
            format!("{what} must not be NULL"),
        )
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = match &e {
            Error::Java(_) => imglyb_result::JavaException,
            Error::JvmNotFound { .. } => imglyb_result::JvmNotFound,
            Error::ImgLib2NotFound { .. } => imglyb_result::Imglib2NotFound,
            Error::JvmAlreadyStarted { .. } => imglyb_result::JvmAlreadyStarted,
            Error::ForkedChild => imglyb_result::ForkedChild,
            Error::InvalidArgument(_) | Error::TypeMismatch(_) => imglyb_result::InvalidArgument,
            Error::JvmCreate { .. } | Error::JvmStartFailedEarlier(_) => {
                imglyb_result::JvmStartFailed
            }
            _ => imglyb_result::InternalError,
        };
        Failure::new(code, e.to_string())
    }
}

fn set_last_error(message: &str) {
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|m| *m.borrow_mut() = message);
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a panic without a message"
    }
}

/// Runs an export's body: clears this thread's message, turns a failure into its code and
/// message, and catches panics so that none unwinds into C.
pub(crate) fn boundary(body: impl FnOnce() -> Result<(), Failure>) -> imglyb_result {
    set_last_error("");
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => imglyb_result::Ok,
        Ok(Err(failure)) => {
            set_last_error(&failure.message);
            failure.code
        }
        Err(payload) => {
            set_last_error(&format!(
                "imglyb panicked (a bug; please report it): {}",
                panic_text(payload.as_ref())
            ));
            imglyb_result::Panic
        }
    }
}

/// Why the last imglyb call on this thread failed, as a NUL-terminated UTF-8 string; empty
/// when it succeeded. Owned by imglyb (never free it) and valid until the next imglyb call on
/// the same thread. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn imglyb_last_error_message() -> *const c_char {
    // The thread-local lives until the thread exits, and `boundary` replaces its value only at
    // the start of the next call, so the pointer stays valid as documented.
    LAST_ERROR
        .try_with(|m| m.borrow().as_ptr())
        .unwrap_or(c"".as_ptr())
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn last() -> String {
        // SAFETY: the pointer is a NUL-terminated string valid until the next call.
        unsafe { CStr::from_ptr(imglyb_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_a_code_and_a_message() {
        let code = boundary(|| panic!("boom {}", 42));
        assert_eq!(code, imglyb_result::Panic);
        assert!(last().contains("boom 42"), "{}", last());
        assert_eq!(boundary(|| Ok(())), imglyb_result::Ok);
        assert_eq!(last(), "");
    }

    #[test]
    fn a_failure_sets_the_message_and_nul_is_escaped() {
        let code = boundary(|| Err(Failure::new(imglyb_result::InvalidArgument, "a\0b")));
        assert_eq!(code, imglyb_result::InvalidArgument);
        assert_eq!(last(), "a\\0b");
    }
}
