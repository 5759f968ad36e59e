//! Tool bodies: one file per tool, each implementing its generated trait; the `custom` migration functions in `migrations.rs`.

mod lookup;
mod migrations;

/// State shared by every tool handler.
#[derive(Default)]
pub struct App {}
