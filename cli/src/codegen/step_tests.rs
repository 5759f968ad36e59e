//! Emits `src/generated/tests.rs`: one property test per version step and
//! direction, so `cargo test` in the generated crate checks every migration
//! (the author's `custom` functions included) against the spec's schemas.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::inner_doc_attrs;
use crate::ir::Ir;
use crate::ir::migrations::Direction;

/// The contents of `src/generated/tests.rs`, or `None` when no tool has a
/// second version.
pub fn tests_module(ir: &Ir) -> Option<TokenStream> {
    if ir.step_checks.is_empty() {
        return None;
    }
    let module_doc = inner_doc_attrs(
        "Property tests of every version step. Arguments valid for the older version must, once \
         migrated, be valid for the newer one; results valid for the newer version must, once \
         migrated back, be valid for the older one.",
    );
    // The custom functions are the server type's methods; the tests build it
    // the way `src/main.rs` does.
    let custom = if ir.custom_fns.is_empty() {
        quote! {
            /// The spec has no `custom` ops.
            fn custom_ops() -> ::mcpgen_runtime::migrate::NoCustomOps {
                ::mcpgen_runtime::migrate::NoCustomOps
            }
        }
    } else {
        quote! {
            /// The server type's `custom` functions, as `server()` registers them, on the
            /// server type `src/main.rs` builds (`handlers::App::default()`).
            fn custom_ops() -> super::migrations::Adapter<crate::handlers::App> {
                super::migrations::Adapter(::std::sync::Arc::new(
                    <crate::handlers::App as ::std::default::Default>::default(),
                ))
            }
        }
    };
    // Each test is one call to `check`, with the variants in scope, so a test
    // is four lines however many tools there are. Test names are snake case
    // and contain their versions' digits, so they cannot be `check`,
    // `custom_ops`, `Request` or `Response` (`step_checks` reserves the
    // first two as well).
    let uses = |direction: Direction| ir.step_checks.iter().any(|c| c.direction == direction);
    let variants: Vec<TokenStream> = [
        (Direction::Request, quote! { Request }),
        (Direction::Response, quote! { Response }),
    ]
    .into_iter()
    .filter(|(direction, _)| uses(*direction))
    .map(|(_, variant)| variant)
    .collect();
    let tests = ir.step_checks.iter().map(|check| {
        let test = &check.test;
        let tool = &check.tool;
        let from = check.from.to_string();
        let to = check.to.to_string();
        let direction = match check.direction {
            Direction::Request => quote! { Request },
            Direction::Response => quote! { Response },
        };
        quote! {
            #[test]
            fn #test() {
                check(#tool, #from, #to, #direction);
            }
        }
    });
    Some(quote! {
        #module_doc

        use ::mcpgen_runtime::testing::Direction::{#(#variants),*};

        #custom

        /// Runs the property test of one version step, panicking with the counterexample.
        #[track_caller]
        fn check(tool: &str, from: &str, to: &str, direction: ::mcpgen_runtime::testing::Direction) {
            ::mcpgen_runtime::testing::assert_step(super::MANIFEST, tool, from, to, direction, &custom_ops());
        }

        #(#tests)*
    })
}
