//! The one sanitiser through which spec names become Rust identifiers, so a
//! [`RustIdent`] is valid by construction.

use std::collections::HashSet;
use std::fmt;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::ToTokens;

/// Every Rust keyword of every edition, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers (`r#self` is not allowed).
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// A valid Rust identifier (possibly raw, `r#type`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RustIdent {
    name: String,
    raw: bool,
}

impl RustIdent {
    /// The identifier without any `r#` prefix (what a file name uses).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for RustIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.raw {
            f.write_str("r#")?;
        }
        f.write_str(&self.name)
    }
}

impl ToTokens for RustIdent {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let ident = if self.raw {
            Ident::new_raw(&self.name, Span::call_site())
        } else {
            Ident::new(&self.name, Span::call_site())
        };
        ident.to_tokens(tokens);
    }
}

/// How a name is cased and how keywords are escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// `snake_case`; keywords become raw (`r#type`).
    Snake,
    /// `snake_case` for module and file names; keywords get a `_` suffix,
    /// because `mod r#mod;` would look for `mod.rs`.
    Module,
    /// `UpperCamelCase`; keywords (only `Self`) get a `_` suffix.
    Camel,
}

/// Turns `text` into an identifier in `case`. Non-ASCII letters become `_`
/// (non-ASCII module names are not allowed, and the original text is kept in
/// serde renames anyway), a leading digit gets a `_` prefix.
pub fn sanitize(text: &str, case: Case) -> RustIdent {
    let ascii: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut name = match case {
        Case::Snake | Case::Module => ascii.to_snake_case(),
        Case::Camel => ascii.to_upper_camel_case(),
    };
    if name.is_empty() {
        name = match case {
            Case::Camel => "Unnamed".to_owned(),
            _ => "unnamed".to_owned(),
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    debug_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if name == "_" {
        name = "_unnamed".to_owned();
    }
    if KEYWORDS.contains(&name.as_str()) {
        if case == Case::Snake && !NOT_RAW.contains(&name.as_str()) {
            return RustIdent { name, raw: true };
        }
        name.push('_');
    }
    RustIdent { name, raw: false }
}

/// Hands out identifiers that are unique within one scope; a name that is
/// already taken gets `_2`, `_3`, … (snake) or `2`, `3`, … (camel).
#[derive(Debug, Default)]
pub struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves a fixed name (one the generated code uses itself).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    /// A fresh identifier for `text` in `case`.
    pub fn claim(&mut self, text: &str, case: Case) -> RustIdent {
        let base = sanitize(text, case);
        if self.taken.insert(base.name.clone()) {
            return base;
        }
        let separator = if case == Case::Camel { "" } else { "_" };
        (2..)
            .map(|n| RustIdent {
                name: format!("{}{separator}{n}", base.name.trim_end_matches('_')),
                raw: false,
            })
            .find(|candidate| self.taken.insert(candidate.name.clone()))
            .expect("an unbounded range yields a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_escaped_the_way_each_position_allows() {
        assert_eq!(sanitize("type", Case::Snake).to_string(), "r#type");
        assert_eq!(sanitize("self", Case::Snake).to_string(), "self_");
        assert_eq!(sanitize("mod", Case::Module).to_string(), "mod_");
        assert_eq!(sanitize("match", Case::Module).to_string(), "match_");
        assert_eq!(sanitize("self", Case::Camel).to_string(), "Self_");
        assert_eq!(sanitize("async", Case::Snake).to_string(), "r#async");
    }

    #[test]
    fn casing_digits_and_non_ascii() {
        assert_eq!(
            sanitize("maxResults", Case::Snake).to_string(),
            "max_results"
        );
        assert_eq!(
            sanitize("get-weather", Case::Camel).to_string(),
            "GetWeather"
        );
        assert_eq!(sanitize("9lives", Case::Snake).to_string(), "_9lives");
        assert_eq!(sanitize("größe", Case::Snake).to_string(), "gr_e");
        assert_eq!(sanitize("", Case::Camel).to_string(), "Unnamed");
        assert_eq!(sanitize("---", Case::Snake).to_string(), "unnamed");
        assert_eq!(sanitize("_", Case::Snake).to_string(), "unnamed");
    }

    #[test]
    fn scopes_disambiguate_collisions_in_order() {
        let mut scope = Scope::new();
        scope.reserve("Search");
        assert_eq!(scope.claim("get-data", Case::Snake).to_string(), "get_data");
        assert_eq!(
            scope.claim("get_data", Case::Snake).to_string(),
            "get_data_2"
        );
        assert_eq!(
            scope.claim("getData", Case::Snake).to_string(),
            "get_data_3"
        );
        assert_eq!(scope.claim("search", Case::Camel).to_string(), "Search2");
        assert_eq!(scope.claim("type", Case::Module).to_string(), "type_");
        assert_eq!(scope.claim("type_", Case::Module).to_string(), "type_2");
    }

    #[test]
    fn every_output_is_a_valid_identifier() {
        for text in [
            "type", "self", "Self", "a b", "ÄÖ", "1", "crate", "r#x", "__", "foo--bar",
        ] {
            for case in [Case::Snake, Case::Module, Case::Camel] {
                let ident = sanitize(text, case);
                let tokens = quote::quote!(#ident);
                syn::parse2::<syn::Ident>(tokens)
                    .unwrap_or_else(|e| panic!("{text:?} {case:?}: {e}"));
            }
        }
    }
}
