//! Bytes, LEB128 integers, names and types (spec 5.1–5.3).
//!
//! Like the reference interpreter, a [`Reader`] is one cursor over the whole
//! module: a section or function body is not read from a sub-slice, its
//! declared size is checked after the fact ("section size mismatch"). This
//! keeps the suite's error wording exact, e.g. a body missing its `end` reads
//! on into the next bytes. Every vector length is checked against the bytes
//! left before anything is allocated, and preallocation is capped (see
//! [`prealloc`]), so hostile counts cannot reserve memory the input lacks.

use crate::error::{Error, Result};
use crate::syntax::{Features, GlobalType, HeapType, Limits, MemType, RefType, TableType, ValType};

/// Most bytes a vector is preallocated with before its elements are read.
/// A length is already at most the bytes left, but elements are bigger in
/// memory than on the wire (an import is ~100 bytes), so a bogus count could
/// still reserve many times the input size; beyond this the vector grows only
/// as elements actually decode.
const MAX_PREALLOC_BYTES: usize = 1 << 20;

/// An empty vector with room for `n` elements, capped at
/// [`MAX_PREALLOC_BYTES`].
#[inline]
pub(crate) fn prealloc<T>(n: usize) -> Vec<T> {
    Vec::with_capacity(n.min(MAX_PREALLOC_BYTES / std::mem::size_of::<T>().max(1)))
}

/// Reading past the end of the input.
pub(crate) const UNEXPECTED_END: &str = "unexpected end of section or function";

/// A cursor over a byte slice. Offsets in errors are `base + pos`, so a reader
/// over a custom section's contents still reports module offsets.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    /// The features the module is decoded with.
    pub features: Features,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0, base: 0, features: Features::default() }
    }

    /// A reader over `bytes`, which start at module offset `base`.
    pub fn with_base(bytes: &'a [u8], base: usize) -> Self {
        Reader { bytes, pos: 0, base, features: Features::default() }
    }

    /// Position within this reader's bytes.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Module offset of the current position.
    #[inline]
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Moves to position `pos` (at most the end).
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.bytes.len());
    }

    #[inline]
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    #[inline]
    pub fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// An error at position `pos` of this reader.
    #[cold]
    pub fn error_at(&self, pos: usize, message: impl Into<String>) -> Error {
        Error::decode(message, self.base + pos)
    }

    /// An error at the current position.
    #[cold]
    pub fn error(&self, message: impl Into<String>) -> Error {
        self.error_at(self.pos, message)
    }

    #[cold]
    fn eof(&self) -> Error {
        self.error_at(self.bytes.len(), UNEXPECTED_END)
    }

    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    pub fn u8(&mut self) -> Result<u8> {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.eof()),
        }
    }

    /// The next `n` bytes.
    #[inline]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.eof());
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// A fixed-width little-endian u32 (header fields, `f32.const`).
    #[inline]
    pub fn u32_le(&mut self) -> Result<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A fixed-width little-endian u64 (`f64.const`).
    #[inline]
    pub fn u64_le(&mut self) -> Result<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    // ---- LEB128 (spec 5.2.2) ----
    //
    // The checks follow the reference interpreter byte by byte: a byte beyond
    // the last allowed one is "integer representation too long"; unused bits
    // of the last allowed byte that are not a zero (unsigned) or sign
    // (signed) extension are "integer too large".

    /// An unsigned LEB128 integer of at most `bits` bits.
    fn leb_u(&mut self, bits: u32) -> Result<u64> {
        let mut result = 0u64;
        let mut shift = 0u32;
        loop {
            let left = bits as i32 - shift as i32;
            if left <= 0 {
                return Err(self.error("integer representation too long"));
            }
            let b = self.u8()?;
            if left < 7 && u32::from(b & 0x7f) >= 1 << left {
                return Err(self.error_at(self.pos - 1, "integer too large"));
            }
            result |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// A signed LEB128 integer of at most `bits` bits, sign-extended.
    fn leb_s(&mut self, bits: u32) -> Result<i64> {
        let mut result = 0i64;
        let mut shift = 0u32;
        loop {
            let left = bits as i32 - shift as i32;
            if left <= 0 {
                return Err(self.error("integer representation too long"));
            }
            let b = self.u8()?;
            if left < 7 {
                // Bits of this byte above the value's sign bit must all equal it.
                let mask = ((-1i32 << (left - 1)) & 0x7f) as u8;
                let high = b & mask;
                if high != 0 && high != mask {
                    return Err(self.error_at(self.pos - 1, "integer too large"));
                }
            }
            result |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    result |= -1i64 << shift;
                }
                return Ok(result);
            }
        }
    }

    #[inline]
    pub fn u32(&mut self) -> Result<u32> {
        // Fast paths: most indices and counts take one or two bytes (which
        // cannot be too large or too long).
        match self.bytes.get(self.pos..) {
            Some(&[b, ..]) if b & 0x80 == 0 => {
                self.pos += 1;
                Ok(u32::from(b))
            }
            Some(&[b, c, ..]) if c & 0x80 == 0 => {
                self.pos += 2;
                Ok(u32::from(b & 0x7f) | u32::from(c) << 7)
            }
            _ => Ok(self.leb_u(32)? as u32),
        }
    }

    /// A signed LEB128 of one or two bytes, sign-extended, with its length.
    #[inline]
    fn short_s(&self) -> Option<(i64, usize)> {
        match self.bytes.get(self.pos..) {
            Some(&[b, ..]) if b & 0x80 == 0 => Some((i64::from((b << 1) as i8 >> 1), 1)),
            Some(&[b, c, ..]) if c & 0x80 == 0 => {
                let v = i64::from(b & 0x7f) | i64::from(c) << 7;
                Some(((v << 50) >> 50, 2))
            }
            _ => None,
        }
    }

    #[inline]
    pub fn s32(&mut self) -> Result<i32> {
        if let Some((v, n)) = self.short_s() {
            self.pos += n;
            return Ok(v as i32);
        }
        Ok(self.leb_s(32)? as i32)
    }

    /// A signed 33-bit integer (block type indices).
    pub fn s33(&mut self) -> Result<i64> {
        self.leb_s(33)
    }

    #[inline]
    pub fn s64(&mut self) -> Result<i64> {
        if let Some((v, n)) = self.short_s() {
            self.pos += n;
            return Ok(v);
        }
        self.leb_s(64)
    }

    /// An unsigned 64-bit integer (memarg offsets of 3.0).
    pub fn u64(&mut self) -> Result<u64> {
        self.leb_u(64)
    }

    /// A length (vector count, section or string size): a u32 that must not
    /// exceed the bytes left, since each element takes at least one byte.
    /// This is what bounds every preallocation by the input size.
    #[inline]
    pub fn len(&mut self) -> Result<usize> {
        let start = self.pos;
        let n = self.u32()? as usize;
        if n > self.bytes.len() - start {
            return Err(self.error_at(start, "length out of bounds"));
        }
        Ok(n)
    }

    /// A name: a length-prefixed UTF-8 string (spec 5.2.4).
    pub fn name(&mut self) -> Result<&'a str> {
        let start = self.pos;
        let n = self.len()?;
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map_err(|_| self.error_at(start, "malformed UTF-8 encoding"))
    }

    // ---- Types (spec 5.3) ----

    /// A value type. Bytes are classified like the reference interpreter so
    /// the messages match: number-type range, vector-type range, else a
    /// reference type.
    pub fn val_type(&mut self) -> Result<ValType> {
        let start = self.pos;
        let b = self.u8()?;
        match ValType::from_byte(b) {
            Some(ValType::Ref(r)) if !self.allows(r.heap) => return Err(self.error_at(start, "malformed reference type")),
            Some(t) => return Ok(t),
            None => {}
        }
        Err(match b {
            0x63 | 0x64 if self.features.function_references => {
                return Ok(ValType::Ref(RefType { nullable: b == 0x63, heap: self.heap_type()? }));
            }
            // A continuation bit: a 7-bit signed LEB that is too long.
            0x80.. => self.error_at(self.pos, "integer representation too long"),
            0x71..=0x7a => self.error_at(start, "malformed vector type"),
            _ => self.error_at(start, "malformed reference type"),
        })
    }

    /// A reference type: a shorthand byte, or (typed function references)
    /// `0x63`/`0x64` and a heap type.
    pub fn ref_type(&mut self) -> Result<RefType> {
        let start = self.pos;
        match self.u8()? {
            b @ (0x63 | 0x64) if self.features.function_references => {
                Ok(RefType { nullable: b == 0x63, heap: self.heap_type()? })
            }
            b => match RefType::from_byte(b) {
                Some(r) if self.allows(r.heap) => Ok(r),
                _ if b >= 0x80 => Err(self.error_at(self.pos, "integer representation too long")),
                _ => Err(self.error_at(start, "malformed reference type")),
            },
        }
    }

    /// Whether the enabled features have heap type `h`: 2.0 knows `func`
    /// and `extern` only.
    fn allows(&self, h: HeapType) -> bool {
        match h {
            HeapType::Func | HeapType::Extern => true,
            HeapType::Exn | HeapType::NoExn => self.features.exceptions,
            h if h.is_internal() => self.features.gc,
            _ => self.features.function_references,
        }
    }

    /// A heap type (spec 3.0 5.3.4): an abstract one's byte (a negative
    /// s33), else a type index (a non-negative s33). 2.0 knows `func` and
    /// `extern` only.
    pub fn heap_type(&mut self) -> Result<HeapType> {
        let start = self.pos;
        match self.peek() {
            Some(b) if b & 0xc0 == 0x40 => {
                self.u8()?;
                match HeapType::from_byte(b) {
                    Some(h) if self.allows(h) => Ok(h),
                    _ => Err(self.error_at(start, "malformed reference type")),
                }
            }
            _ if !self.features.function_references => {
                let b = self.u8()?;
                Err(if b >= 0x80 {
                    self.error_at(self.pos, "integer representation too long")
                } else {
                    self.error_at(start, "malformed reference type")
                })
            }
            _ => {
                let i = self.s33()?;
                // Indices beyond u32 are unknown types to validation.
                u32::try_from(i).map(HeapType::Concrete).map_err(|_| self.error_at(start, "malformed reference type"))
            }
        }
    }

    pub fn limits(&mut self) -> Result<Limits> {
        // The flag is a 1-bit unsigned LEB128.
        let has_max = self.leb_u(1)? == 1;
        let min = self.u32()?;
        let max = if has_max { Some(self.u32()?) } else { None };
        Ok(Limits { min: u64::from(min), max: max.map(u64::from) })
    }

    /// Limits of a memory (`mem`) or table, and whether they are 64-bit:
    /// with memory64 (3.0) the flags are a byte, bit 0 a maximum, bit 2 a
    /// 64-bit type (bit 1, shared memories, is the threads proposal's).
    /// With custom page sizes, bit 3 announces a page size (its log2,
    /// after the limits). Limits (3.0 5.3.6) are read as u64 whatever the
    /// address type (validation bounds them).
    fn limits_of(&mut self, mem: bool) -> Result<(Limits, bool, u32)> {
        if !self.features.memory64 {
            return Ok((self.limits()?, false, 16));
        }
        let start = self.pos;
        let flags = self.u8()?;
        let custom = flags & 8 != 0 && mem && self.features.custom_page_sizes;
        if flags >= 16 || flags & 2 != 0 || (flags & 8 != 0 && !custom) {
            return Err(self.error_at(start, "malformed limits flags"));
        }
        let is64 = flags & 4 != 0;
        // 3.0 reads all limits as u64 (validation bounds them).
        let min = self.u64()?;
        let max = if flags & 1 != 0 { Some(self.u64()?) } else { None };
        let at = self.pos;
        let page_log2 = if custom { self.u32()? } else { 16 };
        // A page size that does not fit in a u64 is malformed; other sizes
        // than 1 and 64 KiB are invalid (validation).
        if page_log2 >= 64 {
            return Err(self.error_at(at, "invalid custom page size"));
        }
        Ok((Limits { min, max }, is64, page_log2))
    }

    pub fn table_type(&mut self) -> Result<TableType> {
        let elem = self.ref_type()?;
        let (limits, is64, _) = self.limits_of(false)?;
        Ok(TableType { elem, limits, is64 })
    }

    pub fn mem_type(&mut self) -> Result<MemType> {
        let (limits, is64, page_log2) = self.limits_of(true)?;
        Ok(MemType { limits, is64, page_log2 })
    }

    pub fn global_type(&mut self) -> Result<GlobalType> {
        let val = self.val_type()?;
        let start = self.pos;
        let mutable = match self.u8()? {
            0 => false,
            1 => true,
            _ => return Err(self.error_at(start, "malformed mutability")),
        };
        Ok(GlobalType { val, mutable })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().message()
    }

    #[test]
    fn u32_edges() {
        assert_eq!(Reader::new(&[0x00]).u32().unwrap(), 0);
        assert_eq!(Reader::new(&[0x7f]).u32().unwrap(), 127);
        assert_eq!(Reader::new(&[0x80, 0x01]).u32().unwrap(), 128);
        assert_eq!(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f]).u32().unwrap(), u32::MAX);
        // Over-long but in range is fine: padding with 0x80 up to 5 bytes.
        assert_eq!(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x00]).u32().unwrap(), 0);
        assert_eq!(msg(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x1f]).u32()), "integer too large");
        assert_eq!(msg(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x70]).u32()), "integer too large");
        assert_eq!(msg(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32()), "integer representation too long");
        assert_eq!(msg(Reader::new(&[0x80, 0x80]).u32()), UNEXPECTED_END);
        assert_eq!(msg(Reader::new(&[]).u32()), UNEXPECTED_END);
    }

    #[test]
    fn two_byte_forms() {
        for v in [0u32, 1, 63, 64, 127, 128, 300, 8191, 8192, 16383] {
            let mut b = vec![];
            let mut x = v;
            loop {
                let byte = (x & 0x7f) as u8;
                x >>= 7;
                b.push(byte | if x != 0 { 0x80 } else { 0 });
                if x == 0 {
                    break;
                }
            }
            assert_eq!(Reader::new(&b).u32().unwrap(), v);
        }
        for v in [-8192i32, -8191, -129, -128, -65, -64, -1, 0, 63, 64, 127, 128, 8191] {
            let mut b = vec![];
            let mut x = v;
            loop {
                let byte = (x & 0x7f) as u8;
                x >>= 7;
                let done = (x == 0 && byte & 0x40 == 0) || (x == -1 && byte & 0x40 != 0);
                b.push(byte | if done { 0 } else { 0x80 });
                if done {
                    break;
                }
            }
            assert_eq!(Reader::new(&b).s32().unwrap(), v, "{b:02x?}");
            assert_eq!(Reader::new(&b).s64().unwrap(), i64::from(v), "{b:02x?}");
        }
        // Padded forms: 0x80 0x00 is 0, 0xff 0x7f is -1.
        assert_eq!(Reader::new(&[0x80, 0x00]).u32().unwrap(), 0);
        assert_eq!(Reader::new(&[0xff, 0x7f]).s32().unwrap(), -1);
        assert_eq!(Reader::new(&[0x80, 0x7f]).s64().unwrap(), -128);
    }

    #[test]
    fn s32_edges() {
        assert_eq!(Reader::new(&[0x7f]).s32().unwrap(), -1);
        assert_eq!(Reader::new(&[0x3f]).s32().unwrap(), 63);
        assert_eq!(Reader::new(&[0x40]).s32().unwrap(), -64);
        assert_eq!(Reader::new(&[0xc0, 0x00]).s32().unwrap(), 64);
        assert_eq!(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x78]).s32().unwrap(), i32::MIN);
        assert_eq!(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x07]).s32().unwrap(), i32::MAX);
        assert_eq!(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x7f]).s32().unwrap(), -1);
        assert_eq!(msg(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f]).s32()), "integer too large");
        assert_eq!(msg(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x70]).s32()), "integer too large");
        assert_eq!(msg(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).s32()), "integer representation too long");
    }

    #[test]
    fn s64_and_s33_edges() {
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert_eq!(Reader::new(&max).s64().unwrap(), i64::MAX);
        let min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
        assert_eq!(Reader::new(&min).s64().unwrap(), i64::MIN);
        let bad = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        assert_eq!(msg(Reader::new(&bad).s64()), "integer too large");
        let long = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert_eq!(msg(Reader::new(&long).s64()), "integer representation too long");
        // s33: 2^32 - 1 fits, 2^32 does not.
        assert_eq!(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x0f]).s33().unwrap(), 0xffff_ffff);
        assert_eq!(msg(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x10]).s33()), "integer too large");
        assert_eq!(Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x70]).s33().unwrap(), -(1 << 32));
    }

    #[test]
    fn lengths_and_names() {
        assert_eq!(msg(Reader::new(&[0x05, 1, 2]).len()), "length out of bounds");
        assert_eq!(Reader::new(&[0x02, b'h', b'i']).name().unwrap(), "hi");
        assert_eq!(msg(Reader::new(&[0x01, 0xff]).name()), "malformed UTF-8 encoding");
        // Surrogates are not scalar values.
        assert_eq!(msg(Reader::new(&[0x03, 0xed, 0xa0, 0x80]).name()), "malformed UTF-8 encoding");
    }

    #[test]
    fn types() {
        assert_eq!(Reader::new(&[0x7b]).val_type().unwrap(), ValType::V128);
        assert_eq!(msg(Reader::new(&[0x7a]).val_type()), "malformed vector type");
        assert_eq!(msg(Reader::new(&[0x40]).val_type()), "malformed reference type");
        assert_eq!(msg(Reader::new(&[0x7f]).ref_type()), "malformed reference type");
        assert_eq!(msg(Reader::new(&[0x7f, 0x02]).global_type()), "malformed mutability");
        let l = Reader::new(&[0x01, 0x02, 0x03]).limits().unwrap();
        assert_eq!(l, Limits { min: 2, max: Some(3) });
        assert_eq!(msg(Reader::new(&[0x02, 0x00]).limits()), "integer too large");
        assert_eq!(msg(Reader::new(&[0x81, 0x00, 0x00]).limits()), "integer representation too long");
    }
}
