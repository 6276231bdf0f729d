//! Handler tables: where a function catches exceptions (exception
//! handling). Only a throw reads them, so code that does not throw pays
//! nothing for its `try_table` and `try` blocks.
//!
//! The table follows the ops of a function that has such blocks (the code
//! header says where): `[tries, clauses]` (counts), then [`TRY_WORDS`] words
//! per try block, in the order the blocks start (so a block comes after
//! every block that contains it, and the innermost block containing an op
//! is the last one that does), then [`CLAUSE_WORDS`] words per clause.
//!
//! A try: the range of its body (u32 word offsets from the code's start,
//! end excluded), its parent (the try an exception that no clause catches
//! goes to next: the enclosing one, for `delegate` the one of its label;
//! [`NONE`]: the caller), its kind (the number of its clauses, [`DELEGATE`],
//! or [`SKIP`]: a tail call, whose callee's exceptions are not this frame's
//! to catch) and its first clause.
//!
//! A clause: its tag (a module tag index; [`ALL`] for `catch_all`), its
//! target (a word offset; [`RETURN`]: the function's label, so a return),
//! the slot where the payload goes and the slot for the exception
//! reference ([`NO_SLOT`]: none).

/// Words per try block.
pub const TRY_WORDS: usize = 7;
/// Words per clause.
pub const CLAUSE_WORDS: usize = 6;
/// No parent: the exception leaves the function.
pub const NONE: u16 = u16::MAX;
/// The kind of a `try ... delegate l`.
pub const DELEGATE: u16 = u16::MAX;
/// The kind of a tail call's range.
pub const SKIP: u16 = u16::MAX - 1;
/// Most clauses (and tries) in one function.
pub const MAX_ENTRIES: usize = SKIP as usize - 1;
/// The tag of a `catch_all` clause.
pub const ALL: u32 = u32::MAX;
/// The target of a clause whose label is the function's.
pub const RETURN: u32 = u32::MAX;
/// No exception reference slot.
pub const NO_SLOT: u16 = u16::MAX;

/// A try block.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Try {
    pub start: u32,
    pub end: u32,
    pub parent: u16,
    pub kind: u16,
    pub first: u16,
}

/// A catch clause.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub tag: u32,
    pub target: u32,
    pub dst: u16,
    pub exn: u16,
}

/// Where the handler table of `code` starts, if it has one.
pub fn table_at(code: &[u16]) -> Option<usize> {
    let at = u32::from(*code.get(4)?) | u32::from(*code.get(5)?) << 16;
    (at != 0).then_some(at as usize)
}

fn u32_of(w: &[u16], at: usize) -> Option<u32> {
    Some(u32::from(*w.get(at)?) | u32::from(*w.get(at + 1)?) << 16)
}

/// Appends the table of `tries` and `clauses` to `code` and records it in
/// the header. Nothing when there are no tries.
pub fn write(code: &mut Vec<u16>, tries: &[Try], clauses: &[Clause]) {
    if tries.is_empty() {
        return;
    }
    let at = code.len() as u32;
    code[4] = at as u16;
    code[5] = (at >> 16) as u16;
    code.extend_from_slice(&[tries.len() as u16, clauses.len() as u16]);
    for t in tries {
        let w = [t.start as u16, (t.start >> 16) as u16, t.end as u16, (t.end >> 16) as u16, t.parent, t.kind, t.first];
        code.extend_from_slice(&w);
    }
    for c in clauses {
        code.extend_from_slice(&[c.tag as u16, (c.tag >> 16) as u16, c.target as u16, (c.target >> 16) as u16, c.dst, c.exn]);
    }
}

/// A function's handler table, read without trusting it: every read is
/// checked (a deserialized one is verified, but reading stays safe).
#[derive(Copy, Clone)]
pub struct Table<'a> {
    words: &'a [u16],
    tries: usize,
    clauses: usize,
}

impl<'a> Table<'a> {
    /// The table of `code`, if it has one.
    pub fn of(code: &'a [u16]) -> Option<Table<'a>> {
        let words = code.get(table_at(code)?..)?;
        let (tries, clauses) = (usize::from(*words.first()?), usize::from(*words.get(1)?));
        (words.len() == 2 + tries * TRY_WORDS + clauses * CLAUSE_WORDS).then_some(Table { words, tries, clauses })
    }

    /// Number of try blocks.
    pub fn tries(&self) -> usize {
        self.tries
    }

    /// Number of clauses.
    pub fn clauses(&self) -> usize {
        self.clauses
    }

    /// Try block `i`.
    pub fn try_at(&self, i: usize) -> Option<Try> {
        let at = 2 + i.checked_mul(TRY_WORDS)?;
        let w = self.words.get(at..at + TRY_WORDS)?;
        Some(Try { start: u32_of(w, 0)?, end: u32_of(w, 2)?, parent: w[4], kind: w[5], first: w[6] })
    }

    /// Clause `i`.
    pub fn clause(&self, i: usize) -> Option<Clause> {
        let at = 2 + self.tries * TRY_WORDS + i.checked_mul(CLAUSE_WORDS)?;
        let w = self.words.get(at..at + CLAUSE_WORDS)?;
        Some(Clause { tag: u32_of(w, 0)?, target: u32_of(w, 2)?, dst: w[4], exn: w[5] })
    }

    /// The innermost try block whose body contains word `pc`.
    pub fn innermost(&self, pc: u32) -> Option<usize> {
        (0..self.tries).rev().find(|&i| self.try_at(i).is_some_and(|t| t.start <= pc && pc < t.end))
    }
}
