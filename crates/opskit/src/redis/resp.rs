//! RESP2: encoding commands and reading replies with a size limit.

use std::io::{BufRead, Read};

use super::Value;

/// The default limit on the bytes of one batch's replies: far above what a monitor reads, far
/// below what would hurt the machine.
pub const MAX_REPLY_BYTES: u64 = 64 * 1024 * 1024;

/// Deepest array nesting accepted; real replies to our commands nest at most two levels.
const MAX_DEPTH: usize = 8;

/// Appends a command as a RESP array of bulk strings.
pub(crate) fn encode(out: &mut Vec<u8>, command: &[String]) {
    out.extend_from_slice(format!("*{}\r\n", command.len()).as_bytes());
    for arg in command {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// Why a reply could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    Malformed(String),
    TooLarge,
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// Parses one RESP2 reply from the start of `bytes`, reading at most `max_reply` bytes: what
/// the native client does with each reply, exposed for property tests and tools that read
/// captured traffic. A reply cut short is an error, as is one over the budget.
pub fn parse_reply(bytes: &[u8], max_reply: u64) -> Result<Value, ReplyError> {
    Reader::new(bytes, max_reply).read().map_err(|e| {
        ReplyError(match e {
            ReadError::Io(e) => e.to_string(),
            ReadError::Malformed(m) => m,
            ReadError::TooLarge => format!("the reply is larger than {max_reply} bytes"),
        })
    })
}

/// Why [`parse_reply`] could not read a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a RESP2 reply: {0}")]
pub struct ReplyError(String);

/// Reads replies, counting the bytes against a budget.
pub(crate) struct Reader<R> {
    inner: R,
    budget: u64,
}

impl<R: BufRead> Reader<R> {
    pub(crate) fn new(inner: R, budget: u64) -> Reader<R> {
        Reader { inner, budget }
    }

    fn spend(&mut self, n: u64) -> Result<(), ReadError> {
        self.budget = self.budget.checked_sub(n).ok_or(ReadError::TooLarge)?;
        Ok(())
    }

    fn line(&mut self) -> Result<String, ReadError> {
        let mut buf = Vec::new();
        // A header line is short; read at most 64 KiB of it.
        let n = (&mut self.inner)
            .take(64 * 1024)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Err(ReadError::Io(std::io::Error::from(
                std::io::ErrorKind::UnexpectedEof,
            )));
        }
        self.spend(n as u64)?;
        if !buf.ends_with(b"\r\n") {
            return Err(ReadError::Malformed(
                "a reply line does not end with CRLF".to_owned(),
            ));
        }
        buf.truncate(buf.len() - 2);
        String::from_utf8(buf)
            .map_err(|_| ReadError::Malformed("a reply line is not UTF-8".to_owned()))
    }

    /// Reads one reply.
    pub(crate) fn read(&mut self) -> Result<Value, ReadError> {
        self.read_at(0)
    }

    fn read_at(&mut self, depth: usize) -> Result<Value, ReadError> {
        if depth > MAX_DEPTH {
            return Err(ReadError::Malformed("replies nested too deep".to_owned()));
        }
        let line = self.line()?;
        let mut chars = line.chars();
        let kind = chars
            .next()
            .ok_or_else(|| ReadError::Malformed("an empty reply line".to_owned()))?;
        let rest = chars.as_str();
        let length = |s: &str| -> Result<i64, ReadError> {
            s.parse::<i64>()
                .map_err(|_| ReadError::Malformed(format!("`{}` is not a length", truncate(s))))
        };
        match kind {
            '+' => Ok(Value::Simple(rest.to_owned())),
            '-' => Ok(Value::Error(rest.to_owned())),
            ':' => Ok(Value::Int(length(rest)?)),
            '$' => {
                let n = length(rest)?;
                if n < 0 {
                    return Ok(Value::Nil);
                }
                let n = u64::try_from(n)
                    .map_err(|_| ReadError::Malformed("negative length".to_owned()))?;
                self.spend(n.saturating_add(2))?;
                let size = usize::try_from(n).map_err(|_| ReadError::TooLarge)?;
                let mut data = vec![0; size + 2];
                self.inner.read_exact(&mut data)?;
                if !data.ends_with(b"\r\n") {
                    return Err(ReadError::Malformed(
                        "a bulk string does not end with CRLF".to_owned(),
                    ));
                }
                data.truncate(size);
                Ok(Value::Bulk(data))
            }
            '*' => {
                let n = length(rest)?;
                if n < 0 {
                    return Ok(Value::Nil);
                }
                let n = u64::try_from(n)
                    .map_err(|_| ReadError::Malformed("negative length".to_owned()))?;
                // Each element takes at least 3 bytes; refuse counts the budget cannot hold
                // before allocating for them.
                if n.saturating_mul(3) > self.budget {
                    return Err(ReadError::TooLarge);
                }
                let mut items = Vec::with_capacity(usize::try_from(n.min(1024)).unwrap_or(0));
                for _ in 0..n {
                    items.push(self.read_at(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            other => Err(ReadError::Malformed(format!(
                "unexpected reply type `{}`",
                other.escape_debug()
            ))),
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Value, ReadError> {
        Reader::new(bytes, 1024).read()
    }

    #[test]
    fn encodes_a_command() {
        let mut out = Vec::new();
        encode(&mut out, &["LLEN".to_owned(), "bull:q:wait".to_owned()]);
        assert_eq!(out, b"*2\r\n$4\r\nLLEN\r\n$11\r\nbull:q:wait\r\n");
    }

    #[test]
    fn reads_every_kind() {
        assert_eq!(read(b"+OK\r\n").unwrap(), Value::Simple("OK".into()));
        assert_eq!(read(b"-ERR no\r\n").unwrap(), Value::Error("ERR no".into()));
        assert_eq!(read(b":-5\r\n").unwrap(), Value::Int(-5));
        assert_eq!(
            read(b"$3\r\na\r\n\r\n").unwrap(),
            Value::Bulk(b"a\r\n".to_vec())
        );
        assert_eq!(read(b"$-1\r\n").unwrap(), Value::Nil);
        assert_eq!(read(b"*-1\r\n").unwrap(), Value::Nil);
        assert_eq!(
            read(b"*2\r\n:1\r\n*1\r\n$0\r\n\r\n").unwrap(),
            Value::Array(vec![Value::Int(1), Value::Array(vec![Value::Bulk(vec![])])])
        );
    }

    #[test]
    fn rejects_malformed_replies() {
        assert!(matches!(read(b"?x\r\n"), Err(ReadError::Malformed(_))));
        assert!(matches!(read(b":12x\r\n"), Err(ReadError::Malformed(_))));
        assert!(matches!(read(b"+OK\n"), Err(ReadError::Malformed(_))));
        assert!(matches!(
            read(b"$3\r\nabcd\r\n"),
            Err(ReadError::Malformed(_))
        ));
        assert!(matches!(read(b"$5\r\nab"), Err(ReadError::Io(_))));
        assert!(matches!(read(b""), Err(ReadError::Io(_))));
        let deep = "*1\r\n".repeat(20) + ":1\r\n";
        assert!(matches!(
            read(deep.as_bytes()),
            Err(ReadError::Malformed(_))
        ));
    }

    #[test]
    fn refuses_oversized_replies_before_allocating() {
        assert!(matches!(
            read(b"$999999999999\r\n"),
            Err(ReadError::TooLarge)
        ));
        assert!(matches!(
            read(b"*999999999999\r\n"),
            Err(ReadError::TooLarge)
        ));
        assert!(matches!(
            read(b"$9223372036854775807\r\n"),
            Err(ReadError::TooLarge)
        ));
    }
}
