//! The type section (spec 3.0 3.2.9-3.2.11): recursion groups, declared
//! subtypes, and type equivalence by iso-recursive canonicalisation.
//!
//! Two types are the same when their recursion groups have the same form
//! and they sit at the same place in it. A group's form replaces each type
//! it names inside the group by a marker ([`SELF_TYPE`] minus the place)
//! and each type before the group by that type's canonical index (here:
//! the first equivalent type of the module; in a store: its type id), so
//! equal forms mean equivalent groups.

use std::collections::HashMap;

use super::{err, SELF_TYPE};
use crate::error::Result;
use crate::syntax::*;

/// A recursion group's canonical form: each type's definition and
/// signature, with the types they name replaced as the module doc says.
pub(crate) type GroupForm = Box<[(SubType, FuncType)]>;

/// The form of group `(s, n)` of `m`, `map` giving the canonical index of
/// an earlier type (`None`: unknown, which validation rejects first).
pub(crate) fn group_form(m: &Module, s: u32, n: u32, map: impl Fn(u32) -> Option<u32>) -> GroupForm {
    let f = |j: u32| if j >= s && j - s < n { SELF_TYPE - (j - s) } else { map(j).unwrap_or(SELF_TYPE - n) };
    let val = |t: &ValType| match *t {
        ValType::Ref(RefType { nullable, heap: HeapType::Concrete(j) }) => ValType::Ref(RefType { nullable, heap: HeapType::Concrete(f(j)) }),
        t => t,
    };
    (s..s + n)
        .map(|i| {
            let mut d = m.def(i).cloned().unwrap_or_default();
            d.refs_mut(|j| *j = f(*j));
            let ft = m.types.get(i as usize).map_or_else(FuncType::default, |t| {
                FuncType::new(t.params.iter().map(val).collect::<Vec<_>>(), t.results.iter().map(val).collect::<Vec<_>>())
            });
            (d, ft)
        })
        .collect()
}

/// What validation knows about a module's types (a [`TypeLookup`]).
#[derive(Debug, Default)]
pub struct TypeInfo {
    /// The first index of an equivalent type, for each type.
    pub canon: Vec<u32>,
    kinds: Vec<Kind>,
    /// Each type's supertypes by canonical index, root first, itself last.
    chains: Vec<Box<[u32]>>,
}

impl TypeLookup for TypeInfo {
    fn kind(&self, i: u32) -> Option<Kind> {
        self.kinds.get(i as usize).copied()
    }
    fn sub(&self, a: u32, b: u32) -> bool {
        let (Some(ca), Some(chain_b)) = (self.canon.get(a as usize), self.chains.get(b as usize)) else { return false };
        let cb = self.canon[b as usize];
        *ca == cb || self.chains[a as usize].get(chain_b.len() - 1) == Some(&cb)
    }
}

/// Most declared supertypes above a type (spec 3.0 A.1, and the
/// reference's limit).
const MAX_SUBTYPE_DEPTH: usize = 63;

/// Checks the type section and computes the equivalence and subtyping
/// of its types.
pub(crate) fn check_types(m: &Module, offset: usize) -> Result<TypeInfo> {
    let n = m.types.len();
    let mut info = TypeInfo { canon: Vec::with_capacity(n), kinds: Vec::with_capacity(n), chains: Vec::with_capacity(n) };
    let mut first: HashMap<GroupForm, u32> = HashMap::new();
    let groups: Vec<(u32, u32)> = if m.groups.is_empty() { (0..n as u32).map(|i| (i, 1)).collect() } else { m.groups.clone() };
    for (s, len) in groups {
        // Groups tile the types in order (the decoder's always do).
        if s as usize != info.canon.len() || (s as usize).saturating_add(len as usize) > n {
            return err("malformed recursion groups", offset);
        }
        let end = s + len;
        // Every type named must exist by the end of the group.
        for i in s..end {
            let mut bad = None;
            let mut d = m.def(i).cloned().unwrap_or_default();
            d.refs_mut(|j| {
                if *j >= end {
                    bad.get_or_insert(*j);
                }
            });
            let ft = &m.types[i as usize];
            if ft.params.len() > super::MAX_FUNC_ARITY || ft.results.len() > super::MAX_FUNC_ARITY {
                return err("function type has too many parameters or results (implementation limit)", offset);
            }
            for t in ft.params.iter().chain(ft.results.iter()) {
                if let ValType::Ref(RefType { heap: HeapType::Concrete(j), .. }) = *t {
                    if j >= end {
                        bad.get_or_insert(j);
                    }
                }
            }
            if let Some(j) = bad {
                return err(format!("unknown type {j}"), offset);
            }
            if let Some(sup) = d.sup {
                if sup >= i {
                    return err(format!("unknown type {sup}"), offset);
                }
            }
            info.kinds.push(d.comp.kind());
        }
        let form = group_form(m, s, len, |j| info.canon.get(j as usize).copied());
        let c = *first.entry(form).or_insert(s);
        for i in s..end {
            info.canon.push(c + (i - s));
            let d = m.def(i).cloned().unwrap_or_default();
            let mut chain: Vec<u32> = match d.sup {
                Some(sup) => info.chains[sup as usize].to_vec(),
                None => Vec::new(),
            };
            if chain.len() > MAX_SUBTYPE_DEPTH {
                return err("sub type hierarchy too deep", offset);
            }
            chain.push(c + (i - s));
            info.chains.push(chain.into());
        }
        // With the whole group known, each declared supertype must be open
        // and match.
        for i in s..end {
            let d = m.def(i).cloned().unwrap_or_default();
            if let Some(sup) = d.sup {
                let sd = m.def(sup).cloned().unwrap_or_default();
                if sd.is_final || !comp_matches(m, &info, i, &d.comp, sup, &sd.comp) {
                    return err(format!("sub type {i} does not match super type {sup}"), offset);
                }
            }
        }
    }
    if info.canon.len() != n {
        return err("malformed recursion groups", offset);
    }
    Ok(info)
}

/// Does composite type `a` (of type `ia`) match `b` (of type `ib`)
/// structurally (spec 3.0 3.3.x "Composite types")?
fn comp_matches(m: &Module, t: &impl TypeLookup, ia: u32, a: &CompType, ib: u32, b: &CompType) -> bool {
    let val = |x: ValType, y: ValType| val_matches(x, y, t);
    match (a, b) {
        (CompType::Func, CompType::Func) => {
            let (fa, fb) = (&m.types[ia as usize], &m.types[ib as usize]);
            fa.params.len() == fb.params.len()
                && fa.results.len() == fb.results.len()
                && fb.params.iter().zip(fa.params.iter()).all(|(&x, &y)| val(x, y))
                && fa.results.iter().zip(fb.results.iter()).all(|(&x, &y)| val(x, y))
        }
        (CompType::Struct(fa), CompType::Struct(fb)) => {
            fa.len() >= fb.len() && fa.iter().zip(fb.iter()).all(|(x, y)| field_matches(*x, *y, t))
        }
        (CompType::Array(x), CompType::Array(y)) => field_matches(*x, *y, t),
        _ => false,
    }
}

/// Field subtyping: the same mutability; an immutable field may be
/// narrower, a mutable one must be the same both ways.
pub(crate) fn field_matches(a: FieldType, b: FieldType, t: &impl TypeLookup) -> bool {
    let st = |x: StorageType, y: StorageType| match (x, y) {
        (StorageType::Val(x), StorageType::Val(y)) => val_matches(x, y, t),
        (x, y) => x == y,
    };
    a.mutable == b.mutable && st(a.storage, b.storage) && (!a.mutable || st(b.storage, a.storage))
}
