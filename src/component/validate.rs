//! Component validation, the part done before instantiation: every index
//! names an existing entry of its index space (outer aliases included),
//! canonical options name the right sorts, names are not exported twice.
//! Type checking of `canon lift`/`lower` against core signatures, of
//! imports against what is given and of aliases against what instances
//! export happens at instantiation, where the types are resolved.

use std::collections::HashSet;

use super::ast::*;
use crate::{Error, Result};

#[derive(Default, Clone)]
struct Counts {
    core_func: u32,
    core_table: u32,
    core_memory: u32,
    core_global: u32,
    core_tag: u32,
    core_type: u32,
    core_module: u32,
    core_instance: u32,
    func: u32,
    value: u32,
    ty: u32,
    component: u32,
    instance: u32,
}

impl Counts {
    fn slot(&mut self, s: Sort) -> &mut u32 {
        match s {
            Sort::Core(CoreSort::Func) => &mut self.core_func,
            Sort::Core(CoreSort::Table) => &mut self.core_table,
            Sort::Core(CoreSort::Memory) => &mut self.core_memory,
            Sort::Core(CoreSort::Global) => &mut self.core_global,
            Sort::Core(CoreSort::Tag) => &mut self.core_tag,
            Sort::Core(CoreSort::Type) => &mut self.core_type,
            Sort::Core(CoreSort::Module) => &mut self.core_module,
            Sort::Core(CoreSort::Instance) => &mut self.core_instance,
            Sort::Func => &mut self.func,
            Sort::Value => &mut self.value,
            Sort::Type => &mut self.ty,
            Sort::Component => &mut self.component,
            Sort::Instance => &mut self.instance,
        }
    }
    fn has(&mut self, s: Sort, i: u32, at: usize) -> Result<()> {
        let n = *self.slot(s);
        if i >= n {
            return Err(Error::Validate { message: format!("unknown {s} {i}: {n} defined so far"), offset: at });
        }
        Ok(())
    }
}

/// Checks a decoded component.
///
/// # Errors
/// [`Error::Validate`] at the offending definition's offset.
pub fn check(c: &Component) -> Result<()> {
    check_in(c, &mut Vec::new())
}

fn check_in(c: &Component, outers: &mut Vec<Counts>) -> Result<()> {
    let mut n = Counts::default();
    let mut exported = HashSet::new();
    let mut imported = HashSet::new();
    for (d, &at) in c.defs.iter().zip(&c.offsets) {
        match d {
            Def::CoreModule(_) | Def::CoreType(_) => {}
            Def::CoreInstance(CoreInstance::Instantiate { module, args }) => {
                n.has(Sort::Core(CoreSort::Module), *module, at)?;
                for (_, i) in args {
                    n.has(Sort::Core(CoreSort::Instance), *i, at)?;
                }
            }
            Def::CoreInstance(CoreInstance::FromExports(items)) => {
                for (_, s, i) in items {
                    n.has(Sort::Core(*s), *i, at)?;
                }
            }
            Def::Component(inner) => {
                outers.push(n.clone());
                let r = check_in(inner, outers);
                outers.pop();
                r?;
            }
            Def::Instance(Instance::Instantiate { component, args }) => {
                n.has(Sort::Component, *component, at)?;
                for (_, s, i) in args {
                    n.has(*s, *i, at)?;
                }
            }
            Def::Instance(Instance::FromExports(items)) => {
                for (name, s, i) in items {
                    n.has(*s, *i, at)?;
                    check_name(name, "export", at)?;
                }
            }
            Def::Alias(Alias::InstanceExport { instance, .. }) => n.has(Sort::Instance, *instance, at)?,
            Def::Alias(Alias::CoreInstanceExport { instance, .. }) => n.has(Sort::Core(CoreSort::Instance), *instance, at)?,
            Def::Alias(Alias::Outer { sort, count, index }) => {
                if *count == 0 {
                    n.has(*sort, *index, at)?;
                } else {
                    let depth = outers.len();
                    let Some(o) = depth.checked_sub(*count as usize).and_then(|k| outers.get_mut(k)) else {
                        return Err(Error::Validate { message: format!("outer alias count {count} is past the outermost component"), offset: at });
                    };
                    o.has(*sort, *index, at)?;
                }
            }
            Def::Type(t) => check_type(&mut n, t, at)?,
            Def::Canon(c) => match c {
                Canon::Lift { core_func, opts, ty } => {
                    n.has(Sort::Core(CoreSort::Func), *core_func, at)?;
                    n.has(Sort::Type, *ty, at)?;
                    check_opts(&mut n, opts, at)?;
                }
                Canon::Lower { func, opts } => {
                    n.has(Sort::Func, *func, at)?;
                    check_opts(&mut n, opts, at)?;
                }
                Canon::ResourceNew(t) | Canon::ResourceDrop(t) | Canon::ResourceRep(t) => n.has(Sort::Type, *t, at)?,
            },
            Def::Import(i) => {
                check_name(&i.name, "import", at)?;
                check_desc(&mut n, &i.desc, at)?;
                if !imported.insert(i.name.clone()) {
                    return Err(Error::Validate { message: format!("import name `{}` conflicts with a previous import", i.name), offset: at });
                }
            }
            Def::Export(e) => {
                check_name(&e.name, "export", at)?;
                n.has(e.sort, e.index, at)?;
                if let Some(d) = &e.desc {
                    check_desc(&mut n, d, at)?;
                }
                if !exported.insert(e.name.clone()) {
                    return Err(Error::Validate { message: format!("export name `{}` conflicts with a previous export", e.name), offset: at });
                }
            }
        }
        if let Some(s) = d.sort() {
            let slot = n.slot(s);
            *slot = slot.checked_add(1).ok_or_else(|| Error::Validate { message: "index space overflow".into(), offset: at })?;
        }
    }
    Ok(())
}

/// An import or export name: a label, a resource function name
/// (`[constructor]r`, `[method]r.f`, `[static]r.f`), an interface name
/// (`ns:pkg/iface`, optionally `@` a semver version), or one of the
/// `url=<...>`-style names.
pub fn is_extern_name(name: &str) -> bool {
    use super::binary::is_label;
    if let Some(r) = name.strip_prefix("[constructor]") {
        return is_label(r);
    }
    for p in ["[method]", "[static]"] {
        if let Some(r) = name.strip_prefix(p) {
            return r.split_once('.').is_some_and(|(a, b)| is_label(a) && is_label(b));
        }
    }
    for p in ["url=", "relative-url=", "integrity=", "locked-dep=", "unlocked-dep="] {
        if let Some(r) = name.strip_prefix(p) {
            return r.starts_with('<') && r.ends_with('>');
        }
    }
    if let Some((ns, rest)) = name.split_once(':') {
        let (path, version) = match rest.split_once('@') {
            Some((p, v)) => (p, Some(v)),
            None => (rest, None),
        };
        let mut parts = path.split('/');
        let ok = is_label(ns)
            && parts.next().is_some_and(is_label)
            && parts.clone().count() >= 1
            && parts.all(is_label);
        return ok && version.is_none_or(is_semver);
    }
    is_label(name)
}

fn is_semver(v: &str) -> bool {
    let (core, _) = v.split_once(['-', '+']).unwrap_or((v, ""));
    let nums: Vec<&str> = core.split('.').collect();
    nums.len() == 3 && nums.iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n.len() == 1 || !n.starts_with('0')))
        && v[core.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
}

fn check_name(name: &str, what: &str, at: usize) -> Result<()> {
    if !is_extern_name(name) {
        return Err(Error::Validate { message: format!("{what} name `{name}` is not a valid extern name"), offset: at });
    }
    Ok(())
}

fn check_opts(n: &mut Counts, o: &CanonOpts, at: usize) -> Result<()> {
    if let Some(m) = o.memory {
        n.has(Sort::Core(CoreSort::Memory), m, at)?;
    }
    for f in [o.realloc, o.post_return].into_iter().flatten() {
        n.has(Sort::Core(CoreSort::Func), f, at)?;
    }
    Ok(())
}

fn check_desc(n: &mut Counts, d: &ExternDesc, at: usize) -> Result<()> {
    match d {
        ExternDesc::CoreModule(i) => n.has(Sort::Core(CoreSort::Type), *i, at),
        ExternDesc::Func(i) | ExternDesc::Component(i) | ExternDesc::Instance(i) => n.has(Sort::Type, *i, at),
        ExternDesc::Type(TypeBound::Eq(i)) => n.has(Sort::Type, *i, at),
        ExternDesc::Type(TypeBound::SubResource) => Ok(()),
        ExternDesc::Value(t) => val(n, *t, at),
    }
}

fn val(n: &mut Counts, t: ValType, at: usize) -> Result<()> {
    match t {
        ValType::Prim(_) => Ok(()),
        ValType::Index(i) => n.has(Sort::Type, i, at),
    }
}

fn check_type(n: &mut Counts, t: &TypeDef, at: usize) -> Result<()> {
    match t {
        TypeDef::Val(v) => match v {
            DefValType::Prim(_) => Ok(()),
            DefValType::Record(fs) => {
                unique(fs.iter().map(|(l, _)| l), "field", at)?;
                fs.iter().try_for_each(|(_, t)| val(n, *t, at))
            }
            DefValType::Variant(cs) => {
                unique(cs.iter().map(|(l, _)| l), "case", at)?;
                cs.iter().filter_map(|(_, t)| *t).try_for_each(|t| val(n, t, at))
            }
            DefValType::List(t) | DefValType::Option(t) => val(n, *t, at),
            DefValType::Tuple(ts) => ts.iter().try_for_each(|t| val(n, *t, at)),
            DefValType::Flags(ls) => unique(ls.iter(), "flag", at),
            DefValType::Enum(ls) => unique(ls.iter(), "enum case", at),
            DefValType::Result { ok, err } => [ok, err].into_iter().flatten().try_for_each(|t| val(n, *t, at)),
            DefValType::Own(i) | DefValType::Borrow(i) => n.has(Sort::Type, *i, at),
        },
        TypeDef::Func(f) => {
            unique(f.params.iter().map(|(l, _)| l), "parameter", at)?;
            f.params.iter().try_for_each(|(_, t)| val(n, *t, at))?;
            f.result.map_or(Ok(()), |t| val(n, t, at))
        }
        TypeDef::Resource { dtor } => dtor.map_or(Ok(()), |d| n.has(Sort::Core(CoreSort::Func), d, at)),
        // Declarations have their own index spaces, resolved (and checked)
        // at instantiation.
        TypeDef::Component(_) | TypeDef::Instance(_) => Ok(()),
    }
}

fn unique<'a>(labels: impl Iterator<Item = &'a String>, what: &str, at: usize) -> Result<()> {
    let mut seen = HashSet::new();
    for l in labels {
        if !seen.insert(l.to_ascii_lowercase()) {
            return Err(Error::Validate { message: format!("{what} name `{l}` is defined more than once"), offset: at });
        }
    }
    Ok(())
}
