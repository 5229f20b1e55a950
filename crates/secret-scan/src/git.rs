//! Git modes: the staged changes (a pre-commit hook) and the history (what to rotate).
//!
//! Both read only what was *added*: a secret that a commit removed is reported at the commit
//! that added it, with its author and date, because that is the value to rotate.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::Error;
use crate::engine::Hit;
use crate::scan::Scanner;
use crate::walk::{Stats, binary_kind, is_generated_name};

/// Where in history a secret was added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full hash.
    pub hash: String,
    /// `Name <email>`.
    pub author: String,
    /// Author date, ISO 8601.
    pub date: String,
}

/// A secret found by a git mode.
#[derive(Debug)]
pub struct GitHit {
    /// Path in the repository.
    pub path: String,
    /// The hit, with the line number in the file as of that commit (or the index).
    pub hit: Hit,
    /// The commit that added it (`None` for staged changes).
    pub commit: Option<Commit>,
}

fn git(root: &Path) -> Command {
    let mut c = Command::new("git");
    // Paths as they are: git would otherwise quote and escape non-ASCII file names in diffs.
    c.arg("-C")
        .arg(root)
        .args(["-c", "core.quotePath=false"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C");
    c
}

fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let out = git(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::Git(format!("cannot run git: {e}; is git installed?")))?;
    if !out.status.success() {
        return Err(Error::Git(format!(
            "git {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// Added line numbers per file, from a `-U0` diff.
fn added_lines(diff: &[u8]) -> Vec<(String, BTreeSet<u32>)> {
    let mut files: Vec<(String, BTreeSet<u32>)> = Vec::new();
    for line in diff.split(|&b| b == b'\n') {
        if let Some(path) = line.strip_prefix(b"+++ b/") {
            files.push((String::from_utf8_lossy(path).into_owned(), BTreeSet::new()));
        } else if line.starts_with(b"@@ ")
            && let Some((start, count)) = hunk_new_range(line)
            && let Some((_, lines)) = files.last_mut()
        {
            lines.extend(start..start.saturating_add(count));
        }
    }
    files
}

/// `@@ -a,b +c,d @@` → (c, d); `+c` alone means one line.
fn hunk_new_range(line: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(line).ok()?;
    let plus = text.split(' ').find(|p| p.starts_with('+'))?;
    let (start, count) = plus[1..].split_once(',').unwrap_or((&plus[1..], "1"));
    Some((start.parse().ok()?, count.parse().ok()?))
}

/// What a git mode did not scan, file by file, the same way the tree walk reports it.
fn skip(stats: &mut Stats, path: &str, data: &[u8], max_file_size: u64) -> bool {
    if data.len() as u64 > max_file_size {
        stats.too_large.push((path.to_owned(), data.len() as u64));
        return true;
    }
    if let Some(kind) = binary_kind(data) {
        stats.binary += 1;
        stats.binary_content.push((path.to_owned(), kind));
        return true;
    }
    stats.files += 1;
    stats.bytes += data.len() as u64;
    false
}

/// Scans the staged version of every staged file, reporting only lines the commit adds; with
/// what it skipped.
pub fn scan_staged(
    root: &Path,
    scanner: &Scanner,
    max_file_size: u64,
) -> Result<(Vec<GitHit>, Stats), Error> {
    let diff = run(
        root,
        &[
            "diff",
            "--cached",
            // Diffs of files git calls binary (one NUL byte is enough) as text: what is
            // binary is decided by the scanner, which says so for each file it skips.
            "--text",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "-U0",
            "--diff-filter=ACMR",
        ],
    )?;
    let mut out = Vec::new();
    let mut stats = Stats::default();
    for (path, lines) in added_lines(&diff) {
        if lines.is_empty() {
            continue;
        }
        if scanner.path_allowed(&path) {
            stats.allowlisted += 1;
            continue;
        }
        let generated = is_generated_name(&path);
        let spec = format!(":{path}");
        let data = run(root, &["show", &spec])?;
        if skip(&mut stats, &path, &data, max_file_size) {
            continue;
        }
        let hits = if generated {
            stats.generated += 1;
            scanner.scan_generated(&path, &data)
        } else {
            scanner.scan_bytes(&path, &data)
        };
        for hit in hits {
            if lines.contains(&hit.line) {
                out.push(GitHit {
                    path: path.clone(),
                    hit,
                    commit: None,
                });
            }
        }
    }
    Ok((out, stats))
}

/// One file's added lines in one commit, joined, with their line numbers.
struct Added {
    path: String,
    text: Vec<u8>,
    lines: Vec<u32>,
    next: u32,
    /// A generated file: read with the high-confidence rules only.
    generated: bool,
}

/// Scans the lines every commit in `range` (default: all of `HEAD`'s history) added.
#[expect(
    clippy::too_many_lines,
    reason = "one streaming parse of `git log -p`, clearer in one piece"
)]
pub fn scan_history(
    root: &Path,
    range: Option<&str>,
    scanner: &Scanner,
    max_file_size: u64,
) -> Result<(Vec<GitHit>, Stats), Error> {
    if let Some(r) = range
        && r.starts_with('-')
    {
        return Err(Error::Usage(format!("`{r}` is not a revision range")));
    }
    // Fails early and clearly outside a repository or with a bad range.
    run(root, &["rev-parse", "--verify", "--quiet", "HEAD"])?;
    let mut child = git(root)
        .args([
            "log",
            "-p",
            "--text",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "--format=opskit-commit %H%x09%an <%ae>%x09%aI",
        ])
        .arg(range.unwrap_or("HEAD"))
        .arg("--")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Git(format!("cannot run git: {e}; is git installed?")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::Git("git log gave no output stream".to_owned()))?;
    let mut reader = BufReader::new(stdout);
    let mut out = Vec::new();
    let mut commit: Option<Commit> = None;
    let mut file: Option<Added> = None;
    let mut line = Vec::new();
    let mut stats = Stats::default();
    let (mut allowlisted, mut generated, mut commits) = (0u64, 0u64, 0u64);
    let mut flush = |file: &mut Option<Added>, commit: &Option<Commit>, out: &mut Vec<GitHit>| {
        let Some(f) = file.take() else { return };
        let shown = match commit {
            Some(c) => format!("{} ({})", f.path, c.hash.get(..12).unwrap_or(&c.hash)),
            None => f.path.clone(),
        };
        if f.text.is_empty() || skip(&mut stats, &shown, &f.text, max_file_size) {
            return;
        }
        let hits = if f.generated {
            scanner.scan_generated(&f.path, &f.text)
        } else {
            scanner.scan_bytes(&f.path, &f.text)
        };
        for mut hit in hits {
            let index = usize::try_from(hit.line.saturating_sub(1)).unwrap_or(usize::MAX);
            hit.line = f.lines.get(index).copied().unwrap_or(hit.line);
            out.push(GitHit {
                path: f.path.clone(),
                hit,
                commit: commit.clone(),
            });
        }
    };
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::Git(format!("reading git log: {e}")))?;
        if n == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if let Some(rest) = line.strip_prefix(b"opskit-commit ") {
            flush(&mut file, &commit, &mut out);
            commits += 1;
            let text = String::from_utf8_lossy(rest);
            let mut parts = text.splitn(3, '\t');
            commit = Some(Commit {
                hash: parts.next().unwrap_or_default().to_owned(),
                author: parts.next().unwrap_or_default().to_owned(),
                date: parts.next().unwrap_or_default().to_owned(),
            });
        } else if line.starts_with(b"diff --git ") {
            flush(&mut file, &commit, &mut out);
        } else if let Some(path) = line.strip_prefix(b"+++ b/") {
            let path = String::from_utf8_lossy(path).into_owned();
            if scanner.path_allowed(&path) {
                allowlisted += 1;
            } else {
                let is_generated = is_generated_name(&path);
                generated += u64::from(is_generated);
                file = Some(Added {
                    path,
                    text: Vec::new(),
                    lines: Vec::new(),
                    next: 0,
                    generated: is_generated,
                });
            }
        } else if line.starts_with(b"@@ ") {
            if let (Some(f), Some((start, _))) = (file.as_mut(), hunk_new_range(&line)) {
                f.next = start;
            }
        } else if let Some(added) = line.strip_prefix(b"+")
            && let Some(f) = file.as_mut()
            && (f.text.len() as u64) <= max_file_size
        {
            f.text.extend_from_slice(added);
            f.text.push(b'\n');
            f.lines.push(f.next);
            f.next += 1;
        }
    }
    flush(&mut file, &commit, &mut out);
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let exit = child
        .wait()
        .map_err(|e| Error::Git(format!("waiting for git log: {e}")))?;
    if !exit.success() {
        return Err(Error::Git(format!("git log failed: {}", stderr.trim())));
    }
    stats.allowlisted += allowlisted;
    stats.generated += generated;
    stats.commits = Some(commits);
    Ok((out, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        assert_eq!(hunk_new_range(b"@@ -1,2 +3,4 @@ fn x"), Some((3, 4)));
        assert_eq!(hunk_new_range(b"@@ -0,0 +1 @@"), Some((1, 1)));
        assert_eq!(hunk_new_range(b"@@ -5 +4,0 @@"), Some((4, 0)));
        assert_eq!(hunk_new_range(b"@@ garbage"), None);
    }

    #[test]
    fn added_lines_per_file() {
        let diff = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n@@ -9 +10 @@\n-c\n+d\n";
        let files = added_lines(diff);
        assert_eq!(
            files,
            vec![("x".to_owned(), [1, 2, 10].into_iter().collect())]
        );
    }
}
