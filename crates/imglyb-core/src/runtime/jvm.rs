//! The process's one JVM: found, started or attached to, configured once, never restarted.
//!
//! # Lifecycle
//! - [`Jvm::start`] creates the JVM, or attaches to one that already runs in the process (started
//!   by JPype, a C host or a test), and loads the bridge classes into it. Later calls check that
//!   the requested classpath entries and options are in effect and fail with
//!   [`Error::JvmAlreadyStarted`] otherwise: a JVM cannot be restarted or reconfigured.
//! - Any thread may use the JVM: [`Jvm::raw_env`] attaches it as a daemon thread, once, and it
//!   is detached when the thread exits.
//! - After `fork()`, the child has the JVM's memory but none of its threads. Every entry point
//!   refuses to run there ([`Error::ForkedChild`]) instead of hanging.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use jni::JavaVM;

use super::config::ClasspathSource;
use super::config::{DEFAULT_OPTIONS, JvmConfig, classpath_has_imglib2, library_provided};
use super::discovery::{JavaSearch, JavaSource, libjvm_in};
use super::install_check::{check_libjvm, check_runtime_image};
use super::libjvm::LibJvm;
use super::loader::Loader;
use crate::jni::error::{Error, Result};
use crate::jni::vm::check_not_forked;
use crate::jni::{JRef, RawEnv, vm};

static JVM: OnceLock<Jvm> = OnceLock::new();

/// The JVM option that governs `sun.misc.Unsafe`'s memory methods (Java 23 and newer).
const UNSAFE_MEMORY_ACCESS: &str = "--sun-misc-unsafe-memory-access";
static START: Mutex<()> = Mutex::new(());
static CREATE_FAILED: OnceLock<String> = OnceLock::new();

/// The settings the running JVM has, as far as they can be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSettings {
    /// The classpath entries in effect.
    pub classpath: Vec<PathBuf>,
    /// Where each entry of `classpath` came from (empty when attached to a JVM someone else
    /// started).
    pub classpath_sources: Vec<ClasspathSource>,
    /// Where the Java in use was found; `None` when attached to a JVM someone else started.
    pub java_source: Option<JavaSource>,
    /// The JVM's options; `None` when attached to a JVM that cannot report them.
    pub options: Option<Vec<String>>,
    /// The libjvm in use.
    pub libjvm: PathBuf,
    /// True when imglyb created the JVM, false when it attached to an existing one.
    pub created_here: bool,
}

/// Facts about the running JVM, read from inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JvmInfo {
    /// `java.version`, e.g. `17.0.15`.
    pub java_version: String,
    /// `java.vendor`.
    pub java_vendor: String,
    /// `java.vm.name` and `java.vm.version`.
    pub java_vm: String,
    /// `java.home`.
    pub java_home: String,
    /// `java.class.path`, split into entries.
    pub classpath: Vec<String>,
    /// The version of the ImgLib2 jar that `net.imglib2.img.Img` was loaded from.
    pub imglib2_version: Option<String>,
    /// The jar or folder `net.imglib2.img.Img` was loaded from.
    pub imglib2_location: Option<String>,
    /// The version the embedded bridge classes were built as (the crate version).
    pub bridge_version: String,
}

/// The JVM of this process with imglyb's classes loaded into it: lifecycle and thread
/// attachment only. Calls, reflection and proxies are the bridge layer's
/// (`imglyb_core::bridge::Bridge`); shared pixels the pixels layer's
/// (`imglyb_core::pixels::Pixels`).
#[derive(Debug)]
pub struct Jvm {
    vm: &'static JavaVM,
    loader: Loader,
    settings: ActiveSettings,
    imglib2_available: bool,
}

impl Jvm {
    /// The running JVM, if [`Jvm::start`] succeeded before.
    pub fn get() -> Option<&'static Jvm> {
        JVM.get()
    }

    /// Whether imglyb has a JVM (started or attached).
    pub fn started() -> bool {
        JVM.get().is_some()
    }

    /// Starts the JVM with `config`, or attaches to one already running in this process.
    ///
    /// Idempotent: once a JVM runs, this checks that every classpath entry and option of
    /// `config` is in effect and returns the same [`Jvm`]. A JVM that lacks ImgLib2 is kept (it
    /// cannot be replaced) but every start reports [`Error::ImgLib2NotFound`].
    ///
    /// ```
    /// use imglyb_core::{Error, Jvm, JvmConfig};
    ///
    /// # fn main() -> imglyb_core::Result<()> {
    /// // JvmConfig::from_env() reads IMGLYB_CLASSPATH and IMGLYB_JAVA_OPTIONS; the default
    /// // classpath ends with Debian's /usr/share/java/imglib2.jar when it exists.
    /// let jvm = Jvm::start(&JvmConfig::from_env())?;
    /// assert!(Jvm::started());
    /// println!("Java {}", jvm.info()?.java_version);
    ///
    /// // Starting again with settings already in effect returns the same JVM.
    /// assert!(std::ptr::eq(jvm, Jvm::start(&JvmConfig::default())?));
    /// // New settings cannot be applied to a running JVM.
    /// let more = JvmConfig { options: vec!["-Xmx123m".into()], ..JvmConfig::default() };
    /// assert!(matches!(Jvm::start(&more), Err(Error::JvmAlreadyStarted { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn start(config: &JvmConfig) -> Result<&'static Jvm> {
        check_not_forked()?;
        config.validate()?;
        if let Some(jvm) = JVM.get() {
            return jvm.accept(config);
        }
        let _guard = START
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(jvm) = JVM.get() {
            return jvm.accept(config);
        }
        if let Some(reason) = CREATE_FAILED.get() {
            return Err(Error::JvmStartFailedEarlier(reason.clone()));
        }
        let existing = LibJvm::already_loaded()
            .into_iter()
            .find_map(|lib| lib.created_vm().map(|vm| (lib, vm)));
        let jvm = match existing {
            Some((lib, raw)) => Jvm::attach_to(lib, raw)?,
            None => Jvm::create(config)?,
        };
        JVM.get_or_init(|| jvm).accept(config)
    }

    fn create(config: &JvmConfig) -> Result<Jvm> {
        // An explicit Java home is a demand, not a hint: no silent fallback to another Java.
        let (install, java_source) = match &config.java_home {
            Some(home) => libjvm_in(home)
                .map(|install| (install, JavaSource::JavaHome))
                .map_err(|why| Error::JvmNotFound {
                    tried: vec![format!("java_home={}: {why}", home.display())],
                })?,
            None => JavaSearch {
                fallback_homes: config.fallback_java_homes.clone(),
                ..JavaSearch::from_env()
            }
            .find_with_source()?,
        };
        check_classpath_entries(&config.classpath)?;
        let (classpath, classpath_sources): (Vec<_>, Vec<_>) =
            config.resolved_classpath_with_sources().into_iter().unzip();
        if !classpath_has_imglib2(&classpath) {
            return Err(Error::ImgLib2NotFound {
                classpath: classpath.iter().map(|p| p.display().to_string()).collect(),
            });
        }
        let joined = std::env::join_paths(&classpath)
            .map_err(|e| Error::InvalidArgument(format!("classpath: {e}")))?;
        let feature = install.feature_version();
        // The options HotSpot also reads from the environment, one by one.
        let env_options: Vec<String> = ["JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .flat_map(|v| v.split_whitespace().map(String::from).collect::<Vec<_>>())
            .collect();
        let mut options: Vec<String> = DEFAULT_OPTIONS.iter().map(|o| o.to_string()).collect();
        // The archive of the classes an earlier process linked, or the recording for one
        // (runtime/cds.rs); before the user's options, so that theirs have the last word.
        let archive = super::cds::plan(
            &install.home,
            &install.libjvm,
            feature,
            &classpath,
            &config
                .options
                .iter()
                .chain(&env_options)
                .cloned()
                .collect::<Vec<_>>(),
        );
        options.extend(archive.iter().flat_map(super::cds::Archive::options));
        options.extend(config.options.iter().cloned());
        // Java 24 warns on the first use of Unsafe's memory methods unless this option allows
        // them; Java 23 is the first to know it. With it, shared pixels take the Unsafe path, the
        // fastest one measured (see org.imglyb.memory.Memory). A user's own setting is kept.
        if feature.is_some_and(|v| v >= 23)
            && !options.iter().any(|o| o.starts_with(UNSAFE_MEMORY_ACCESS))
        {
            options.push(format!("{UNSAFE_MEMORY_ACCESS}=allow"));
        }
        let active_options = options.clone();
        let refuse = |path: &std::path::Path, why: String| Error::JvmNotFound {
            tried: vec![format!("{}: {why}", path.display())],
        };
        check_libjvm(&install.libjvm).map_err(|why| refuse(&install.libjvm, why))?;
        check_runtime_image(&install.home).map_err(|why| refuse(&install.home, why))?;
        // The probe's process costs about as much as the JVM's own start, so it runs only when
        // a configured option (or the environment's, which HotSpot reads too) could end the
        // process; imglyb's own additions above are valid for this Java.
        if super::options::needs_probe(
            config.options.iter().map(String::as_str),
            &env_options,
            super::platform::memory_room(),
        ) {
            probe_options(&install.home, &active_options)?;
        }
        // Last: nothing may refuse this installation once its libjvm is loaded (see
        // install_check).
        let lib = LibJvm::open(&install.libjvm)?;
        options.insert(0, format!("-Djava.class.path={}", joined.to_string_lossy()));
        // SAFETY: no JVM runs in this process: none was found among the loaded libjvms, and
        // START is held, so no other imglyb thread is creating one.
        let raw = match unsafe { lib.create_vm(&options) } {
            Ok(raw) => raw,
            Err(e) => {
                let _ = CREATE_FAILED.set(e.to_string());
                return Err(e);
            }
        };
        // SAFETY: `raw` is the live JavaVM that JNI_CreateJavaVM just returned.
        let vm = unsafe { JavaVM::from_raw(raw) }?;
        let check_jni = super::exit::wanted(&active_options);
        let jvm = Jvm::finish(
            vm,
            ActiveSettings {
                classpath,
                classpath_sources,
                java_source: Some(java_source),
                options: Some(active_options),
                libjvm: lib.path.clone(),
                created_here: true,
            },
        )?;
        if check_jni {
            super::exit::destroy_at_exit(&jvm.loader, raw)?;
        }
        // Registered after the hook above, so it runs first: the dump needs a live JVM. A JVM
        // without an archive is only slower to start, so a failure here fails nothing.
        if let Some(super::cds::Archive::Record(path)) = archive {
            let _ = super::cds::dump_at_exit(&jvm.loader, path);
        }
        Ok(jvm)
    }

    fn attach_to(lib: LibJvm, raw: *mut jni::sys::JavaVM) -> Result<Jvm> {
        // SAFETY: `raw` was reported by JNI_GetCreatedJavaVMs of a loaded libjvm, and a JVM is
        // never destroyed while the process embeds it.
        let vm = unsafe { JavaVM::from_raw(raw) }?;
        Jvm::finish(
            vm,
            ActiveSettings {
                classpath: Vec::new(),
                classpath_sources: Vec::new(),
                java_source: None,
                options: None,
                libjvm: lib.path,
                created_here: false,
            },
        )
    }

    /// Loads the bridge and completes the settings from inside the JVM.
    fn finish(vm: JavaVM, mut settings: ActiveSettings) -> Result<Jvm> {
        let vm = vm::set(vm);
        let bridge = Loader::load()?;
        let imglib2_available = bridge.imglib2_available()?;
        if imglib2_available {
            // A second thread prepares what a first image needs (org.imglyb.bridge.WarmUp). It
            // is an optimisation only: the first calls do its work themselves when it does not
            // start, so a failure to start it fails nothing.
            let _ = bridge.warm_up();
        }
        if !settings.created_here {
            let info = bridge.strings(c"jvmInfo")?.unwrap_or_default();
            settings.classpath = info_value(&info, "classpath")
                .map(|cp| std::env::split_paths(&cp).collect())
                .unwrap_or_default();
            settings.options = bridge
                .strings(c"inputArguments")?
                .map(|args| args.into_iter().flatten().collect());
        }
        super::native_stack::note_jvm_options(
            settings.options.iter().flatten().map(String::as_str),
        );
        Ok(Jvm {
            vm,
            loader: bridge,
            settings,
            imglib2_available,
        })
    }

    /// Checks a later start request against the running JVM.
    fn accept(&'static self, config: &JvmConfig) -> Result<&'static Jvm> {
        let requested = JvmConfig {
            system_jars: false,
            fallback_jars: Vec::new(),
            ..config.clone()
        };
        let mut missing: Vec<String> = requested
            .resolved_classpath()
            .into_iter()
            // A JVM someone else started (JPype with a Fiji's jars, say) keeps the ImgLib2 it
            // has: a configured ImgLib2 jar could not have been added there anyway.
            .filter(|entry| {
                !self.settings.classpath.contains(entry)
                    && (self.settings.created_here
                        || !library_provided(entry, &self.settings.classpath))
            })
            .map(|entry| format!("classpath entry {}", entry.display()))
            .collect();
        if let Some(active) = &self.settings.options {
            missing.extend(
                config
                    .options
                    .iter()
                    .filter(|o| !active.contains(o))
                    .map(|o| format!("option {o}")),
            );
        }
        if !missing.is_empty() {
            return Err(Error::JvmAlreadyStarted { missing });
        }
        if !self.imglib2_available {
            return Err(Error::ImgLib2NotFound {
                classpath: self
                    .settings
                    .classpath
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect(),
            });
        }
        Ok(self)
    }

    /// The raw `JavaVM` pointer, for JNI code of your own (the invocation interface).
    pub fn raw_vm(&self) -> *mut jni::sys::JavaVM {
        self.vm.get_java_vm_pointer()
    }

    /// imglyb's class loader, which sees the embedded classes and the JVM's classpath.
    pub fn loader(&self) -> &Loader {
        &self.loader
    }

    /// Whether ImgLib2 is on the JVM's classpath.
    pub fn imglib2_available(&self) -> bool {
        self.imglib2_available
    }

    /// The settings in effect.
    pub fn settings(&self) -> &ActiveSettings {
        &self.settings
    }

    /// The calling thread's `JNIEnv`, attaching the thread (as a daemon, for good) if it is not
    /// attached yet; refused in a child forked after the JVM started. A `JNIEnv` belongs to its
    /// thread: each thread asks for its own. [`RawEnv::raw`] is the pointer for JNI code of your
    /// own (through the `jni` crate's `JNIEnv::from_raw`, say).
    ///
    /// ```
    /// use imglyb_core::{Jvm, JvmConfig};
    ///
    /// # fn main() -> imglyb_core::Result<()> {
    /// let jvm = Jvm::start(&JvmConfig::from_env())?;
    /// let attached = std::thread::spawn(move || jvm.raw_env().map(|env| !env.raw().is_null()))
    ///     .join()
    ///     .expect("the thread panicked")?;
    /// assert!(attached);
    /// # Ok(())
    /// # }
    /// ```
    pub fn raw_env(&self) -> Result<RawEnv> {
        vm::env()
    }

    /// Loads (and initialises) a class by binary name (`java.util.ArrayList`,
    /// `org.imglyb.bridge.Bridge`, `Outer$Inner`) through imglyb's class loader, which sees the
    /// embedded classes and everything on the JVM's classpath (JNI's `FindClass` on a native
    /// thread sees only the system class loader). A missing class is `Error::Java`
    /// (`ClassNotFoundException`).
    pub fn load_class(&self, name: &str) -> Result<JRef> {
        self.loader.class(name, true)
    }

    /// Facts about the running JVM, read from inside it.
    pub fn info(&self) -> Result<JvmInfo> {
        {
            let kv = self.loader.strings(c"jvmInfo")?.unwrap_or_default();
            let get = |key: &str| info_value(&kv, key);
            let required = |key: &str| {
                get(key).ok_or_else(|| Error::Internal(format!("jvmInfo() lacks {key}")))
            };
            Ok(JvmInfo {
                java_version: required("java_version")?,
                java_vendor: get("java_vendor").unwrap_or_default(),
                java_vm: get("java_vm").unwrap_or_default(),
                java_home: required("java_home")?,
                classpath: get("classpath")
                    .map(|cp| {
                        std::env::split_paths(&cp)
                            .map(|p| p.display().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                imglib2_version: get("imglib2_version"),
                imglib2_location: get("imglib2_location"),
                bridge_version: required("bridge_version")?,
            })
        }
    }

    /// Runs a first real ImgLib2 operation in Java: fills a 4×3 float `ArrayImg` with 0..11
    /// through a cursor and returns the sum, 66.
    pub fn imglib2_self_test(&self) -> Result<f64> {
        self.loader.imglib2_self_test()
    }
}

fn info_value(kv: &[Option<String>], key: &str) -> Option<String> {
    kv.chunks(2)
        .find(|pair| pair[0].as_deref() == Some(key))
        .and_then(|pair| pair.get(1).cloned().flatten())
}

/// Refuses classpath entries that do not exist (a folder for `folder/*`): the JVM would accept
/// them silently, and a typo would surface only as a missing class much later.
fn check_classpath_entries(entries: &[PathBuf]) -> Result<()> {
    let missing: Vec<String> = entries
        .iter()
        .filter(|entry| {
            if entry.file_name().is_some_and(|n| n == "*") {
                !entry.parent().unwrap_or(std::path::Path::new(".")).is_dir()
            } else {
                !entry.exists()
            }
        })
        .map(|entry| entry.display().to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "classpath entries that do not exist: {} (from the classpath argument, \
         imglyb.config or IMGLYB_CLASSPATH)",
        missing.join(", ")
    )))
}

/// Starts `java OPTIONS -version` from `home` in a short-lived process before the one real
/// start: HotSpot calls `exit()` for some option errors late in start-up (`-Xms` above `-Xmx`,
/// a missing `-agentlib` or `-javaagent`, two garbage collectors, `-Xshare:on` without an
/// archive), which would end the host process instead of failing. Costs one short JVM start
/// (`docs/performance.md`), so it runs only when an option needs it (`super::options`); skipped
/// when `home` has no `bin/java`, or one that cannot run here.
fn probe_options(home: &std::path::Path, options: &[String]) -> Result<()> {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let java = home.join("bin/java");
    if !java.is_file() {
        return Ok(());
    }
    let mut child = Command::new(&java)
        // Read by the `java` launcher only, never by an embedded JVM: it would judge options
        // that the real start does not get.
        .env_remove("JDK_JAVA_OPTIONS")
        .args(options)
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::Internal(format!(
                "cannot run {} to check the options: {e}",
                java.display()
            ))
        })?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                break;
            }
        }
    }
    let output = child.wait_with_output().map_err(|e| {
        Error::Internal(format!("checking the options with {}: {e}", java.display()))
    })?;
    if output.status.success() {
        return Ok(());
    }
    // 127 with nothing said: `java` could not be started at all (a JDK for another machine run
    // under qemu's user-mode emulation, which cannot start a second emulated program; a folder
    // mounted noexec). HotSpot itself never exits with 127, so the probe has nothing to say, and
    // the real start reports whatever is wrong with the options.
    if output.status.code() == Some(127) && output.stdout.is_empty() && output.stderr.is_empty() {
        return Ok(());
    }
    let said: String = String::from_utf8_lossy(&output.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&output.stdout).lines())
        .filter(|l| !l.trim().is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("\n  ");
    Err(Error::InvalidArgument(format!(
        "the JVM refuses these options: {}; `{} {} -version` ended with {}:\n  {said}",
        options.join(" "),
        java.display(),
        options.join(" "),
        output.status
    )))
}

#[cfg(test)]
mod tests {
    use super::probe_options;
    use std::os::unix::fs::PermissionsExt;

    /// A Java home whose `bin/java` is the shell script `body`.
    fn home_with_java(name: &str, body: &str) -> std::path::PathBuf {
        let home = std::env::temp_dir().join(format!("imglyb-probe-{name}-{}", std::process::id()));
        std::fs::create_dir_all(home.join("bin")).unwrap();
        let java = home.join("bin/java");
        std::fs::write(&java, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&java, std::fs::Permissions::from_mode(0o755)).unwrap();
        home
    }

    #[test]
    fn the_probe_reports_refused_options_and_passes_a_java_that_cannot_run() {
        let refusing = home_with_java("refuses", "echo 'Unrecognized option: -Xbad' >&2; exit 1");
        let err = probe_options(&refusing, &["-Xbad".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("refuses these options: -Xbad") && err.contains("Unrecognized option"),
            "{err}"
        );
        let fine = home_with_java("accepts", "exit 0");
        probe_options(&fine, &["-Xmx1g".to_owned()]).unwrap();
        // What an emulated JDK's java looks like from inside qemu: it cannot be started.
        let foreign = home_with_java("cannot-run", "exit 127");
        probe_options(&foreign, &["-Xcheck:jni".to_owned()]).unwrap();
        for home in [refusing, fine, foreign] {
            let _ = std::fs::remove_dir_all(home);
        }
    }
}
