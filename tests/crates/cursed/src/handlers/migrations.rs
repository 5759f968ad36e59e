//! The functions behind the spec's `custom` migration ops, named `type` and
//! `self` in the spec. They mark the object they run on, so a round trip
//! leaves it as it was.

use super::App;
use crate::generated::migrations::Migrations;
use mcpgen_runtime::serde_json::Value;

impl Migrations for App {
    fn r#type(&self, value: &mut Value) -> Result<(), String> {
        if let Some(object) = value.as_object_mut() {
            object.insert("typed".to_owned(), Value::Bool(true));
        }
        Ok(())
    }

    fn self_(&self, value: &mut Value) -> Result<(), String> {
        if let Some(object) = value.as_object_mut() {
            object.remove("typed");
        }
        Ok(())
    }
}
