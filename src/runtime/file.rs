//! Modules read from a file without their big data segments' contents.
//!
//! [`Module::from_file`] reads the file into a buffer of its size but for
//! the contents of large active data segments, which stay a hole of zeros
//! (a zeroed allocation of that size is lazily committed, so the hole
//! costs no memory). Instantiation reads those contents from the file
//! straight into linear memory (`pread`), so a module with a 100 MiB
//! segment does not hold 100 MiB itself next to its memory's copy.
//!
//! Where the holes are is found by a small scan of the section headers;
//! what the decoder then makes of the bytes decides: unless every hole is
//! exactly the contents of an active data segment of the decoded module
//! (contents the decoder never interprets), or if decoding or validation
//! fails, the file is read whole and decoded as by [`Module::from_vec`],
//! so results and errors are the same. The file stays open: if it shrinks
//! later, instantiation fails with an error; changed bytes change only the
//! data written.

use std::fs::File;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

#[cfg(unix)]
use std::os::unix::fs::FileExt;

use super::store::{Data, Module};
use crate::error::{Error, Result};
use crate::syntax::DataMode;

/// Active segments from this size on are left out of the buffer.
const MIN_HOLE: usize = 1 << 20;

/// Where some of a data segment's contents are: a file range.
#[derive(Clone, Debug)]
pub(crate) struct FileRange {
    pub(crate) file: Arc<File>,
    pub(crate) offset: u64,
    pub(crate) len: usize,
}

impl FileRange {
    /// Reads the contents into `dst` (exactly `len` bytes).
    pub(crate) fn read_into(&self, dst: &mut [u8]) -> std::io::Result<()> {
        read_at(&self.file, dst, self.offset)
    }
}

#[cfg(unix)]
fn read_at(file: &File, dst: &mut [u8], offset: u64) -> std::io::Result<()> {
    file.read_exact_at(dst, offset)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, dst: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(dst)
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Usage(format!("cannot read {}: {e}", path.display()))
}

impl Module {
    /// [`Module::from_vec`] of a binary module file, keeping neither in
    /// memory the contents of its large active data segments (read from
    /// the file, which stays open, at each instantiation) nor anything
    /// else twice.
    ///
    /// # Errors
    /// [`Error::Usage`] if the file cannot be read; else as
    /// [`Module::new`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| io_error(path, e))?;
        let meta = file.metadata().map_err(|e| io_error(path, e))?;
        if !meta.is_file() {
            // A pipe or device: read as a stream.
            return Module::from_vec(std::fs::read(path).map_err(|e| io_error(path, e))?);
        }
        let len = meta.len();
        let len = usize::try_from(len).map_err(|_| Error::Usage(format!("{} is too large", path.display())))?;
        let holes = Scan { file: &file, len, window: Vec::new(), start: 0 }.holes();
        let mut bytes = vec![0u8; len];
        let mut at = 0;
        for h in holes.iter().chain(std::iter::once(&(len..len))) {
            read_at(&file, &mut bytes[at..h.start], at as u64).map_err(|e| io_error(path, e))?;
            at = h.end;
        }
        if holes.is_empty() {
            return Module::from_vec(bytes);
        }
        match Self::with_holes(bytes, &holes, Arc::new(file)) {
            Some(m) => Ok(m),
            None => Module::from_vec(std::fs::read(path).map_err(|e| io_error(path, e))?),
        }
    }

    /// The module of `bytes` with `holes` in place of contents in `file`,
    /// if it decodes and validates and the holes are exactly contents of
    /// active data segments.
    fn with_holes(bytes: Vec<u8>, holes: &[Range<usize>], file: Arc<File>) -> Option<Module> {
        let syntax = crate::binary::decode_lazy(bytes.into(), Default::default()).ok()?;
        crate::validate::validate(&syntax).ok()?;
        let mut datas: Vec<Data> = Vec::with_capacity(syntax.datas.len());
        let mut filled = 0;
        for d in &syntax.datas {
            let hole = holes.iter().find(|h| **h == d.init);
            datas.push(match (hole, &d.mode) {
                (Some(h), DataMode::Active { .. }) => {
                    filled += 1;
                    let at = FileRange { file: Arc::clone(&file), offset: h.start as u64, len: h.len() };
                    Data::from_file(syntax.bytes.clone(), at)
                }
                (None, _) => Data::new(syntax.bytes.clone(), d.init.clone()),
                (Some(_), DataMode::Passive) => return None,
            });
        }
        if filled != holes.len() {
            return None;
        }
        Module::with_datas(syntax, datas).ok()
    }
}

/// A reader of the file's section headers through a small window.
struct Scan<'a> {
    file: &'a File,
    len: usize,
    window: Vec<u8>,
    /// File offset of `window[0]`.
    start: usize,
}

impl Scan<'_> {
    const WINDOW: usize = 64 << 10;

    fn byte(&mut self, at: &mut usize) -> Option<u8> {
        if *at < self.start || *at >= self.start + self.window.len() {
            let n = Self::WINDOW.min(self.len.checked_sub(*at)?);
            self.window.resize(n, 0);
            read_at(self.file, &mut self.window, *at as u64).ok()?;
            self.start = *at;
        }
        let b = *self.window.get(*at - self.start)?;
        *at += 1;
        Some(b)
    }

    fn leb(&mut self, at: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte(at)?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    /// The contents of the large active data segments, in order; none
    /// past anything not understood (the decoder has the last word).
    fn holes(mut self) -> Vec<Range<usize>> {
        let mut holes = Vec::new();
        if self.len < 8 {
            return holes;
        }
        let mut at = 8;
        while at < self.len {
            let Some(id) = self.byte(&mut at) else { break };
            let Some(size) = self.leb(&mut at).and_then(|s| usize::try_from(s).ok()) else { break };
            let Some(end) = at.checked_add(size).filter(|&e| e <= self.len) else { break };
            if id == 11 {
                self.data_section(at, &mut holes);
                break;
            }
            at = end;
        }
        holes
    }

    fn data_section(&mut self, mut at: usize, holes: &mut Vec<Range<usize>>) -> Option<()> {
        let n = self.leb(&mut at)?;
        for _ in 0..n {
            let active = match self.leb(&mut at)? {
                0 => true,
                1 => false,
                2 => {
                    self.leb(&mut at)?;
                    true
                }
                _ => return None,
            };
            if active {
                self.const_expr(&mut at)?;
            }
            let len = usize::try_from(self.leb(&mut at)?).ok()?;
            let end = at.checked_add(len).filter(|&e| e <= self.len)?;
            if active && len >= MIN_HOLE {
                holes.push(at..end);
            }
            at = end;
        }
        Some(())
    }

    fn const_expr(&mut self, at: &mut usize) -> Option<()> {
        loop {
            match self.byte(at)? {
                0x0b => return Some(()),
                0x41 | 0x42 | 0x23 | 0xd2 => drop(self.leb(at)?),
                0x43 => *at += 4,
                0x44 => *at += 8,
                0xd0 => *at += 1,
                _ => return None,
            }
        }
    }
}
