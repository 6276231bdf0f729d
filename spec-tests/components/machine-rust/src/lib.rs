//! Guest for the `xyz:machine/machine` world (see ../wit/machine.wit).
wit_bindgen::generate!({
    world: "machine",
    path: "../wit/machine.wit",
});

use exports::xyz::machine::machine_interface::{Guest, MachineId, Point, RunResult};

struct Machine;

impl Guest for Machine {
    fn get_u32() -> u32 {
        42
    }
    fn get_str() -> String {
        "simple string to return".to_string()
    }
    fn get_vec() -> Vec<u8> {
        vec![1, 2, 3, 4, 5]
    }
    fn run(machine: MachineId, start: Point, destination: Point) -> RunResult {
        RunResult {
            machine_id: machine,
            message: format!(
                "machine {} run from ({},{}) to ({},{})",
                machine, start.x, start.y, destination.x, destination.y
            ),
        }
    }
    fn count_symbols(s: String) -> u32 {
        s.chars().count() as u32
    }
}

export!(Machine);
