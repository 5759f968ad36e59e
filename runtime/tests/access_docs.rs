//! Every row of the glob table in `docs/security.md` holds for the matcher
//! the server uses, so the documented semantics cannot drift from the code.

use mcpgen_runtime::access::Pattern;

#[test]
fn documented_glob_table_holds() {
    let doc = include_str!("../../docs/security.md");
    let table = doc
        .split("<!-- glob-table -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- /glob-table -->").next())
        .expect("docs/security.md has the marked glob table");
    let mut rows = 0;
    for line in table.lines().skip(3) {
        let cells: Vec<&str> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`'))
            .collect();
        let [pattern, resource, expected] = cells[..] else {
            continue;
        };
        let matched = Pattern::parse(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .matcher()
            .is_match(resource);
        assert_eq!(matched, expected == "yes", "{pattern} vs {resource}");
        rows += 1;
    }
    assert!(rows >= 15, "the table lost rows: {rows}");
}
