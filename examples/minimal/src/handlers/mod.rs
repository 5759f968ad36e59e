//! Tool bodies: one file per tool, each implementing its generated trait.
mod greet;
/// State shared by every tool handler.
#[derive(Default)]
pub struct App {}
