//! `cargo xtask dist`: the release artefacts of one target, in `target/dist/`.
//!
//! - `opskit-VERSION-TARGET.tar.gz`: the multicall binary, a link per tool (`queue-depth ->
//!   opskit`; `.cmd` shims on Windows), LICENSE-MIT, LICENSE-APACHE, README.md, shell
//!   completions for every shell clap_complete knows and the manual pages;
//! - the npm packages, packed with `npm pack`: the launcher `opskit` (a JavaScript bin per tool
//!   that runs the platform package's binary) and `@opskit/cli-PLATFORM` with the binary;
//! - `SHA256SUMS` over every archive in the directory (`sha256sum -c SHA256SUMS`).
//!
//! Only the host's target can be built here; the release workflow
//! (`.github/workflows/release.yml`) runs this once per target and publishes the union.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::Digest as _;

use crate::Result;

/// A target the release workflow builds, and how npm names its platform.
pub struct Target {
    /// Rust's target triple.
    pub triple: &'static str,
    /// The platform package's suffix (`@opskit/cli-linux-x64-gnu`): Node's
    /// `process.platform`-`process.arch`, plus the libc on Linux and the ABI on Windows, as
    /// `npm/opskit/launch.js` computes it.
    pub platform: &'static str,
    /// npm's `os` field.
    pub os: &'static str,
    /// npm's `cpu` field.
    pub cpu: &'static str,
    /// npm's `libc` field (Linux only).
    pub libc: Option<&'static str>,
}

/// Every target of a release. `.github/workflows/release.yml` builds exactly these (a test
/// compares the two).
pub const TARGETS: &[Target] = &[
    Target {
        triple: "x86_64-unknown-linux-gnu",
        platform: "linux-x64-gnu",
        os: "linux",
        cpu: "x64",
        libc: Some("glibc"),
    },
    Target {
        triple: "x86_64-unknown-linux-musl",
        platform: "linux-x64-musl",
        os: "linux",
        cpu: "x64",
        libc: Some("musl"),
    },
    Target {
        triple: "aarch64-unknown-linux-gnu",
        platform: "linux-arm64-gnu",
        os: "linux",
        cpu: "arm64",
        libc: Some("glibc"),
    },
    Target {
        triple: "aarch64-unknown-linux-musl",
        platform: "linux-arm64-musl",
        os: "linux",
        cpu: "arm64",
        libc: Some("musl"),
    },
    Target {
        triple: "x86_64-apple-darwin",
        platform: "darwin-x64",
        os: "darwin",
        cpu: "x64",
        libc: None,
    },
    Target {
        triple: "aarch64-apple-darwin",
        platform: "darwin-arm64",
        os: "darwin",
        cpu: "arm64",
        libc: None,
    },
    Target {
        triple: "x86_64-pc-windows-msvc",
        platform: "win32-x64-msvc",
        os: "win32",
        cpu: "x64",
        libc: None,
    },
];

const SCOPE: &str = "@opskit/cli-";
const SHELLS: &[&str] = &["bash", "zsh", "fish", "elvish", "powershell"];

struct Options {
    target: Option<String>,
    binary: Option<PathBuf>,
    out: PathBuf,
}

const USAGE: &str = "\
cargo xtask dist [--target TRIPLE] [--binary PATH] [--out DIR]
cargo xtask dist --targets

Builds the release artefacts of one target (the host's by default) into DIR (target/dist):
the tarball, the npm packages and SHA256SUMS. --binary packs an opskit binary already built
(for tests and for the release workflow's cross builds); otherwise it runs
`cargo build --release --locked -p opskit-cli`. --targets prints the targets a release builds.";

pub fn main(args: &[String], root: &Path) -> Result<()> {
    let mut opts = Options {
        target: None,
        binary: None,
        out: root.join("target/dist"),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--target" => opts.target = Some(value()?),
            "--binary" => opts.binary = Some(PathBuf::from(value()?)),
            "--out" => opts.out = PathBuf::from(value()?),
            "--targets" => {
                for t in TARGETS {
                    println!("{}", t.triple);
                }
                return Ok(());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}\n\n{USAGE}").into()),
        }
    }
    dist(&opts, root)
}

fn dist(opts: &Options, root: &Path) -> Result<()> {
    let triple = match &opts.target {
        Some(t) => t.clone(),
        None => host_triple()?,
    };
    let target = TARGETS.iter().find(|t| t.triple == triple).ok_or_else(|| {
        let known: Vec<_> = TARGETS.iter().map(|t| t.triple).collect();
        format!(
            "{triple} is not a release target; the targets: {}",
            known.join(", ")
        )
    })?;
    let binary = match &opts.binary {
        Some(b) => b.clone(),
        None => build(root, opts.target.as_deref())?,
    };
    if !binary.is_file() {
        return Err(format!("{} is not a file", binary.display()).into());
    }
    let version = env!("CARGO_PKG_VERSION");
    std::fs::create_dir_all(&opts.out)?;
    let tools = tool_names(&binary)?;
    let tarball = tarball(root, &opts.out, target, &binary, &tools, version)?;
    eprintln!("dist: {}", tarball.display());
    let npm_dir = opts.out.join("npm");
    let platform_pkg = platform_package(root, &npm_dir, target, &binary, version)?;
    let launcher = launcher_package(root, &npm_dir, &tools, version)?;
    for dir in [platform_pkg, launcher] {
        let packed = npm_pack(&dir, &opts.out)?;
        eprintln!("dist: {}", packed.display());
    }
    let sums = write_sums(&opts.out)?;
    eprintln!("dist: {}", sums.display());
    Ok(())
}

fn host_triple() -> Result<String> {
    let out = Command::new("rustc").arg("-vV").output()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| "rustc -vV printed no host line".into())
}

fn build(root: &Path, target: Option<&str>) -> Result<PathBuf> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root)
        .args(["build", "--release", "--locked", "-p", "opskit-cli"]);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    eprintln!(
        "dist: cargo build --release --locked -p opskit-cli{}",
        target.map(|t| format!(" --target {t}")).unwrap_or_default()
    );
    if !cmd.status()?.success() {
        return Err("cargo build failed".into());
    }
    let mut path = root.join("target");
    if let Some(t) = target {
        path.push(t);
    }
    path.push("release");
    path.push(exe_name(target.unwrap_or(""), "opskit"));
    Ok(path)
}

fn exe_name(triple: &str, name: &str) -> String {
    if triple.contains("windows") || (triple.is_empty() && cfg!(windows)) {
        format!("{name}.exe")
    } else {
        name.to_owned()
    }
}

/// The tools, as the binary itself lists them (`opskit --list`).
fn tool_names(binary: &Path) -> Result<Vec<String>> {
    let out = Command::new(binary).arg("--list").output().map_err(|e| {
        format!(
            "cannot run {} ({e}): dist runs the binary for its tool list, completions and \
             manual pages, so build on a machine that can run the target",
            binary.display()
        )
    })?;
    if !out.status.success() {
        return Err(format!("{} --list failed", binary.display()).into());
    }
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .map(str::to_owned)
        .collect())
}

fn run_binary(binary: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new(binary).args(args).output()?;
    if !out.status.success() {
        return Err(format!(
            "{} {}: {}",
            binary.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

/// A fresh, empty directory.
fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

fn copy_executable(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

fn copy_docs(root: &Path, dir: &Path) -> Result<()> {
    for file in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        std::fs::copy(root.join(file), dir.join(file)).map_err(|e| format!("copy {file}: {e}"))?;
    }
    Ok(())
}

fn tarball(
    root: &Path,
    out: &Path,
    target: &Target,
    binary: &Path,
    tools: &[String],
    version: &str,
) -> Result<PathBuf> {
    let name = format!("opskit-{version}-{}", target.triple);
    let stage = out.join(&name);
    fresh_dir(&stage)?;
    let windows = target.os == "win32";
    let exe = if windows { "opskit.exe" } else { "opskit" };
    copy_executable(binary, &stage.join(exe))?;
    for tool in tools {
        if windows {
            // A link cannot be relied on in a Windows archive; a one-line shim does the same.
            let shim = format!("@echo off\r\n\"%~dp0opskit.exe\" {tool} %*\r\n");
            std::fs::write(stage.join(format!("{tool}.cmd")), shim)?;
        } else {
            link(exe, &stage.join(tool))?;
        }
    }
    copy_docs(root, &stage)?;
    let staged = stage.join(exe);
    for shell in SHELLS {
        let dir = stage.join("completions").join(shell);
        run_binary(
            &staged,
            &["completions", shell, "--dir", &dir.to_string_lossy()],
        )?;
    }
    run_binary(
        &staged,
        &["man", "--dir", &stage.join("man").to_string_lossy()],
    )?;
    let archive = out.join(format!("{name}.tar.gz"));
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(out)
        .arg(&name)
        .status()
        .map_err(|e| format!("tar: {e}"))?;
    if !status.success() {
        return Err(format!("tar failed for {}", archive.display()).into());
    }
    std::fs::remove_dir_all(&stage)?;
    Ok(archive)
}

#[cfg(unix)]
fn link(target: &str, link: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, link)?;
    Ok(())
}

#[cfg(not(unix))]
fn link(target: &str, link: &Path) -> Result<()> {
    Err(format!(
        "cannot make the link {} -> {target} on this system",
        link.display()
    )
    .into())
}

/// The fields every package shares.
fn common_manifest(name: &str, version: &str, description: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "version": version,
        "description": description,
        "license": "MIT OR Apache-2.0",
        "homepage": "https://github.com/opskit/opskit",
        "repository": {"type": "git", "url": "git+https://github.com/opskit/opskit.git"},
        "keywords": ["devops", "bullmq", "predeploy", "secret-scanning", "dockerfile", "monitoring"],
    })
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(())
}

fn platform_package(
    root: &Path,
    npm_dir: &Path,
    target: &Target,
    binary: &Path,
    version: &str,
) -> Result<PathBuf> {
    let dir = npm_dir.join(format!("cli-{}", target.platform));
    fresh_dir(&dir.join("bin"))?;
    let exe = if target.os == "win32" {
        "opskit.exe"
    } else {
        "opskit"
    };
    copy_executable(binary, &dir.join("bin").join(exe))?;
    let name = format!("{SCOPE}{}", target.platform);
    let mut manifest = common_manifest(
        &name,
        version,
        &format!(
            "The opskit binary for {} ({}). Install `opskit`, not this package: it picks the right one.",
            target.platform, target.triple
        ),
    );
    manifest["os"] = serde_json::json!([target.os]);
    manifest["cpu"] = serde_json::json!([target.cpu]);
    if let Some(libc) = target.libc {
        manifest["libc"] = serde_json::json!([libc]);
    }
    manifest["files"] = serde_json::json!(["bin/", "LICENSE-MIT", "LICENSE-APACHE"]);
    // Yarn Berry keeps the binary on disk rather than in a zip archive.
    manifest["preferUnplugged"] = serde_json::json!(true);
    write_json(&dir.join("package.json"), &manifest)?;
    std::fs::write(
        dir.join("README.md"),
        format!(
            "# {name}\n\nThe `opskit` binary for {} ({}). Install the launcher instead: \
             `npm i -D opskit`, which depends on this package and its siblings and runs the \
             one that matches the machine.\n",
            target.platform, target.triple
        ),
    )?;
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        std::fs::copy(root.join(file), dir.join(file))?;
    }
    Ok(dir)
}

fn launcher_package(
    root: &Path,
    npm_dir: &Path,
    tools: &[String],
    version: &str,
) -> Result<PathBuf> {
    let dir = npm_dir.join("opskit");
    fresh_dir(&dir.join("bin"))?;
    std::fs::copy(root.join("npm/opskit/launch.js"), dir.join("launch.js"))?;
    let mut bins = serde_json::Map::new();
    for tool in std::iter::once("opskit").chain(tools.iter().map(String::as_str)) {
        let arg = if tool == "opskit" {
            "null".to_owned()
        } else {
            format!("\"{tool}\"")
        };
        let file = format!("bin/{tool}.js");
        std::fs::write(
            dir.join(&file),
            format!(
                "#!/usr/bin/env node\n\"use strict\";\nrequire(\"../launch.js\").run({arg});\n"
            ),
        )?;
        bins.insert(tool.to_owned(), serde_json::Value::String(file));
    }
    let mut manifest = common_manifest(
        "opskit",
        version,
        "DevOps tools for TypeScript platforms (Next.js, BullMQ/Redis, PostgreSQL, Sentry): predeploy, queue-depth, secret-scan, dockerfile-lint, env-check, health-probe, db-backup, notify, job-trace. One native binary, installed for your platform.",
    );
    manifest["bin"] = serde_json::Value::Object(bins);
    manifest["files"] = serde_json::json!(["bin/", "launch.js", "LICENSE-MIT", "LICENSE-APACHE"]);
    manifest["engines"] = serde_json::json!({"node": ">=18"});
    let optional: serde_json::Map<String, serde_json::Value> = TARGETS
        .iter()
        .map(|t| {
            (
                format!("{SCOPE}{}", t.platform),
                serde_json::Value::String(version.to_owned()),
            )
        })
        .collect();
    manifest["optionalDependencies"] = serde_json::Value::Object(optional);
    write_json(&dir.join("package.json"), &manifest)?;
    std::fs::copy(root.join("README.md"), dir.join("README.md"))?;
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        std::fs::copy(root.join(file), dir.join(file))?;
    }
    Ok(dir)
}

/// `npm pack` of a package directory into `out`; the tarball's path.
fn npm_pack(dir: &Path, out: &Path) -> Result<PathBuf> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let output = Command::new(npm)
        .current_dir(dir)
        .args(["pack", "--json", "--pack-destination"])
        .arg(out)
        .output()
        .map_err(|e| {
            format!(
                "npm pack in {}: {e} (the npm packages need Node.js and npm)",
                dir.display()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "npm pack in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let listing: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let file = listing[0]["filename"]
        .as_str()
        .ok_or("npm pack --json printed no filename")?;
    Ok(out.join(file))
}

/// `SHA256SUMS` over every archive in `out`, in the format `sha256sum -c` reads.
fn write_sums(out: &Path) -> Result<PathBuf> {
    let mut names: Vec<String> = std::fs::read_dir(out)?
        .filter_map(std::result::Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let ext = Path::new(n).extension().and_then(|e| e.to_str());
            ext.is_some_and(|e| e.eq_ignore_ascii_case("gz") || e.eq_ignore_ascii_case("tgz"))
        })
        .collect();
    names.sort();
    let mut text = String::new();
    for name in &names {
        let bytes = std::fs::read(out.join(name))?;
        let digest = sha2::Sha256::digest(&bytes);
        for byte in digest {
            let _ = write!(text, "{byte:02x}");
        }
        let _ = writeln!(text, "  {name}");
    }
    let path = out.join("SHA256SUMS");
    std::fs::write(&path, text)?;
    Ok(path)
}
