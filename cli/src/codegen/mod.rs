//! IR → Rust token streams. Pure: no formatting, no I/O; every function
//! returns a value a test can look at.

pub mod docs;
pub mod migrations;
pub mod scaffold;
pub mod server;
pub mod step_tests;
pub mod tools;
pub mod types;
