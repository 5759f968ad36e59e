//! Doc comments from spec text: one `#[doc]` attribute per line, made safe
//! for rustdoc (code fences become `text`, bare URLs become autolinks, stray
//! brackets are escaped so they are not read as intra-doc links).

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = " line"]` attributes for `text` (printed as `///`).
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = sanitize(text);
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = " line"]` attributes for `text` (printed as `//!`).
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let lines = sanitize(text);
    quote! { #( #![doc = #lines] )* }
}

fn sanitize(text: &str) -> Vec<String> {
    let mut open_fence: Option<&str> = None;
    let mut lines = Vec::new();
    for line in text.trim_end().lines() {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        let escaped = match (fence, open_fence) {
            (Some(fence), None) => {
                open_fence = Some(fence);
                // A fence without a language would compile as a Rust doctest.
                format!("{fence}text")
            }
            (Some(fence), Some(open)) if fence == open => {
                open_fence = None;
                fence.to_owned()
            }
            (_, Some(_)) => line.to_owned(),
            (_, None) => prose(line),
        };
        lines.push(format!(" {escaped}"));
    }
    if let Some(fence) = open_fence {
        lines.push(format!(" {fence}"));
    }
    lines
}

fn prose(line: &str) -> String {
    // A line with a Markdown link means its brackets; elsewhere they would
    // be read as (broken) intra-doc links.
    let escape_brackets = !line.contains("](");
    let mut out = String::with_capacity(line.len());
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.starts_with("http://") || word.starts_with("https://") {
            out.push('<');
            out.push_str(word);
            out.push('>');
        } else {
            for c in word.chars() {
                if escape_brackets && matches!(c, '[' | ']') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_urls_and_brackets() {
        let text = "See https://example.com [x].\n```\nlet a = [1];\n```\n```python\nprint()";
        assert_eq!(
            sanitize(text),
            [
                " See <https://example.com> \\[x\\].",
                " ```text",
                " let a = [1];",
                " ```",
                " ```text",
                " print()",
                " ```",
            ]
        );
    }

    #[test]
    fn markdown_links_are_kept() {
        assert_eq!(
            sanitize("see [the docs](https://x.y) now"),
            [" see [the docs](https://x.y) now"]
        );
    }

    #[test]
    fn comment_terminators_and_quotes_stay_inside_the_literal() {
        let tokens = doc_attrs("ends */ here \"quoted\" \\ back");
        let file: syn::File = syn::parse2(quote! { #tokens struct S; }).unwrap();
        let printed = prettyplease::unparse(&file);
        assert!(
            printed.contains("ends */ here \"quoted\" \\ back"),
            "{printed}"
        );
    }
}
