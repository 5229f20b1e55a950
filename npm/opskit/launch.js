"use strict";
// The opskit launcher. npm installs, next to this package, the one platform package that
// matches the machine (an optional dependency with `os`, `cpu` and `libc` fields); this file
// finds its native binary and runs it with the arguments, standard streams and exit code passed
// through, and signals forwarded. Every bin of this package (opskit, queue-depth, predeploy, ...)
// calls run() with its tool's name.

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const SCOPE = "@opskit/cli-";

/** "gnu" or "musl" on Linux, as the running Node was built; null elsewhere. */
function libc() {
  if (process.platform !== "linux") return null;
  // The same test npm makes when it picks the package by its `libc` field.
  let report = null;
  if (process.report && typeof process.report.getReport === "function") {
    process.report.excludeNetwork = true; // the report's slow part, not needed here
    report = process.report.getReport();
  }
  const header = report && (typeof report === "string" ? JSON.parse(report) : report).header;
  if (header && header.glibcVersionRuntime) return "gnu";
  try {
    if (fs.readdirSync("/lib").some((f) => f.startsWith("ld-musl-"))) return "musl";
  } catch {
    // No /lib to read: fall through.
  }
  return header ? "musl" : "gnu";
}

/** The platform's name as the packages spell it: linux-x64-gnu, darwin-arm64, win32-x64-msvc. */
function platformName() {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === "linux") return `${base}-${libc()}`;
  if (process.platform === "win32") return `${base}-msvc`;
  return base;
}

/** The platform packages this version of the launcher knows (its optional dependencies). */
function knownPackages() {
  const manifest = require("./package.json");
  return Object.keys(manifest.optionalDependencies || {}).filter((n) => n.startsWith(SCOPE));
}

function fail(lines) {
  process.stderr.write(lines.map((l) => `opskit: ${l}\n`).join(""));
  // 3 is UNKNOWN: the tool could not run, which is never mistaken for a check's result.
  process.exit(3);
}

/** The native binary's path, or an exit with a message that says what to do. */
function findBinary() {
  const override = process.env.OPSKIT_BINARY;
  if (override) {
    if (!fs.existsSync(override)) fail([`OPSKIT_BINARY is set to ${override}, which does not exist`]);
    return override;
  }
  const platform = platformName();
  const wanted = SCOPE + platform;
  const known = knownPackages();
  const exe = process.platform === "win32" ? "opskit.exe" : "opskit";
  let dir = null;
  try {
    dir = path.dirname(require.resolve(`${wanted}/package.json`));
  } catch {
    dir = null;
  }
  if (dir === null) {
    const version = require("./package.json").version;
    fail([
      known.includes(wanted)
        ? `no binary for this machine (${platform}): the package ${wanted} is not installed.`
        : `no binary for this machine (${platform}): opskit ${version} is not built for it.`,
      `platform packages of opskit ${version}: ${known.join(", ")}.`,
      known.includes(wanted)
        ? "it is an optional dependency: install again without --no-optional/--omit=optional, and do not copy node_modules between machines."
        : "build it from source (cargo install opskit-cli) and point OPSKIT_BINARY at the binary.",
    ]);
  }
  return path.join(dir, "bin", exe);
}

function run(tool) {
  const binary = findBinary();
  const args = tool === null ? process.argv.slice(2) : [tool, ...process.argv.slice(2)];
  const child = spawn(binary, args, { stdio: "inherit", windowsHide: true });
  const signals =
    process.platform === "win32" ? ["SIGINT", "SIGTERM"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  const forward = {};
  for (const signal of signals) {
    forward[signal] = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    process.on(signal, forward[signal]);
  }
  child.on("error", (e) => {
    fail([`cannot run ${binary}: ${e.message}`, "reinstall the package (npm install opskit) or set OPSKIT_BINARY."]);
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      // Ended by a signal: end the same way, so the shell sees 128+N as it would without us.
      if (forward[signal]) process.removeListener(signal, forward[signal]);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code === null ? 3 : code);
  });
}

module.exports = { run, platformName, knownPackages };
