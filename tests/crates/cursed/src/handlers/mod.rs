//! Tool bodies: one file per tool, each implementing its generated trait.

mod _9lives;
mod app;
mod evolve;
mod get_data;
mod get_data_2;
mod get_data_3;
mod get_data_4;
mod manifest_2;
mod match_;
mod mcpgen_runtime;
mod migrations;
mod mod_;
mod self_;
mod self_2;
mod serde;
mod std;
mod type_;
mod unnamed;

/// State shared by every tool handler.
#[derive(Default)]
pub struct App {}
