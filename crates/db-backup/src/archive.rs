//! Backup files on disk: the stream from pg_dump, compressed and hashed as it passes, into a
//! temporary name that becomes the final name only when the whole archive is written, fsynced
//! and checked. A failure at any point (pg_dump dies, the disk fills, the process is killed)
//! leaves nothing under a final name.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// How the archive is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Zstandard (the default, level 3).
    Zstd,
    /// gzip (level 6 by default).
    Gzip,
    /// None: pg_dump's custom format as is (pg_restore reads the file directly).
    None,
}

impl Compression {
    /// The file name suffix after `.dump` or `.sql`.
    pub const fn suffix(self) -> &'static str {
        match self {
            Compression::Zstd => ".zst",
            Compression::Gzip => ".gz",
            Compression::None => "",
        }
    }

    /// The level used when none is given.
    pub const fn default_level(self) -> i32 {
        match self {
            Compression::Zstd => 3,
            Compression::Gzip => 6,
            Compression::None => 0,
        }
    }

    /// The compression of a file, from its name (a partial file's name included).
    pub fn of_path(path: &Path) -> Compression {
        let name = path.to_string_lossy().to_ascii_lowercase();
        let name = name.rsplit_once(".partial-").map_or(&*name, |(n, _)| n);
        let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
        if extension == "zst" {
            Compression::Zstd
        } else if extension == "gz" {
            Compression::Gzip
        } else {
            Compression::None
        }
    }

    /// The name, as in flags and manifests.
    pub const fn as_str(self) -> &'static str {
        match self {
            Compression::Zstd => "zstd",
            Compression::Gzip => "gzip",
            Compression::None => "none",
        }
    }
}

/// Counts and hashes what is written through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Bytes on disk.
    pub bytes: u64,
    /// Bytes before compression (what pg_dump produced).
    pub raw_bytes: u64,
    /// SHA-256 of the bytes on disk, lowercase hex (what `sha256sum FILE` prints).
    pub sha256: String,
}

/// A file being written under a temporary name beside its final name. Dropped without
/// [`Partial::commit`], it is removed.
#[derive(Debug)]
pub struct Partial {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// The temporary name of a backup being written: `.NAME.partial-PID`, so a leftover from a
/// killed run is recognisable, and its writer's process id tells whether it is still running.
pub fn partial_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "backup".to_owned(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// The process id in a partial file's name, if it is one.
pub fn partial_pid(name: &str) -> Option<u32> {
    let (_, pid) = name.strip_prefix('.')?.rsplit_once(".partial-")?;
    pid.parse().ok()
}

impl Partial {
    /// The temporary path (pg_restore reads it before the commit).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the file to its final name and fsyncs the directory, so the name survives a
    /// crash. The final name must not exist: a backup is never overwritten.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        if self.target.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists", self.target.display()),
            ));
        }
        std::fs::rename(&self.tmp, &self.target)?;
        self.committed = true;
        crate::cleanup::unregister(&self.tmp);
        if let Some(dir) = self.target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            File::open(dir)?.sync_all()?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
            crate::cleanup::unregister(&self.tmp);
        }
    }
}

/// Copies `input` to a new temporary file beside `target`, compressed and hashed, then fsyncs
/// it. Mode 0600: a backup holds all the data. Write errors come back as they are (a full
/// disk is `StorageFull`); the temporary file is removed when the [`Partial`] is dropped.
pub fn write(
    mut input: impl Read,
    target: &Path,
    compression: Compression,
    level: i32,
) -> io::Result<(Partial, Written)> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = partial_name(target);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    // A signal mid-write removes it too, not only a drop.
    crate::cleanup::register(&tmp);
    let partial = Partial {
        tmp,
        target: target.to_owned(),
        committed: false,
    };
    let sink = Hashing {
        inner: BufWriter::with_capacity(1 << 20, file),
        hash: Sha256::new(),
        bytes: 0,
    };
    let mut raw = 0u64;
    let sink = match compression {
        Compression::Zstd => {
            let mut enc = zstd::stream::write::Encoder::new(sink, level)?;
            enc.include_checksum(true)?;
            raw = pump(&mut input, &mut enc)?;
            enc.finish()?
        }
        Compression::Gzip => {
            let level = u32::try_from(level.clamp(0, 9)).unwrap_or(6);
            let mut enc = flate2::write::GzEncoder::new(sink, flate2::Compression::new(level));
            raw = pump(&mut input, &mut enc)?;
            enc.finish()?
        }
        Compression::None => {
            let mut sink = sink;
            raw += pump(&mut input, &mut sink)?;
            sink
        }
    };
    let Hashing {
        inner, hash, bytes, ..
    } = sink;
    let file = inner.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()?;
    Ok((
        partial,
        Written {
            bytes,
            raw_bytes: raw,
            sha256: opskit::redact::hex(&hash.finalize()),
        },
    ))
}

fn pump(input: &mut impl Read, output: &mut impl Write) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        output.write_all(&buf[..n])?;
        total += n as u64;
    }
}

/// SHA-256 of a file and its size.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        total += n as u64;
    }
    Ok((opskit::redact::hex(&hash.finalize()), total))
}

/// The archive's content, decompressed as it is read.
pub fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let file = BufReader::with_capacity(1 << 20, File::open(path)?);
    Ok(match Compression::of_path(path) {
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(file)?),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        Compression::None => Box::new(file),
    })
}

/// Copies the decompressed archive into `output` (pg_restore's stdin). When the reader of
/// `output` stops early (`pg_restore --list` reads only the table of contents), the rest is
/// still decompressed, so a damaged stream is noticed. Returns the decompressed size.
pub fn feed(path: &Path, mut output: impl Write) -> io::Result<u64> {
    let mut input = open(path)?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    let mut open_pipe = true;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the archive does not decompress: {e}"),
                ));
            }
        };
        total += n as u64;
        if open_pipe && let Err(e) = output.write_all(&buf[..n]) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                open_pipe = false;
            } else {
                return Err(e);
            }
        }
    }
    drop(output);
    Ok(total)
}

/// Runs `cmd` (pg_restore, psql) with the decompressed archive on its standard input and its
/// output captured; returns the output and what feeding the archive gave.
pub fn run_fed(
    cmd: &mut std::process::Command,
    path: &Path,
) -> io::Result<(std::process::Output, io::Result<u64>)> {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take();
    let file = path.to_owned();
    let feeder = std::thread::spawn(move || match stdin {
        Some(s) => feed(&file, s),
        None => Ok(0),
    });
    let out = child.wait_with_output()?;
    let fed = feeder
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the reader thread panicked")));
    Ok((out, fed))
}

/// A size for people: `812 B`, `14.2 KiB`, `3.10 GiB`.
#[expect(clippy::cast_precision_loss, reason = "a size shown to three digits")]
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else if value >= 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.2} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_every_compression() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for c in [Compression::Zstd, Compression::Gzip, Compression::None] {
            let target = dir.path().join(format!("b.dump{}", c.suffix()));
            let (partial, written) = write(&data[..], &target, c, c.default_level()).unwrap();
            assert!(
                !target.exists(),
                "nothing under the final name before commit"
            );
            let path = partial.commit().unwrap();
            assert_eq!(written.raw_bytes, data.len() as u64);
            assert_eq!(
                sha256_file(&path).unwrap(),
                (written.sha256.clone(), written.bytes)
            );
            let mut back = Vec::new();
            assert_eq!(feed(&path, &mut back).unwrap(), data.len() as u64);
            assert_eq!(back, data);
        }
        // Only the three final files: no temporary file is left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("pg_dump died"))
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("b.dump.zst");
        assert!(write(Failing, &target, Compression::Zstd, 3).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // A committed name is never overwritten.
        std::fs::write(&target, b"older").unwrap();
        let (partial, _) = write(&b"new"[..], &target, Compression::Zstd, 3).unwrap();
        assert!(partial.commit().is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"older");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn damage_is_noticed_when_decompressing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("b.dump.zst");
        let data = vec![7u8; 100_000];
        let (partial, _) = write(&data[..], &target, Compression::Zstd, 3).unwrap();
        let path = partial.commit().unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        assert!(feed(&path, io::sink()).is_err());
    }

    #[test]
    fn partial_names() {
        let p = partial_name(Path::new("/b/app-20261127T030000Z.dump.zst"));
        let name = p.file_name().unwrap().to_str().unwrap();
        assert_eq!(partial_pid(name), Some(std::process::id()));
        assert_eq!(partial_pid("app.dump.zst"), None);
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.50 KiB");
        assert_eq!(human_size(250 * 1024 * 1024), "250 MiB");
    }
}
