//! The working-tree walk: parallel, .gitignore-aware, hidden files included, `.git` left out,
//! binary, generated and oversized files skipped and counted.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};

use crate::engine::Hit;
use crate::scan::Scanner;

/// Extensions of files that are never text.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "ico", "bmp", "tiff", "avif", "psd", "woff", "woff2",
    "ttf", "otf", "eot", "pdf", "zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "jar", "war",
    "class", "wasm", "so", "dylib", "dll", "exe", "bin", "o", "a", "node", "mp3", "mp4", "mov",
    "avi", "webm", "ogg", "wav", "flac", "sqlite", "db", "pyc", "dat",
];

/// How the walk behaves.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Files larger than this are skipped and reported.
    pub max_file_size: u64,
    /// Scan minified and source-map files too.
    pub include_generated: bool,
    /// Ignore .gitignore/.ignore files (scan everything).
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// How paths are reported.
    pub paths: PathStyle,
}

/// How the walk reports paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathStyle {
    /// As the user would type them: the root joined with the path under it (`ROOT/src/app.ts`;
    /// just `src/app.ts` for the root `.`).
    #[default]
    AsTyped,
    /// Relative to their root (`src/app.ts`), for callers that show the root themselves.
    RelativeToRoot,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions {
            max_file_size: 5 << 20,
            include_generated: false,
            no_ignore: false,
            follow_links: false,
            threads: 0,
            paths: PathStyle::AsTyped,
        }
    }
}

/// What the walk did, besides finding secrets.
#[derive(Debug, Default)]
pub struct Stats {
    /// Files read and scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files skipped as binary.
    pub binary: u64,
    /// Files skipped as binary by their content, with the reason (files skipped by their
    /// name, `.png`, `.woff2`, are only counted).
    pub binary_content: Vec<(String, &'static str)>,
    /// Generated files (minified, source maps), read with the high-confidence rules only.
    pub generated: u64,
    /// Files skipped for size, with their sizes.
    pub too_large: Vec<(String, u64)>,
    /// Paths allowlisted in the configuration.
    pub allowlisted: u64,
    /// Files or directories that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// Symbolic-link loops that were not followed.
    pub loops: Vec<String>,
    /// Commits read (`--git`).
    pub commits: Option<u64>,
}

/// The findings of one file.
#[derive(Debug)]
pub struct FileHits {
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// What was found.
    pub hits: Vec<Hit>,
}

#[derive(Default)]
struct Shared {
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    generated: AtomicU64,
    allowlisted: AtomicU64,
    too_large: Mutex<Vec<(String, u64)>>,
    binary_content: Mutex<Vec<(String, &'static str)>>,
    unreadable: Mutex<Vec<(String, String)>>,
    loops: Mutex<Vec<String>>,
    found: Mutex<Vec<FileHits>>,
}

fn push<T>(m: &Mutex<Vec<T>>, value: T) {
    if let Ok(mut v) = m.lock() {
        v.push(value);
    }
}

fn take<T>(m: Mutex<Vec<T>>) -> Vec<T> {
    m.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The path as reported: relative to `root`, `/`-separated; a root that is a file is reported
/// by its name as given.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel = if rel.as_os_str().is_empty() {
        path
    } else {
        rel
    };
    rel.to_string_lossy().replace('\\', "/")
}

/// The path as shown: as the user would type it, the root joined with the relative path
/// (just the relative path when the root is `.`).
fn shown(root: &Path, rel: &str, options: &WalkOptions) -> String {
    if options.paths == PathStyle::RelativeToRoot {
        return rel.to_owned();
    }
    let root_text = root.to_string_lossy().replace('\\', "/");
    let root_text = root_text.trim_end_matches('/');
    if root_text == "." || root_text.is_empty() || rel == root_text {
        rel.to_owned()
    } else {
        format!("{root_text}/{rel}")
    }
}

/// Whether a file name marks generated output.
pub fn is_generated_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".min.js",
        ".min.mjs",
        ".min.css",
        ".map",
        ".bundle.js",
        ".chunk.js",
    ]
    .iter()
    .any(|s| lower.ends_with(s))
}

fn is_binary_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| BINARY_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Why content is binary, or `None` for text: a known binary format by its first bytes, or a
/// high share of NUL bytes in the first 8 KiB (one in sixteen or more). One stray NUL does not
/// make a file binary: git and ripgrep skip a file for a single NUL, so a `.env` holding a
/// live key and one NUL byte would pass unscanned.
pub fn binary_kind(data: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"%PDF-", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b", "gzip data"),
        (b"\x28\xb5\x2f\xfd", "zstd data"),
        (b"BZh", "bzip2 data"),
        (b"\xfd7zXZ\x00", "xz data"),
        (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
        (b"\x7fELF", "an ELF executable"),
        (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
        (b"\xca\xfe\xba\xbe", "a Mach-O or Java class file"),
        (b"MZ", "a Windows executable"),
        (b"\x00asm", "a WebAssembly module"),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"PGDMP", "a PostgreSQL custom-format dump"),
        (b"RIFF", "a RIFF media file"),
        (b"wOFF", "a WOFF font"),
        (b"wOF2", "a WOFF2 font"),
        (b"\x00\x01\x00\x00\x00", "a TrueType font"),
        (b"OTTO", "an OpenType font"),
    ];
    // UTF-16 text is half NUL bytes; its byte order mark says what it is.
    if crate::decode::is_utf16(data) {
        return None;
    }
    if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| data.starts_with(magic)) {
        // `MZ` and `BZh` are also how text can start; a real header has binary bytes after it.
        let head = &data[..data.len().min(512)];
        let texty = head
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
        if !texty {
            return Some(kind);
        }
    }
    let head = &data[..data.len().min(8192)];
    let nuls = memchr::memchr_iter(0, head).count();
    (nuls > 0 && nuls * 16 >= head.len()).then_some("mostly NUL bytes")
}

/// Minified content: long files whose lines average more than 500 bytes.
fn is_minified(data: &[u8]) -> bool {
    data.len() > 16 * 1024 && data.len() / (memchr::memchr_iter(b'\n', data).count() + 1) > 500
}

/// Scans every file under each root in parallel.
pub fn scan_tree(
    roots: &[PathBuf],
    scanner: &Scanner,
    options: &WalkOptions,
) -> (Vec<FileHits>, Stats) {
    let shared = Shared::default();
    for root in roots {
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .parents(true)
            .ignore(!options.no_ignore)
            .git_ignore(!options.no_ignore)
            .git_global(!options.no_ignore)
            .git_exclude(!options.no_ignore)
            .require_git(false)
            .follow_links(options.follow_links)
            .threads(options.threads)
            .filter_entry(|e| e.file_name() != ".git");
        builder.build_parallel().run(|| {
            let shared = &shared;
            Box::new(move |entry| {
                match entry {
                    Ok(entry) => {
                        if entry.file_type().is_some_and(|t| t.is_file()) {
                            scan_file(root, entry.path(), scanner, options, shared);
                        }
                    }
                    Err(e) => record_walk_error(root, &e, options, shared),
                }
                WalkState::Continue
            })
        });
    }
    let mut found = take(shared.found);
    found.sort_by(|a, b| a.path.cmp(&b.path));
    let mut too_large = take(shared.too_large);
    too_large.sort();
    let mut unreadable = take(shared.unreadable);
    unreadable.sort();
    let mut loops = take(shared.loops);
    loops.sort();
    let mut binary_content = take(shared.binary_content);
    binary_content.sort();
    let stats = Stats {
        binary_content,
        commits: None,
        files: shared.files.into_inner(),
        bytes: shared.bytes.into_inner(),
        binary: shared.binary.into_inner(),
        generated: shared.generated.into_inner(),
        allowlisted: shared.allowlisted.into_inner(),
        too_large,
        unreadable,
        loops,
    };
    (found, stats)
}

fn record_walk_error(root: &Path, error: &ignore::Error, options: &WalkOptions, shared: &Shared) {
    fn parts(e: &ignore::Error) -> (Option<&Path>, bool) {
        match e {
            ignore::Error::WithPath { path, err } => (Some(path.as_path()), parts(err).1),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                parts(err)
            }
            ignore::Error::Loop { child, .. } => (Some(child.as_path()), true),
            _ => (None, false),
        }
    }
    let (path, is_loop) = parts(error);
    let place = shown(
        root,
        &path.map_or_else(|| relative(root, root), |p| relative(root, p)),
        options,
    );
    if is_loop {
        push(&shared.loops, place);
    } else {
        push(&shared.unreadable, (place, error.to_string()));
    }
}

fn scan_file(root: &Path, path: &Path, scanner: &Scanner, options: &WalkOptions, shared: &Shared) {
    let rel = relative(root, path);
    let display = shown(root, &rel, options);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if scanner.path_allowed(&rel) {
        shared.allowlisted.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if is_binary_name(&name) {
        shared.binary.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mut generated = !options.include_generated && is_generated_name(&name);
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return push(&shared.unreadable, (display.clone(), e.to_string())),
    };
    let size = file.metadata().map_or(0, |m| m.len());
    if size > options.max_file_size {
        return push(&shared.too_large, (display.clone(), size));
    }
    // Read at most one byte past the limit: a file that grew since stat is still bounded.
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(e) = file
        .take(options.max_file_size.saturating_add(1))
        .read_to_end(&mut data)
    {
        return push(&shared.unreadable, (display.clone(), e.to_string()));
    }
    if data.len() as u64 > options.max_file_size {
        return push(&shared.too_large, (display.clone(), data.len() as u64));
    }
    if let Some(kind) = binary_kind(&data) {
        shared.binary.fetch_add(1, Ordering::Relaxed);
        return push(&shared.binary_content, (display.clone(), kind));
    }
    generated |= !options.include_generated && is_minified(&data);
    shared.files.fetch_add(1, Ordering::Relaxed);
    shared.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
    let hits = if generated {
        shared.generated.fetch_add(1, Ordering::Relaxed);
        scanner.scan_generated(&rel, &data)
    } else {
        scanner.scan_bytes(&rel, &data)
    };
    if !hits.is_empty() {
        push(
            &shared.found,
            FileHits {
                path: display,
                hits,
            },
        );
    }
}
