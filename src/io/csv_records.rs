//! The records of one [`RawBlock`], parsed by the `csv` crate's state machine (`csv-core`),
//! each with the physical line of the input on which it starts.
//!
//! A record whose line holds no quote is split on the delimiter directly (what the parser
//! does with such a line, without copying its bytes); any other goes through the parser.

use super::csv_split::{count_breaks, RawBlock};
use csv_core::ReadRecordResult;

/// Reads the records of a block one at a time into a reused buffer.
pub struct Records<'a> {
    parser: csv_core::Reader,
    bytes: &'a [u8],
    /// Bytes parsed so far.
    pos: usize,
    /// Whether the parser has not been called yet.
    first_call: bool,
    /// The current record's field bytes, and the end of each field in them (parsed
    /// records).
    fields: Vec<u8>,
    ends: Vec<usize>,
    n_fields: usize,
    /// The fields of the current record as ranges of `bytes`, if it was split directly.
    spans: Vec<(usize, usize)>,
    direct: bool,
    delimiter: u8,
    /// Line breaks are counted up to `counted`, which is on line `line`.
    counted: usize,
    line: u64,
    /// Whether the byte before `counted` is `\r`.
    after_cr: bool,
}

impl<'a> Records<'a> {
    /// The records of `block`, a table with this field delimiter.
    pub fn new(block: &'a RawBlock, delimiter: u8) -> Self {
        Records {
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            bytes: &block.bytes,
            pos: 0,
            first_call: true,
            fields: vec![0; 1 << 10],
            ends: vec![0; 64],
            n_fields: 0,
            spans: Vec::new(),
            direct: false,
            delimiter,
            counted: 0,
            line: block.first_line,
            after_cr: block.after_cr,
        }
    }

    /// Parse the next record; the physical line on which it starts, `None` after the last.
    pub fn next_record(&mut self) -> Option<u64> {
        let begin = self.pos;
        // The record starts after the line breaks the parser skips (blank lines, the `\n`
        // of a `\r\n`).
        let skipped = self.bytes[begin..]
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        let start = begin + skipped;
        if start == self.bytes.len() {
            self.pos = start;
            return None;
        }
        let rest = &self.bytes[start..];
        let line_end = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
        if memchr::memchr(b'"', &rest[..line_end]).is_none() {
            // No quote: the fields are the pieces between delimiters, the record ends at
            // the line break (consumed, as the parser consumes it).
            self.spans.clear();
            let mut field_start = start;
            for i in memchr::memchr_iter(self.delimiter, &rest[..line_end]) {
                self.spans.push((field_start, start + i));
                field_start = start + i + 1;
            }
            self.spans.push((field_start, start + line_end));
            self.direct = true;
            self.pos = (start + line_end + 1).min(self.bytes.len());
        } else {
            self.parse_record()?;
            self.direct = false;
        }
        self.line += count_breaks(&self.bytes[self.counted..start], self.after_cr);
        if start > self.counted {
            self.after_cr = self.bytes[start - 1] == b'\r';
        }
        self.counted = start;
        Some(self.line)
    }

    /// Parse the record at `pos` with the parser into `fields` and `ends`; `None` at the
    /// end. (Between records the parser is always where a record starts, however the
    /// records before were read.)
    fn parse_record(&mut self) -> Option<()> {
        let (mut n_out, mut n_ends) = (0, 0);
        loop {
            // The parser drops a byte order mark from the first input it is given when that
            // has three bytes or more; the splitter already dropped the stream's, so the
            // first call sees at most two bytes.
            let end = if self.first_call {
                self.bytes.len().min(self.pos + 2)
            } else {
                self.bytes.len()
            };
            self.first_call = false;
            let (result, n_in, out, ends) = self.parser.read_record(
                &self.bytes[self.pos..end],
                &mut self.fields[n_out..],
                &mut self.ends[n_ends..],
            );
            self.pos += n_in;
            n_out += out;
            n_ends += ends;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let len = self.fields.len();
                    self.fields.resize(2 * len, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len();
                    self.ends.resize(2 * len, 0);
                }
                ReadRecordResult::Record => {
                    self.n_fields = n_ends;
                    return Some(());
                }
                ReadRecordResult::End => return None,
            }
        }
    }

    /// Fields of the current record.
    pub fn n_fields(&self) -> usize {
        if self.direct {
            self.spans.len()
        } else {
            self.n_fields
        }
    }

    /// Field `i` of the current record.
    pub fn field(&self, i: usize) -> &[u8] {
        if self.direct {
            let (start, end) = self.spans[i];
            return &self.bytes[start..end];
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.fields[start..self.ends[i]]
    }
}

#[cfg(test)]
mod tests {
    use super::super::csv_split::Splitter;
    use super::*;

    /// Records (fields) of `data` as the `csv` crate reads them.
    fn csv_records(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data)
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    /// Records of `data` read block by block (`n` records each) through [`Records`].
    fn ours(data: &[u8], n: usize) -> Vec<Vec<Vec<u8>>> {
        let mut splitter = Splitter::new(
            Box::new(std::io::Cursor::new(data.to_vec())),
            "t".into(),
            b',',
        );
        let mut out = Vec::new();
        loop {
            let block = splitter.next_block(n, Vec::new()).unwrap();
            if block.records == 0 {
                return out;
            }
            let mut records = Records::new(&block, b',');
            let mut count = 0;
            while records.next_record().is_some() {
                out.push(
                    (0..records.n_fields())
                        .map(|i| records.field(i).to_vec())
                        .collect(),
                );
                count += 1;
            }
            assert_eq!(count, block.records, "{data:?}");
        }
    }

    #[test]
    fn fields_match_the_csv_crate_on_random_bytes() {
        let alphabet = b"ab,\"\n\r,1";
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..300 {
            let mut data: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            if len % 7 == 0 {
                data.splice(0..0, b"\xef\xbb\xbf".iter().copied());
            }
            if len % 11 == 0 {
                // A byte order mark later on is data.
                data.extend_from_slice(b"\n\xef\xbb\xbfx,y");
            }
            let expected = csv_records(&data);
            for n in [1, 3, 1000] {
                assert_eq!(ours(&data, n), expected, "{data:?} n={n}");
            }
        }
    }
}
