//! Token streams and IR → file contents: Rust through syn + prettyplease,
//! prose through tera templates, manifests through serde.

pub mod manifest;
pub mod rust;
pub mod text;
