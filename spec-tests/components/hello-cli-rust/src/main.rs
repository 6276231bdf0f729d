//! hello-cli in Rust for wasm32-wasip2: same behaviour and output as
//! ../hello-cli/hello-cli.c. Expects a preopened directory at /data.
use std::io::Write;

// wasi:cli/exit's `exit` only carries ok/err (exit status 0 or 1). To exit
// with 3 this program calls the unstable `exit-with-code` (the host must
// enable it: `wasmtime run -S cli-exit-with-code`).
mod bindings {
    wit_bindgen::generate!({
        inline: r#"
            package wasi:cli@0.2.6;
            interface exit {
              exit: func(status: result);
              @unstable(feature = cli-exit-with-code)
              exit-with-code: func(status-code: u8);
            }
            world exit-with-code { import exit; }
        "#,
        features: ["cli-exit-with-code"],
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "hello from a component").unwrap();
    writeln!(out, "argc={}", args.len()).unwrap();
    let mut fail = false;
    for (i, a) in args.iter().enumerate().skip(1) {
        writeln!(out, "arg[{i}]={a}").unwrap();
        if a == "fail" {
            fail = true;
        }
    }
    eprintln!("this line goes to stderr");
    match std::env::var("A") {
        Ok(v) => writeln!(out, "env A={v}").unwrap(),
        Err(_) => writeln!(out, "env A=(unset)").unwrap(),
    }
    match std::fs::read("/data/input.txt") {
        Ok(b) => {
            writeln!(out, "input.txt ({} bytes):", b.len()).unwrap();
            out.write_all(&b).unwrap();
            if b.last() != Some(&b'\n') {
                writeln!(out).unwrap();
            }
        }
        Err(e) => writeln!(out, "cannot open /data/input.txt: {e}").unwrap(),
    }
    match std::fs::read_dir("/data") {
        Ok(rd) => {
            let mut names: Vec<String> =
                rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
            names.sort();
            writeln!(out, "listing /data ({} entries):", names.len()).unwrap();
            for n in names {
                writeln!(out, "  {n}").unwrap();
            }
        }
        Err(e) => writeln!(out, "cannot list /data: {e}").unwrap(),
    }
    let text = format!("written by hello-cli with {} args\n", args.len() - 1);
    match std::fs::write("/data/output.txt", &text) {
        Ok(()) => {
            let back = std::fs::read_to_string("/data/output.txt").unwrap();
            write!(out, "wrote /data/output.txt: {back}").unwrap();
        }
        Err(e) => writeln!(out, "cannot write /data/output.txt: {e}").unwrap(),
    }
    if fail {
        writeln!(out, "exiting with code 3").unwrap();
        out.flush().unwrap();
        drop(out);
        bindings::wasi::cli::exit::exit_with_code(3);
        unreachable!();
    }
    writeln!(out, "done").unwrap();
}
