//! The records of one [`RawBlock`], parsed by the `csv` crate's state machine (`csv-core`),
//! each with the physical line of the input on which it starts.

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
    /// The current record's field bytes, and the end of each field in them.
    fields: Vec<u8>,
    ends: Vec<usize>,
    n_fields: usize,
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
            counted: 0,
            line: block.first_line,
            after_cr: block.after_cr,
        }
    }

    /// Parse the next record; the physical line on which it starts, `None` after the last.
    pub fn next_record(&mut self) -> Option<u64> {
        let begin = self.pos;
        let (mut n_out, mut n_ends) = (0, 0);
        loop {
            // The parser drops a byte order mark from the first input it is given when that
            // has three bytes or more; the splitter already dropped the stream's, so the
            // first call sees at most two bytes.
            let end = if self.first_call {
                self.bytes.len().min(2)
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
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return None,
            }
        }
        self.n_fields = n_ends;
        // The record starts after the line breaks the parser skipped (blank lines, the `\n`
        // of a `\r\n`).
        let skipped = self.bytes[begin..]
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        let start = begin + skipped;
        self.line += count_breaks(&self.bytes[self.counted..start], self.after_cr);
        if start > self.counted {
            self.after_cr = self.bytes[start - 1] == b'\r';
        }
        self.counted = start;
        Some(self.line)
    }

    /// Fields of the current record.
    pub fn n_fields(&self) -> usize {
        self.n_fields
    }

    /// Field `i` of the current record.
    pub fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.fields[start..self.ends[i]]
    }
}
