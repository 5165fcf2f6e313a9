//! Cutting a CSV byte stream into blocks of whole records, without parsing the fields, so
//! that the blocks can be parsed in parallel.
//!
//! The cut points are those of the `csv` crate's parser (the `csv-core` state machine with
//! `"` quotes, doubled `""` escapes, and `\n`, `\r` or `\r\n` ending a record): a quote opens
//! a quoted field only at the start of a field, a line break inside a quoted field does not
//! end the record, blank lines are no records, and a UTF-8 byte order mark at the start of
//! the stream is dropped. Each block starts where the parser is between records, so parsing
//! the blocks one by one gives exactly the records of the whole stream.

use crate::error::{Error, Result};
use std::io::Read;

/// Bytes asked of the stream per read.
const READ_SIZE: usize = 1 << 18;

const QUOTE: u8 = b'"';

/// Where the record scanner is, as the parser's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records: line breaks are skipped (blank lines).
    RecordStart,
    /// After a delimiter: a quote here opens a quoted field.
    FieldStart,
    /// Inside a field that did not start with a quote (a quote is an ordinary byte).
    Unquoted,
    /// Inside a quoted field: only a quote matters.
    Quoted,
    /// Just after a quote inside a quoted field: `""` is an escaped quote; anything else
    /// ends the quoted part.
    QuoteInQuoted,
}

/// The record boundary scanner: a byte-exact copy of the parser's record states.
#[derive(Debug, Clone)]
struct Scanner {
    delimiter: u8,
    state: State,
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

impl Scanner {
    /// Scan `data`, stopping just after the line break that ends the `max_records`-th
    /// record: (bytes scanned, records ended).
    fn scan(&mut self, data: &[u8], max_records: usize) -> (usize, usize) {
        let mut i = 0;
        let mut records = 0;
        while i < data.len() && records < max_records {
            match self.state {
                State::Quoted => match memchr::memchr(QUOTE, &data[i..]) {
                    Some(k) => {
                        i += k + 1;
                        self.state = State::QuoteInQuoted;
                    }
                    None => i = data.len(),
                },
                State::Unquoted => {
                    match memchr::memchr3(QUOTE, b'\n', b'\r', &data[i..]) {
                        Some(k) => {
                            let j = i + k;
                            if is_break(data[j]) {
                                records += 1;
                                self.state = State::RecordStart;
                            } else if k > 0 && data[j - 1] == self.delimiter {
                                // A quote just after a delimiter opens a quoted field.
                                self.state = State::Quoted;
                            }
                            i = j + 1;
                        }
                        None => {
                            // Only the last byte decides whether a field starts next.
                            if data[data.len() - 1] == self.delimiter {
                                self.state = State::FieldStart;
                            }
                            i = data.len();
                        }
                    }
                }
                State::RecordStart | State::FieldStart | State::QuoteInQuoted => {
                    let b = data[i];
                    i += 1;
                    self.state = match (self.state, b) {
                        (State::RecordStart, b) if is_break(b) => State::RecordStart,
                        (State::QuoteInQuoted, QUOTE) => State::Quoted,
                        (State::RecordStart | State::FieldStart, QUOTE) => State::Quoted,
                        (_, b) if b == self.delimiter => State::FieldStart,
                        (_, b) if is_break(b) => {
                            records += 1;
                            State::RecordStart
                        }
                        _ => State::Unquoted,
                    };
                }
            }
        }
        (i, records)
    }
}

/// Line breaks in `bytes` (`\n`, `\r\n` and a lone `\r` each count once), given whether the
/// byte before them was `\r`.
pub(crate) fn count_breaks(bytes: &[u8], after_cr: bool) -> u64 {
    let mut count = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let previous_cr = if i == 0 {
            after_cr
        } else {
            bytes[i - 1] == b'\r'
        };
        if bytes[i] == b'\r' || !previous_cr {
            count += 1;
        }
    }
    count
}

/// Whole records of the input, unparsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBlock {
    /// The bytes: whole records, and the blank lines before them.
    pub bytes: Vec<u8>,
    /// Records in `bytes` (blank lines are not records).
    pub records: usize,
    /// The 1-based physical line of the input on which `bytes` starts.
    pub first_line: u64,
    /// Whether the byte before `bytes` was `\r` (so a leading `\n` ends no further line).
    pub after_cr: bool,
}

/// Cuts a byte stream into [`RawBlock`]s.
pub struct Splitter {
    stream: Box<dyn Read + Send>,
    /// The name of the input in messages.
    source: String,
    scanner: Scanner,
    /// Bytes read but not yet in a block: `carry[used..]`.
    carry: Vec<u8>,
    used: usize,
    /// Whether the stream has ended.
    eof: bool,
    /// Whether nothing has been read yet (a byte order mark may follow).
    at_start: bool,
    /// The line and `after_cr` of the next block.
    next_line: u64,
    after_cr: bool,
}

impl Splitter {
    /// Split `stream` (named `source` in messages) on the records of a CSV with this
    /// delimiter.
    pub fn new(stream: Box<dyn Read + Send>, source: String, delimiter: u8) -> Self {
        Splitter {
            stream,
            source,
            scanner: Scanner {
                delimiter,
                state: State::RecordStart,
            },
            carry: Vec::new(),
            used: 0,
            eof: false,
            at_start: true,
            next_line: 1,
            after_cr: false,
        }
    }

    /// The next block of at most `max_records` records (fewer only at the end of the
    /// input; none after it), in `buffer` (emptied; passing back the bytes of a used block
    /// saves allocating).
    pub fn next_block(&mut self, max_records: usize, buffer: Vec<u8>) -> Result<RawBlock> {
        let mut block = self.start_block(buffer);
        self.fill(&mut block, max_records)?;
        self.finish(&block);
        Ok(block)
    }

    /// An empty block starting where the last one ended, in `buffer` (emptied).
    pub fn start_block(&self, mut buffer: Vec<u8>) -> RawBlock {
        buffer.clear();
        RawBlock {
            bytes: buffer,
            records: 0,
            first_line: self.next_line,
            after_cr: self.after_cr,
        }
    }

    /// Mark `block` (from [`Splitter::start_block`], filled) as taken: the next block
    /// starts after it.
    pub fn finish(&mut self, block: &RawBlock) {
        self.next_line = block.first_line + count_breaks(&block.bytes, block.after_cr);
        if let Some(&last) = block.bytes.last() {
            self.after_cr = last == b'\r';
        }
    }

    /// Add records to `block` until it holds `max_records` or the input ends.
    pub fn fill(&mut self, block: &mut RawBlock, max_records: usize) -> Result<()> {
        while block.records < max_records {
            if self.used == self.carry.len() {
                if self.eof {
                    // A last record without a line break.
                    if self.scanner.state != State::RecordStart {
                        block.records += 1;
                        self.scanner.state = State::RecordStart;
                    }
                    return Ok(());
                }
                self.read_more()?;
                continue;
            }
            let rest = &self.carry[self.used..];
            let (scanned, records) = self.scanner.scan(rest, max_records - block.records);
            block.bytes.extend_from_slice(&rest[..scanned]);
            self.used += scanned;
            block.records += records;
        }
        Ok(())
    }

    /// Read the next bytes of the stream into `carry` (dropping a byte order mark at the
    /// start of the stream).
    fn read_more(&mut self) -> Result<()> {
        self.carry.clear();
        self.used = 0;
        self.carry.resize(READ_SIZE, 0);
        let mut filled = 0;
        // At the start, read until the first three bytes are known (the byte order mark).
        let wanted = if self.at_start { 3 } else { 1 };
        while filled < wanted {
            match self.stream.read(&mut self.carry[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.carry.clear();
                    return Err(Error::Csv {
                        path: self.source.clone(),
                        message: format!("read error: {e}"),
                    });
                }
            }
        }
        self.carry.truncate(filled);
        if self.at_start {
            self.at_start = false;
            if self.carry.starts_with(b"\xef\xbb\xbf") {
                self.used = 3;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records of `data` as the `csv` crate reads them.
    fn csv_records(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    /// Blocks of `data` cut after every `n` records, read through a stream that hands out
    /// `step` bytes at a time.
    fn blocks(data: &[u8], n: usize, step: usize) -> Vec<RawBlock> {
        struct Trickle(Vec<u8>, usize, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.2.min(buf.len()).min(self.0.len() - self.1);
                buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        let stream = Box::new(Trickle(data.to_vec(), 0, step));
        let mut splitter = Splitter::new(stream, "t".into(), b',');
        let mut out = Vec::new();
        loop {
            let block = splitter.next_block(n, Vec::new()).unwrap();
            if block.records == 0 {
                return out;
            }
            assert!(block.records <= n);
            out.push(block);
        }
    }

    fn check(data: &[u8]) {
        let whole = csv_records(data);
        for n in [1, 2, 3, 7] {
            for step in [1, 2, 5, 1 << 20] {
                let mut joined = Vec::new();
                let mut records = 0;
                let mut line = 1;
                for block in blocks(data, n, step) {
                    assert_eq!(block.first_line, line);
                    line += count_breaks(&block.bytes, block.after_cr);
                    records += block.records;
                    // Each block read alone gives its own records.
                    let mine = csv_records(&block.bytes);
                    assert_eq!(mine.len(), block.records, "{data:?} n={n} step={step}");
                    joined.extend(mine);
                }
                assert_eq!(records, whole.len(), "{data:?} n={n} step={step}");
                assert_eq!(joined, whole, "{data:?} n={n} step={step}");
            }
        }
    }

    #[test]
    fn blocks_hold_the_parsers_records() {
        for data in [
            &b""[..],
            b"a,b\n1,2\n3,4\n",
            b"a,b\r\n1,2\r\n\r\n3,4",
            b"a\r1\r\r2\r",
            b"h,k\n1,\"a\nb\"\n2,\"c\r\nd\re\"\n3,x\n",
            b"\"a\"\"b\",\"\"\n\"x\"y\"z\n1,a\"b\n\"\n\"\n",
            b",\n,,\n\"\",\n\n\n",
            b"\xef\xbb\xbf\"a\nb\",c\n1,2",
            b"1,\"unterminated\nquote",
            b"1,\"\"\"\n\"\"\"\n,\"\n\"",
        ] {
            check(data);
        }
    }

    #[test]
    fn blocks_match_the_parser_on_random_bytes() {
        // Every byte that matters to the parser, and one that does not.
        let alphabet = b"ab,\"\n\r";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..200 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            check(&data);
        }
    }

    #[test]
    fn breaks_count_crlf_once() {
        assert_eq!(count_breaks(b"a\r\nb\rc\n\n", false), 4);
        assert_eq!(count_breaks(b"\nx", true), 0);
        assert_eq!(count_breaks(b"\nx", false), 1);
    }
}
