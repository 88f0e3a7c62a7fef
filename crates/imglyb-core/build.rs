//! Compiles the Java bridge (`java/` at the workspace root) with `javac --release 11` against
//! ImgLib2 and writes a Rust table that embeds every class file, so the built library needs no
//! separate Java install step.
//!
//! Inputs (all optional):
//! - `IMGLYB_IMGLIB2_JAR`: the ImgLib2 jar to compile against (default: Debian's
//!   `/usr/share/java/imglib2.jar`, from `libimglib2-java`).
//! - `IMGLYB_JAVA_SRC`: the Java source root (default: `../../java/src/main/java`).
//! - `JAVA_HOME`: where `javac` lives (default: `javac` on `PATH`).
//! - `IMGLYB_IJ_JAR`: the ImageJ 1.x jar the viewer classes (`java/src/imagej/java`) are
//!   compiled against (default: Debian's `/usr/share/java/ij.jar`, from `libij-java`). Without
//!   it they are left out, with a warning, and `imglyb.show` says so when called.
//! - `IMGLYB_LINK_CHECK`: jars (a path list, such as the newest ImgLib2 and ImageJ) to link the
//!   compiled classes against with `java/tools/LinkCheck.java`: every class, method and field the
//!   classes name must exist there with the same descriptor, and every inherited abstract method
//!   must be implemented, or the build fails. `ci/setup` and `ci/test` set it to ImgLib2 8.x, so a
//!   call whose signature changed since the ImgLib2 the classes are compiled against (4.5) is
//!   caught here, not at a user's run time.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    println!("cargo:warning={}", msg.lines().next().unwrap_or(msg));
    exit(1);
}

fn files_with_ext(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", dir.display())));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files_with_ext(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

fn javac() -> PathBuf {
    if let Some(home) = env::var_os("JAVA_HOME") {
        let candidate = Path::new(&home).join("bin/javac");
        if candidate.is_file() {
            return candidate;
        }
    }
    PathBuf::from("javac")
}

/// Compiles `sources` with `javac --release 11` against `classpath` into `classes`, every lint
/// warning an error unless `strict` is false.
fn compile(classpath: &str, classes: &Path, sources: &[PathBuf], src: &Path, strict: bool) {
    let javac = javac();
    let status = Command::new(&javac)
        .args([
            "--release",
            "11",
            "-encoding",
            "UTF-8",
            "-Xlint:all,-options",
        ])
        .args(strict.then_some("-Werror"))
        .args(["-implicit:none", "-proc:none", "-cp", classpath])
        .arg("-d")
        .arg(classes)
        .args(sources)
        .status()
        .unwrap_or_else(|e| {
            fail(&format!(
                "cannot run {}: {e}. Install a JDK (`apt-get install default-jdk-headless`, or \
                 run ./ci/setup) or set JAVA_HOME.",
                javac.display()
            ))
        });
    if !status.success() {
        fail(&format!(
            "{} failed to compile the Java sources in {}",
            javac.display(),
            src.display()
        ));
    }
}

/// Links `classes` against the jars in `jars` (a path list) with `LinkCheck.java`; fails the build
/// on any unresolved reference.
fn link_check(tool: &Path, classes: &Path, jars: &std::ffi::OsStr, also: &[&Path]) {
    println!("cargo:rerun-if-changed={}", tool.display());
    let mut java = javac();
    java.set_file_name("java");
    let mut cmd = Command::new(&java);
    cmd.arg(tool).arg(classes);
    for jar in env::split_paths(jars) {
        if !jar.is_file() {
            fail(&format!(
                "IMGLYB_LINK_CHECK names {}, which is not a file",
                jar.display()
            ));
        }
        println!("cargo:rerun-if-changed={}", jar.display());
        cmd.arg(jar);
    }
    cmd.args(also);
    let output = cmd
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run {}: {e}", java.display())));
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        fail(&format!(
            "the Java classes do not link against {}:\n{text}{}",
            jars.to_string_lossy(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
}

/// The Rust side of the contract with the Java classes, compiled here too: `org.imglyb.Contract`
/// is generated from it.
#[path = "src/contract.rs"]
#[allow(dead_code)]
mod contract;

fn main() {
    println!("cargo:rerun-if-changed=src/contract.rs");
    for var in [
        "IMGLYB_IMGLIB2_JAR",
        "IMGLYB_JAVA_SRC",
        "IMGLYB_IJ_JAR",
        "IMGLYB_LINK_CHECK",
        "JAVA_HOME",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let version = env::var("CARGO_PKG_VERSION").expect("CARGO_PKG_VERSION");

    let src = env::var_os("IMGLYB_JAVA_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../java/src/main/java"));
    println!("cargo:rerun-if-changed={}", src.display());
    let jar = env::var_os("IMGLYB_IMGLIB2_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/java/imglib2.jar"));
    println!("cargo:rerun-if-changed={}", jar.display());
    if !jar.is_file() {
        fail(&format!(
            "ImgLib2 jar not found at {}: the Java bridge is compiled against it.\n\
             Install Debian's package (`apt-get install libimglib2-java`, or run ./ci/setup), \
             or set IMGLYB_IMGLIB2_JAR to an imglib2 jar.",
            jar.display()
        ));
    }

    let generated = out.join("java-gen");
    let classes = out.join("java-classes");
    for dir in [&generated, &classes] {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).expect("create build directory");
    }
    let build_info = generated.join("org/imglyb/bridge/BuildInfo.java");
    fs::create_dir_all(build_info.parent().unwrap()).expect("create java-gen");
    fs::write(
        &build_info,
        format!(
            "package org.imglyb.bridge;\n\n/** Generated by imglyb-core's build script. */\n\
             final class BuildInfo {{\n\tstatic final String VERSION = \"{version}\";\n\n\
             \tprivate BuildInfo() {{}}\n}}\n"
        ),
    )
    .expect("write BuildInfo.java");

    // Compile-time stand-ins for the few ImgLib2 5+ interfaces the classes implement
    // (`java/src/compat`): on the classpath after the ImgLib2 jar, never embedded.
    let compat_src = src.join("../../compat/java");
    let compat = out.join("java-compat");
    let _ = fs::remove_dir_all(&compat);
    fs::create_dir_all(&compat).expect("create build directory");
    let mut compat_sources = Vec::new();
    if compat_src.is_dir() {
        println!("cargo:rerun-if-changed={}", compat_src.display());
        files_with_ext(&compat_src, "java", &mut compat_sources);
    }
    if !compat_sources.is_empty() {
        compile(
            &jar.display().to_string(),
            &compat,
            &compat_sources,
            &compat_src,
            true,
        );
    }
    let cp = env::join_paths([jar.as_path(), compat.as_path()]).expect("classpath");

    let contract_java = generated.join("org/imglyb/Contract.java");
    fs::write(&contract_java, contract::java_source()).expect("write Contract.java");

    // `sun.misc.Unsafe`'s direct callers (`java/src/unsafe`), compiled first and on their own:
    // javac warns about every use of Unsafe, and that warning cannot be suppressed.
    let unsafe_src = src.join("../../unsafe/java");
    println!("cargo:rerun-if-changed={}", unsafe_src.display());
    let mut unsafe_sources = Vec::new();
    files_with_ext(&unsafe_src, "java", &mut unsafe_sources);
    compile(
        &cp.to_string_lossy(),
        &classes,
        &unsafe_sources,
        &unsafe_src,
        false,
    );

    let mut sources = vec![build_info, contract_java];
    files_with_ext(&src, "java", &mut sources);
    let cp_main =
        env::join_paths([jar.as_path(), compat.as_path(), classes.as_path()]).expect("classpath");
    compile(&cp_main.to_string_lossy(), &classes, &sources, &src, true);

    // The example classes (`java/src/examples`: what examples/*.py call), kept out of the main
    // source set and compiled after it; embedded like the rest, defined only when used.
    let examples_src = src.join("../../examples/java");
    if examples_src.is_dir() {
        println!("cargo:rerun-if-changed={}", examples_src.display());
        let mut examples = Vec::new();
        files_with_ext(&examples_src, "java", &mut examples);
        let cp = env::join_paths([jar.as_path(), compat.as_path(), classes.as_path()])
            .expect("classpath");
        compile(
            &cp.to_string_lossy(),
            &classes,
            &examples,
            &examples_src,
            true,
        );
    }

    // The ImageJ viewer classes, when ImageJ is there to compile against.
    let imagej_src = src.join("../../imagej/java");
    println!("cargo:rerun-if-changed={}", imagej_src.display());
    let ij = env::var_os("IMGLYB_IJ_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/java/ij.jar"));
    println!("cargo:rerun-if-changed={}", ij.display());
    let viewer_compiled = imagej_src.is_dir() && ij.is_file();
    if imagej_src.is_dir() {
        if ij.is_file() {
            let mut viewer = Vec::new();
            files_with_ext(&imagej_src, "java", &mut viewer);
            let cp = env::join_paths([jar.as_path(), ij.as_path(), classes.as_path()])
                .expect("classpath");
            compile(&cp.to_string_lossy(), &classes, &viewer, &imagej_src, true);
        } else {
            println!(
                "cargo:warning=ImageJ jar not found at {}: the viewer (imglyb.show) is left out; \
                 install Debian's libij-java or set IMGLYB_IJ_JAR",
                ij.display()
            );
        }
    }

    if let Some(jars) = env::var_os("IMGLYB_LINK_CHECK").filter(|v| !v.is_empty()) {
        // The viewer classes also link against the ImageJ they were compiled against (after the
        // list, so an ImageJ named there wins).
        let also: Vec<&Path> = if viewer_compiled {
            vec![ij.as_path()]
        } else {
            vec![]
        };
        link_check(
            &manifest.join("../../java/tools/LinkCheck.java"),
            &classes,
            &jars,
            &also,
        );
    }

    let mut class_files = Vec::new();
    files_with_ext(&classes, "class", &mut class_files);
    class_files.sort();
    let mut table = String::from(
        "/// Every class file of the Java bridge, by binary name, compiled by `build.rs`.\n\
         pub(crate) static CLASSES: &[(&str, &[u8])] = &[\n",
    );
    for file in &class_files {
        let rel = file.strip_prefix(&classes).expect("class under output dir");
        let name = rel.with_extension("").to_string_lossy().replace('/', ".");
        writeln!(
            table,
            "    ({name:?}, include_bytes!({:?})),",
            file.display().to_string()
        )
        .expect("format");
    }
    table.push_str("];\n");
    fs::write(out.join("bridge_classes.rs"), table).expect("write bridge_classes.rs");
}
