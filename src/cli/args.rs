//! Command-line parsing, by hand: the grammar is small and fixed.

use std::path::PathBuf;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `--help`, `-h`, `help`.
    Help,
    /// `--version`, `-V`.
    Version,
    /// `wast PATH... [--json OUT] [--exclude PREFIX]... [--features 2.0|3.0|all]`
    Wast(WastOptions),
}

/// Options of `wasmint wast`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WastOptions {
    /// `.wast` files or folders of them.
    pub paths: Vec<PathBuf>,
    /// Where to write the JSON summary.
    pub json: Option<PathBuf>,
    /// Leave out files whose name starts with one of these.
    pub exclude: Vec<String>,
    /// `--features 2.0|3.0|all`: the features every file runs with (default:
    /// by the file's folder, see `script::features_for`).
    pub features: Option<crate::syntax::Features>,
}

/// Parses `args` without the program name. `Err` is a usage error message.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((first, rest)) = args.split_first() else {
        return Err("no command given".into());
    };
    match first.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "-V" | "--version" => Ok(Command::Version),
        "wast" => parse_wast(rest),
        other if other.starts_with('-') => Err(format!("unknown option '{other}'")),
        other => Err(format!("unknown command '{other}'")),
    }
}

fn parse_wast(args: &[String]) -> Result<Command, String> {
    let mut opts = WastOptions::default();
    let mut it = args.iter();
    let mut only_paths = false;
    while let Some(arg) = it.next() {
        if only_paths || !arg.starts_with('-') || arg == "-" {
            opts.paths.push(PathBuf::from(arg));
            continue;
        }
        // `--name=value` or `--name value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("option '{name}' needs a value"))
        };
        match name {
            "--" => only_paths = true,
            "-h" | "--help" => return Ok(Command::Help),
            "--json" => opts.json = Some(PathBuf::from(value(name)?)),
            "--exclude" => {
                let prefix = value(name)?;
                if prefix.is_empty() {
                    return Err("option '--exclude' needs a non-empty prefix".into());
                }
                opts.exclude.push(prefix);
            }
            "--features" => {
                opts.features = Some(match value(name)?.as_str() {
                    "2.0" => crate::syntax::Features::WASM2,
                    "3.0" => crate::syntax::Features::WASM3,
                    "all" => crate::syntax::Features::ALL,
                    v => return Err(format!("option '--features' takes 2.0, 3.0 or all, not '{v}'")),
                });
            }
            _ => return Err(format!("unknown option '{arg}' for 'wast'")),
        }
    }
    if opts.paths.is_empty() {
        return Err("'wast' needs at least one PATH".into());
    }
    Ok(Command::Wast(opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn help_and_version() {
        assert_eq!(p(&["--help"]), Ok(Command::Help));
        assert_eq!(p(&["-h"]), Ok(Command::Help));
        assert_eq!(p(&["help"]), Ok(Command::Help));
        assert_eq!(p(&["--version"]), Ok(Command::Version));
        assert_eq!(p(&["-V"]), Ok(Command::Version));
        assert_eq!(p(&["wast", "x", "--help"]), Ok(Command::Help));
    }

    #[test]
    fn wast_options() {
        let got = p(&["wast", "a.wast", "--json", "out.json", "dir", "--exclude", "simd_", "--exclude=x"]);
        assert_eq!(
            got,
            Ok(Command::Wast(WastOptions {
                paths: vec!["a.wast".into(), "dir".into()],
                json: Some("out.json".into()),
                exclude: vec!["simd_".into(), "x".into()],
                features: None,
            }))
        );
        let got = p(&["wast", "--json=o", "--", "--odd-name.wast"]);
        assert_eq!(
            got,
            Ok(Command::Wast(WastOptions {
                paths: vec!["--odd-name.wast".into()],
                json: Some("o".into()),
                exclude: vec![],
                features: None,
            }))
        );
    }

    #[test]
    fn usage_errors() {
        assert!(p(&[]).is_err());
        assert!(p(&["frobnicate"]).unwrap_err().contains("unknown command"));
        assert!(p(&["--frob"]).unwrap_err().contains("unknown option"));
        assert!(p(&["wast"]).unwrap_err().contains("PATH"));
        assert!(p(&["wast", "x", "--json"]).unwrap_err().contains("needs a value"));
        assert!(p(&["wast", "x", "--exclude="]).unwrap_err().contains("non-empty"));
        assert!(p(&["wast", "x", "--bogus"]).unwrap_err().contains("unknown option"));
    }
}
