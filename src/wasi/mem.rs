//! Checked access to guest memory. Every pointer and length comes from the
//! guest: each access is bounds-checked against the memory's current size
//! (with overflow-free arithmetic) and fails with `EFAULT`, so a bad pointer
//! can never reach host memory. Values are little-endian, as in wasm.

use super::errno::Errno;

/// A guest memory (empty when the module exports none: every access faults).
pub struct Mem<'a>(pub &'a mut [u8]);

impl Mem<'_> {
    /// The range `ptr..ptr+len`, or `EFAULT`.
    fn range(&self, ptr: u32, len: u64) -> Result<std::ops::Range<usize>, Errno> {
        let start = ptr as u64;
        let end = start.checked_add(len).ok_or(Errno::FAULT)?;
        if end > self.0.len() as u64 {
            return Err(Errno::FAULT);
        }
        Ok(start as usize..end as usize)
    }

    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let r = self.range(ptr, len as u64)?;
        Ok(&self.0[r])
    }

    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let r = self.range(ptr, len as u64)?;
        Ok(&mut self.0[r])
    }

    /// Checks that `count` records of `size` bytes at `ptr` are in bounds
    /// (before allocating anything for them).
    pub fn check_array(&self, ptr: u32, count: u32, size: u32) -> Result<(), Errno> {
        self.range(ptr, count as u64 * size as u64).map(|_| ())
    }

    pub fn read<const N: usize>(&self, ptr: u32) -> Result<[u8; N], Errno> {
        let r = self.range(ptr, N as u64)?;
        let mut b = [0; N];
        b.copy_from_slice(&self.0[r]);
        Ok(b)
    }

    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Errno> {
        let r = self.range(ptr, bytes.len() as u64)?;
        self.0[r].copy_from_slice(bytes);
        Ok(())
    }

    pub fn u8(&self, ptr: u32) -> Result<u8, Errno> {
        Ok(self.read::<1>(ptr)?[0])
    }
    pub fn u16(&self, ptr: u32) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.read(ptr)?))
    }
    pub fn u32(&self, ptr: u32) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.read(ptr)?))
    }
    pub fn u64(&self, ptr: u32) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.read(ptr)?))
    }
    pub fn set_u8(&mut self, ptr: u32, v: u8) -> Result<(), Errno> {
        self.write(ptr, &[v])
    }
    pub fn set_u16(&mut self, ptr: u32, v: u16) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn set_u32(&mut self, ptr: u32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn set_u64(&mut self, ptr: u32, v: u64) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// The `(buf, len)` pairs of an iovec/ciovec array, each checked.
    pub fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        self.check_array(ptr, count, 8)?;
        let mut v = Vec::with_capacity(count as usize);
        for i in 0..count {
            let (buf, len) = (self.u32(ptr + 8 * i)?, self.u32(ptr + 8 * i + 4)?);
            self.range(buf, len as u64)?;
            v.push((buf, len));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let mut buf = [0u8; 16];
        let mut m = Mem(&mut buf);
        m.set_u32(12, 0xdead_beef).unwrap();
        assert_eq!(m.u32(12), Ok(0xdead_beef));
        assert_eq!(m.u32(13), Err(Errno::FAULT));
        assert_eq!(m.u64(u32::MAX), Err(Errno::FAULT));
        assert_eq!(m.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(m.slice(10, u32::MAX).err(), Some(Errno::FAULT));
        assert_eq!(m.check_array(0, u32::MAX, 8), Err(Errno::FAULT));
        // An iovec pointing outside memory faults before anything is read.
        m.set_u32(0, 8).unwrap();
        m.set_u32(4, 100).unwrap();
        assert_eq!(m.iovecs(0, 1), Err(Errno::FAULT));
        let mut empty: [u8; 0] = [];
        assert_eq!(Mem(&mut empty).u8(0), Err(Errno::FAULT));
    }
}
