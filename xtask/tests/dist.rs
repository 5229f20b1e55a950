//! `cargo xtask dist` tested as a user meets what it makes: the tarball unpacked and run
//! through its links, the checksums checked with `sha256sum -c`, and the npm packages packed,
//! installed from their tarballs into a fresh copy of the example app (npm) and an empty project
//! (pnpm), then run with `npx`/`pnpm exec`. The launcher is also run on a fake second platform
//! (Node's `process.arch` and `process.platform` overridden before it loads) to see it pick that
//! platform's package, pass arguments, exit codes and signals through, and explain itself when
//! no package matches.
//!
//! The binary packed is the debug build of `opskit` (built by `cargo test --workspace`),
//! stripped, so the test does not wait for a release build with LTO.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn host_triple() -> String {
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cmd.get_program().display()))
}

/// The directory `cargo xtask dist` wrote, made once for all the tests.
fn artefacts() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let opskit = Path::new(XTASK).with_file_name("opskit");
        assert!(
            opskit.is_file(),
            "{} is missing: `cargo build -p opskit-cli` first (`cargo test --workspace` builds it)",
            opskit.display()
        );
        let dir = tempfile::tempdir().unwrap().keep();
        let binary = dir.join("opskit-stripped");
        std::fs::copy(&opskit, &binary).unwrap();
        let strip = run(Command::new("strip").arg(&binary));
        assert!(strip.status.success(), "strip (binutils): {}", text(&strip));
        let out_dir = dir.join("dist");
        let out = run(Command::new(XTASK)
            .args(["dist", "--binary"])
            .arg(&binary)
            .arg("--out")
            .arg(&out_dir));
        assert!(out.status.success(), "cargo xtask dist: {}", text(&out));
        out_dir
    })
}

fn tarball() -> PathBuf {
    artefacts().join(format!("opskit-{VERSION}-{}.tar.gz", host_triple()))
}

fn npm_tarballs() -> [PathBuf; 2] {
    let platform = platform_of(&host_triple());
    [
        artefacts().join(format!("opskit-{VERSION}.tgz")),
        artefacts().join(format!("opskit-cli-{platform}-{VERSION}.tgz")),
    ]
}

fn platform_of(triple: &str) -> &'static str {
    match triple {
        "x86_64-unknown-linux-gnu" => "linux-x64-gnu",
        "aarch64-unknown-linux-gnu" => "linux-arm64-gnu",
        other => panic!("this test runs on Linux with glibc, not {other}"),
    }
}

fn npm() -> Command {
    let mut cmd = Command::new("npm");
    cmd.args(["--no-audit", "--no-fund", "--loglevel=error"])
        .env("npm_config_update_notifier", "false");
    cmd
}

#[test]
fn checksums_and_the_tarball_are_what_a_user_unpacks() {
    let dir = artefacts();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 3, "{sums}");
    let check = run(Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(dir));
    assert!(check.status.success(), "{}", text(&check));

    let unpacked = tempfile::tempdir().unwrap();
    let untar = run(Command::new("tar")
        .arg("-xzf")
        .arg(tarball())
        .arg("-C")
        .arg(unpacked.path()));
    assert!(untar.status.success(), "{}", text(&untar));
    let top = unpacked
        .path()
        .join(format!("opskit-{VERSION}-{}", host_triple()));
    for file in [
        "opskit",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "man/opskit.1",
        "man/predeploy.1",
        "completions/bash/opskit.bash",
        "completions/zsh/_queue-depth",
        "completions/fish/predeploy.fish",
        "completions/powershell/_opskit.ps1",
        "completions/elvish/opskit.elv",
    ] {
        assert!(top.join(file).is_file(), "{file} is not in the tarball");
    }
    // Every tool is a link to opskit, and running the link is running the tool.
    for tool in [
        "queue-depth",
        "env-check",
        "secret-scan",
        "dockerfile-lint",
        "health-probe",
        "db-backup",
        "notify",
        "predeploy",
        "job-trace",
    ] {
        let link = top.join(tool);
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("opskit"),
            "{tool}"
        );
        let out = run(Command::new(&link).arg("--version"));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{tool} {VERSION}\n")
        );
    }
}

/// A copy of the example app as a user's repository holds it (its tracked files only).
fn example_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("examples/agent-platform");
    let files = run(Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&example));
    assert!(files.status.success(), "git ls-files: {}", text(&files));
    for name in files.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let to = dir.path().join(&name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(example.join(&name), &to).unwrap();
    }
    dir
}

#[test]
fn npm_installs_the_packages_into_a_typescript_project_and_npx_runs_every_tool() {
    let app = example_app();
    let [launcher, platform] = npm_tarballs();
    let install = run(npm()
        .args(["install", "--prefer-offline", "--save-dev"])
        .arg(&launcher)
        .arg(&platform)
        .current_dir(app.path()));
    assert!(install.status.success(), "npm install: {}", text(&install));

    let npx = |args: &[&str]| {
        run(Command::new("npx")
            .arg("--no-install")
            .args(args)
            .current_dir(app.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS"))
    };
    // The main job: TypeScript, ESLint, secrets, Dockerfiles, environment... on the app.
    let predeploy = npx(&["opskit", "predeploy"]);
    assert_eq!(predeploy.status.code(), Some(0), "{}", text(&predeploy));
    let stdout = String::from_utf8_lossy(&predeploy.stdout);
    assert!(stdout.contains("OK: all"), "{stdout}");
    for check in ["typescript", "lint", "secrets", "dockerfile"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("OK ") && l.split_whitespace().nth(1) == Some(check)),
            "{check} ran and passed: {stdout}"
        );
    }

    let help = npx(&["queue-depth", "--help"]);
    assert_eq!(help.status.code(), Some(0), "{}", text(&help));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: queue-depth"));

    // A failing check: its exit code (2, CRITICAL) comes back through the launcher.
    // Built at run time, so that this file holds no token for scanners to find.
    let token = format!("ghp_{}", "R2d2C3poB8B8xWingYodaLuke1977Hoth42X");
    std::fs::write(
        app.path().join("leak.ts"),
        format!("export const token = \"{token}\";\n"),
    )
    .unwrap();
    let scan = npx(&["secret-scan", "leak.ts"]);
    assert_eq!(scan.status.code(), Some(2), "{}", text(&scan));
    assert!(String::from_utf8_lossy(&scan.stdout).contains("leak.ts"));
    assert!(
        !String::from_utf8_lossy(&scan.stdout).contains(&token),
        "the secret is never printed whole"
    );
    // A usage error is 3 (UNKNOWN), not clap's 2.
    let usage = npx(&["predeploy", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(3), "{}", text(&usage));

    fake_platforms(app.path());
}

/// Runs the installed launcher with Node believing it runs elsewhere.
fn launcher_on(app: &Path, platform: &str, arch: &str, bin: &str, args: &[&str]) -> Command {
    let preload = app.join("fake-platform.cjs");
    std::fs::write(
        &preload,
        format!(
            "Object.defineProperty(process, 'platform', {{ value: '{platform}' }});\n\
             Object.defineProperty(process, 'arch', {{ value: '{arch}' }});\n"
        ),
    )
    .unwrap();
    let mut cmd = Command::new("node");
    cmd.arg("--require")
        .arg(&preload)
        .arg(
            app.join("node_modules/opskit/bin")
                .join(format!("{bin}.js")),
        )
        .args(args)
        .current_dir(app);
    cmd
}

/// A second platform's package, as npm would have installed it on an arm64 machine, whose
/// "binary" is a script that shows what it was given.
fn install_fake_arm64(app: &Path) {
    let dir = app.join("node_modules/@opskit/cli-linux-arm64-gnu");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(
        dir.join("package.json"),
        format!(r#"{{"name":"@opskit/cli-linux-arm64-gnu","version":"{VERSION}","os":["linux"],"cpu":["arm64"],"libc":["glibc"]}}"#),
    )
    .unwrap();
    let script = "#!/bin/sh\n\
        echo \"arm64 binary: $*\"\n\
        if [ \"$1\" = sleep ]; then trap 'echo got TERM; exit 143' TERM; echo ready; while :; do sleep 0.1; done; fi\n\
        exit 7\n";
    let bin = dir.join("bin/opskit");
    std::fs::write(&bin, script).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn fake_platforms(app: &Path) {
    install_fake_arm64(app);
    // The launcher picks the arm64 package, and passes the tool, arguments and exit code.
    let out = run(&mut launcher_on(
        app,
        "linux",
        "arm64",
        "queue-depth",
        &["--queue", "a b"],
    ));
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "arm64 binary: queue-depth --queue a b\n"
    );
    let out = run(&mut launcher_on(
        app,
        "linux",
        "arm64",
        "opskit",
        &["--list"],
    ));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "arm64 binary: --list\n"
    );

    // A signal to the launcher reaches the binary, and the launcher ends as the binary did.
    let mut child = launcher_on(app, "linux", "arm64", "opskit", &["sleep"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "arm64 binary: sleep\n");
    line.clear();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    let kill = run(Command::new("kill").args(["-TERM", &child.id().to_string()]));
    assert!(kill.status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(rest, "got TERM\n");
    assert_eq!(
        status.code(),
        Some(143),
        "the binary's exit code after the signal"
    );

    // Known platform, package not installed: say which and how to fix it.
    let out = run(&mut launcher_on(app, "darwin", "arm64", "predeploy", &[]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("darwin-arm64"), "{err}");
    assert!(
        err.contains("@opskit/cli-darwin-arm64 is not installed"),
        "{err}"
    );
    assert!(
        err.contains("@opskit/cli-linux-x64-gnu, @opskit/cli-linux-x64-musl"),
        "{err}"
    );
    // A platform no release is built for.
    let out = run(&mut launcher_on(
        app,
        "freebsd",
        "x64",
        "opskit",
        &["--version"],
    ));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("freebsd-x64"), "{err}");
    assert!(err.contains("not built for it"), "{err}");
    assert!(err.contains("@opskit/cli-win32-x64-msvc"), "{err}");
    assert!(err.contains("OPSKIT_BINARY"), "{err}");
}

#[test]
fn pnpm_installs_the_packages_and_runs_the_tools() {
    let pnpm = root().join("scripts/test-tools/node_modules/.bin/pnpm");
    assert!(
        pnpm.is_file(),
        "pnpm is missing: scripts/test.sh installs it (npm ci in scripts/test-tools)"
    );
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("package.json"),
        r#"{"name":"pnpm-user","version":"1.0.0","private":true}"#,
    )
    .unwrap();
    let [launcher, platform] = npm_tarballs();
    let store = project.path().join(".pnpm-store");
    let add = run(Command::new(&pnpm)
        .args(["add", "--save-dev", "--store-dir"])
        .arg(&store)
        .arg(&launcher)
        .arg(&platform)
        .current_dir(project.path()));
    assert!(add.status.success(), "pnpm add: {}", text(&add));
    let exec = |args: &[&str]| {
        run(Command::new(&pnpm)
            .arg("exec")
            .args(args)
            .current_dir(project.path()))
    };
    let version = exec(&["queue-depth", "--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("queue-depth {VERSION}\n"),
        "{}",
        text(&version)
    );
    let list = exec(&["opskit", "--list"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("predeploy\n"),
        "{}",
        text(&list)
    );
    std::fs::write(
        project.path().join("Dockerfile"),
        "FROM node:latest\nCMD [\"node\"]\n",
    )
    .unwrap();
    let linted = exec(&["dockerfile-lint", "--no-shellcheck", "Dockerfile"]);
    // `latest` is a warning: 1 (WARNING) comes back through pnpm's bin and the launcher.
    assert_eq!(linted.status.code(), Some(1), "{}", text(&linted));
    assert!(
        String::from_utf8_lossy(&linted.stdout).contains("DL3007"),
        "{}",
        text(&linted)
    );
}

#[test]
fn the_targets_are_the_release_workflows() {
    let out = run(Command::new(XTASK).args(["dist", "--targets"]));
    let targets: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(targets.len(), 7, "{targets:?}");
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let in_workflow: Vec<String> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- target: "))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        in_workflow, targets,
        "the release matrix builds every target, in order"
    );
    let launcher = std::fs::read_to_string(root().join("npm/opskit/launch.js")).unwrap();
    assert!(launcher.contains("@opskit/cli-"));
}

#[test]
fn a_bad_target_is_refused_with_the_list() {
    let out =
        run(Command::new(XTASK).args(["dist", "--target", "sparc-sun-solaris", "--binary", XTASK]));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sparc-sun-solaris is not a release target"),
        "{err}"
    );
    assert!(err.contains("x86_64-unknown-linux-musl"), "{err}");
}
