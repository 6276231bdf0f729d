//! Executes the directives of one script against a fresh [`Store`].

use std::collections::HashMap;

use wast::token::{Id, Span};
use wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, WastRet};

use super::values::{arg_value, fmt_rets, fmt_values, ret_matches};
use super::{spectest, Failure};
use crate::error::{Error, TrapCode};
use crate::runtime::{Extern, Instance, Module, Store, Value};
use crate::syntax::Features;

/// A module instance as later directives see it: usable, or the reason it
/// is not (it failed to compile or instantiate).
type ModState = Result<Instance, String>;

/// What an import module name resolves to.
enum Registered {
    Instance(Instance),
    Host(Vec<(&'static str, Extern)>),
}

/// The state of one script run.
pub(crate) struct Runner<'a> {
    store: Store,
    /// The most recent module (the target of directives without `$id`).
    current: Option<ModState>,
    named: HashMap<&'a str, ModState>,
    /// `module definition`s, for `module instance`.
    definitions: HashMap<&'a str, Result<Module, String>>,
    last_definition: Option<Result<Module, String>>,
    registry: HashMap<String, Registered>,
    /// What modules are decoded and validated with.
    features: Features,
}

/// The outcome of one directive: `Err` is the failure message.
type Outcome = Result<(), String>;

/// The directive keyword, for reports.
pub(crate) fn directive_name(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// One line describing an error, with its kind (the kinds are what the
/// assertions distinguish).
pub(crate) fn describe(e: &Error) -> String {
    match e {
        Error::Decode { message, offset } => format!("malformed \"{message}\" (at offset 0x{offset:x})"),
        Error::Validate { message, offset } => format!("invalid \"{message}\" (at offset 0x{offset:x})"),
        Error::Link(m) => format!("unlinkable \"{m}\""),
        Error::Trap(t) => format!("trap \"{t}\""),
        Error::Usage(m) => format!("usage error \"{m}\""),
        Error::Text(m) => format!("text error \"{m}\""),
        Error::Deserialize(m) => format!("deserialize error \"{m}\""),
        Error::Unsupported(m) => format!("unsupported \"{m}\""),
    }
}

/// The trap message rule: ours starts with the expected text, or the
/// expected text starts with ours (the suite sometimes appends an index).
pub(crate) fn trap_message_matches(expected: &str, ours: &str) -> bool {
    !ours.is_empty() && (ours.starts_with(expected) || expected.starts_with(ours))
}

fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, String> {
    module.encode().map_err(|e| format!("text error \"{}\"", e.message()))
}

impl<'a> Runner<'a> {
    pub(crate) fn new(features: Features) -> Runner<'a> {
        Runner {
            features,
            store: Store::new(),
            current: None,
            named: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            registry: HashMap::new(),
        }
    }

    /// Runs one directive.
    pub(crate) fn run(&mut self, directive: WastDirective<'a>) -> Outcome {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name());
                // Until it succeeds, the module counts as failed, so that a
                // panic half-way leaves no stale module in place.
                self.set_current(name, Err("module did not finish instantiating".into()));
                let result = self.compile(&mut module).and_then(|m| self.instantiate(&m).map_err(|e| describe(&e)));
                let state = result.clone().map_err(|e| format!("module failed earlier: {e}"));
                self.set_current(name, state);
                result.map(|_| ()).map_err(|e| format!("expected success, got {e}"))
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name());
                let compiled = self.compile(&mut module);
                if let Some(name) = name {
                    self.definitions.insert(name, compiled.clone());
                }
                self.last_definition = Some(compiled.clone());
                compiled.map(|_| ()).map_err(|e| format!("expected success, got {e}"))
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let name = instance.map(|id| id.name());
                self.set_current(name, Err("module did not finish instantiating".into()));
                let def = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                };
                let result = match def {
                    None => Err("no such module definition".to_string()),
                    Some(Err(e)) => Err(format!("module definition failed: {e}")),
                    Some(Ok(m)) => self.instantiate(&m).map_err(|e| describe(&e)),
                };
                self.set_current(name, result.clone().map_err(|e| format!("module failed earlier: {e}")));
                result.map(|_| ()).map_err(|e| format!("expected success, got {e}"))
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.registry.insert(name.to_string(), Registered::Instance(instance));
                Ok(())
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke)? {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("expected success, got {}", describe(&e))),
            },
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Err(Error::Trap(t)) if trap_message_matches(message, &t.to_string()) => Ok(()),
                Err(e) => Err(format!("expected trap \"{message}\", got {}", describe(&e))),
                Ok(values) => Err(format!("expected trap \"{message}\", got {}", fmt_values(&values))),
            },
            WastDirective::AssertException { exec, .. } => match self.execute(exec)? {
                Err(Error::Trap(t)) if t.exn().is_some() => Ok(()),
                Err(e) => Err(format!("expected an exception, got {}", describe(&e))),
                Ok(values) => Err(format!("expected an exception, got {}", fmt_values(&values))),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Err(Error::Trap(t)) if t.code() == Some(TrapCode::CallStackExhausted) => Ok(()),
                Err(e) => Err(format!("expected trap \"{message}\", got {}", describe(&e))),
                Ok(values) => Err(format!("expected trap \"{message}\", got {}", fmt_values(&values))),
            },
            WastDirective::AssertInvalid { mut module, message, .. } => {
                let bytes = encode(&mut module).map_err(|e| format!("expected invalid \"{message}\", got {e}"))?;
                match self.module(bytes) {
                    Err(Error::Validate { message: ours, .. }) if ours.starts_with(message) => Ok(()),
                    Err(e) => Err(format!("expected invalid \"{message}\", got {}", describe(&e))),
                    Ok(_) => Err(format!("expected invalid \"{message}\", got a valid module")),
                }
            }
            WastDirective::AssertMalformed { mut module, message, .. } => {
                // Malformed text is the `wast` crate's business: for quoted
                // text any error it reports counts, whatever its wording.
                // Some malformed text it does encode (an out-of-range limit,
                // two start sections); then our decoder must reject the
                // binary, but the expected wording is the text parser's.
                let quoted = matches!(module, QuoteWat::QuoteModule(..));
                let bytes = match encode(&mut module) {
                    Ok(bytes) => bytes,
                    Err(_) if quoted => return Ok(()),
                    Err(e) => return Err(format!("expected malformed \"{message}\", got {e}")),
                };
                match self.module(bytes) {
                    Err(Error::Decode { message: ours, .. }) if quoted || ours.starts_with(message) => Ok(()),
                    Err(e) => Err(format!("expected malformed \"{message}\", got {}", describe(&e))),
                    Ok(_) => Err(format!("expected malformed \"{message}\", got a valid module")),
                }
            }
            WastDirective::AssertUnlinkable { module, message, .. } => {
                let module = self
                    .compile(&mut QuoteWat::Wat(module))
                    .map_err(|e| format!("expected unlinkable \"{message}\", got {e}"))?;
                match self.instantiate(&module) {
                    Err(Error::Link(ours)) if ours.starts_with(message) => Ok(()),
                    Err(e) => Err(format!("expected unlinkable \"{message}\", got {}", describe(&e))),
                    Ok(_) => Err(format!("expected unlinkable \"{message}\", got an instance")),
                }
            }
            other => Err(format!("unsupported directive {}", directive_name(&other))),
        }
    }

    fn set_current(&mut self, name: Option<&'a str>, state: ModState) {
        if let Some(name) = name {
            self.named.insert(name, state.clone());
        }
        self.current = Some(state);
    }

    /// The instance a directive refers to: `$id`, or the current module.
    fn instance(&self, id: Option<Id<'a>>) -> Result<Instance, String> {
        let state = match id {
            None => self.current.as_ref().ok_or("no module defined yet")?,
            Some(id) => self.named.get(id.name()).ok_or_else(|| format!("unknown module ${}", id.name()))?,
        };
        state.clone()
    }

    /// Encodes, decodes and validates a module.
    fn compile(&mut self, module: &mut QuoteWat<'_>) -> Result<Module, String> {
        let bytes = encode(module)?;
        self.module(bytes).map_err(|e| describe(&e))
    }

    /// Decodes, validates and translates a module with the script's features.
    fn module(&self, bytes: Vec<u8>) -> crate::Result<Module> {
        Module::with_features(bytes, self.features)
    }

    /// Resolves the imports of `module` through the registry and
    /// instantiates it.
    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        let imports = module.imports();
        let mut externs = Vec::with_capacity(imports.len());
        for (module_name, name, _) in &imports {
            if module_name == "spectest" && !self.registry.contains_key("spectest") {
                let host = spectest::create(&mut self.store)?;
                self.registry.insert("spectest".into(), Registered::Host(host));
            }
            let ext = match self.registry.get(module_name.as_str()) {
                Some(Registered::Instance(i)) => self.store.export(*i, name),
                Some(Registered::Host(list)) => list.iter().find(|(n, _)| n == name).map(|(_, e)| *e),
                None => None,
            };
            externs.push(ext.ok_or_else(|| Error::Link(format!("unknown import \"{module_name}\" \"{name}\"")))?);
        }
        self.store.instantiate(module, &externs)
    }

    /// Calls an exported function. The outer error means the call could
    /// not even be made (unknown module or export, unsupported argument).
    fn invoke(&mut self, invoke: &WastInvoke<'a>) -> Result<Result<Vec<Value>, Error>, String> {
        let instance = self.instance(invoke.module)?;
        let Some(Extern::Func(func)) = self.store.export(instance, invoke.name) else {
            return Err(format!("no function export \"{}\"", invoke.name));
        };
        let args = invoke.args.iter().map(arg_value).collect::<Result<Vec<_>, _>>()?;
        Ok(self.store.call(func, &args))
    }

    /// Runs the action of an assertion: an invocation, a global read, or
    /// the instantiation of a module.
    fn execute(&mut self, exec: WastExecute<'a>) -> Result<Result<Vec<Value>, Error>, String> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                match self.store.export(instance, global) {
                    Some(Extern::Global(g)) => Ok(Ok(vec![self.store.global_get(g)])),
                    _ => Err(format!("no global export \"{global}\"")),
                }
            }
            WastExecute::Wat(wat) => {
                let bytes = encode(&mut QuoteWat::Wat(wat))?;
                Ok(self.module(bytes).and_then(|m| self.instantiate(&m)).map(|_| Vec::new()))
            }
        }
    }

    fn assert_return(&mut self, exec: WastExecute<'a>, expected: &[WastRet<'a>]) -> Outcome {
        match self.execute(exec)? {
            Err(e) => Err(format!("expected {}, got {}", fmt_rets(expected), describe(&e))),
            Ok(values) => {
                let ok = values.len() == expected.len() && expected.iter().zip(&values).all(|(r, v)| ret_matches(r, v));
                if ok {
                    Ok(())
                } else {
                    Err(format!("expected {}, got {}", fmt_rets(expected), fmt_values(&values)))
                }
            }
        }
    }
}

/// Runs all directives, collecting failures; returns (passed, failed).
pub(crate) fn run_directives<'a>(
    directives: Vec<WastDirective<'a>>,
    features: Features,
    mut line_of: impl FnMut(Span) -> usize,
    failures: &mut Vec<Failure>,
) -> (usize, usize) {
    let mut runner = Runner::new(features);
    let (mut passed, mut failed) = (0, 0);
    for directive in directives {
        let name = directive_name(&directive);
        let span = directive.span();
        match super::catch_panic(|| runner.run(directive)) {
            Ok(Ok(())) => passed += 1,
            Ok(Err(message)) | Err(message) => {
                failed += 1;
                failures.push(Failure { line: line_of(span), directive: name, message });
            }
        }
    }
    (passed, failed)
}

#[cfg(test)]
mod tests {
    use crate::script::run_text;

    /// Runs a script and returns (passed, failed, failure lines).
    fn run(text: &str) -> (usize, usize, Vec<String>) {
        let r = run_text("t.wast", text);
        (r.passed, r.failed, r.failures.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn assertions_pass_and_fail_as_they_should() {
        let script = r#"
(module $A
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.const nan))
  (func (export "trap") (unreachable))
  (func $r (export "rec") (call $r))
  (global (export "g") i32 (i32.const 7)))
(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_return (get "g") (i32.const 7))
(assert_trap (invoke "trap") "unreachable")
(assert_exhaustion (invoke "rec") "call stack exhausted")
(register "a" $A)
(module (import "a" "add" (func (param i32 i32) (result i32))) (import "spectest" "print_i32" (func (param i32)))
  (import "spectest" "global_i32" (global i32)) (import "spectest" "table" (table 10 funcref))
  (import "spectest" "memory" (memory 1)))
(assert_unlinkable (module (import "a" "missing" (func))) "unknown import")
(assert_unlinkable (module (import "a" "add" (func))) "incompatible import type")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(invoke $A "add" (i32.const 1) (i32.const 1))
"#;
        let (passed, failed, failures) = run(script);
        assert_eq!(failed, 0, "{failures:#?}");
        assert_eq!(passed, 14);

        let script = r#"
(module (func (export "one") (result i32) (i32.const 1)) (func (export "trap") (unreachable)))
(assert_return (invoke "one") (i32.const 2))
(assert_trap (invoke "one") "unreachable")
(assert_trap (invoke "trap") "integer overflow")
(assert_return (invoke "missing"))
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
(module $bad (func (export "f") (result i32) (i64.const 0)))
(invoke "one")
"#;
        let (passed, failed, failures) = run(script);
        assert_eq!((passed, failed), (1, 7), "{failures:#?}");
        assert_eq!(failures[0], "3: assert_return: expected (i32.const 2), got (i32.const 1)");
        assert_eq!(failures[1], "4: assert_trap: expected trap \"unreachable\", got (i32.const 1)");
        assert_eq!(failures[2], "5: assert_trap: expected trap \"integer overflow\", got trap \"unreachable\"");
        assert_eq!(failures[3], "6: assert_return: no function export \"missing\"");
        assert_eq!(failures[4], "7: assert_invalid: expected invalid \"type mismatch\", got a valid module");
        assert!(failures[5].starts_with("8: module: expected success, got invalid \"type mismatch"), "{}", failures[5]);
        // The failed module is the current one now.
        assert!(failures[6].starts_with("9: invoke: module failed earlier: invalid"), "{}", failures[6]);
    }
}
