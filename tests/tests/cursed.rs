//! The cursed crate (`tests/crates/cursed`), built from a spec full of
//! keywords, colliding names and hostile text, serves every tool name, title,
//! description and schema exactly as the spec writes them.

mod support;

use std::process::Command;

use serde_json::Value;

/// The spec as JSON, read with the same YAML parser the generator uses.
fn spec() -> Value {
    let text =
        std::fs::read_to_string(support::workspace().join("tests/crates/cursed/mcpgen.yaml"))
            .unwrap();
    serde_yaml::from_str(&text).unwrap()
}

#[test]
fn tools_list_carries_the_spec_text_byte_for_byte() {
    let output = Command::new(support::built_binary("cursed"))
        .arg("tools")
        .output()
        .expect("the cursed binary runs");
    assert!(
        output.status.success(),
        "`cursed tools` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: Vec<Value> = serde_json::from_slice(&output.stdout).expect("`tools` prints JSON");
    let spec = spec();
    let tools = spec["tools"].as_array().unwrap();

    let mut listed_names: Vec<&str> = listed.iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut spec_names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    listed_names.sort_unstable();
    spec_names.sort_unstable();
    assert_eq!(listed_names, spec_names);

    for tool in tools {
        let name = tool["name"].as_str().unwrap();
        let entry = listed
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("`{name}` is not listed"));
        assert_eq!(
            entry["description"].as_str(),
            tool["description"].as_str(),
            "description of `{name}`"
        );
        assert_eq!(
            entry.get("title").and_then(Value::as_str),
            tool.get("title").and_then(Value::as_str),
            "title of `{name}`"
        );
        // The newest version's schemas are advertised verbatim.
        let newest = tool["versions"].as_array().unwrap().last().unwrap();
        assert_eq!(
            entry["inputSchema"], newest["input"],
            "input schema of `{name}`"
        );
        assert_eq!(
            entry.get("outputSchema"),
            newest.get("output"),
            "output schema of `{name}`"
        );
    }
}
