//! Emits `src/generated/migrations.rs` for specs with `custom` migration ops:
//! the trait with one method per function the ops name, and the adapter
//! through which the runtime calls those methods by name.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc_attrs, inner_doc_attrs};
use crate::ir::Ir;
use crate::ir::migrations::{CustomFn, CustomUse, Direction};

/// The contents of `src/generated/migrations.rs`, or `None` when no op of
/// the spec is `custom`.
pub fn migrations_module(ir: &Ir) -> Option<TokenStream> {
    if ir.custom_fns.is_empty() {
        return None;
    }
    let module_doc = inner_doc_attrs(
        "The functions behind the spec's `custom` migration ops: the trait your server type \
         implements, and the adapter through which the runtime calls its methods by name.",
    );
    let trait_doc = doc_attrs(
        "Implement this for your server type (in `src/handlers/migrations.rs`): one method per \
         function named by a `custom` op.\n\n\
         Each method rewrites `value` in place: the arguments or result, or the object or item \
         an enclosing `in` or `each` op selects. An `Err` fails the call with its message. The \
         generated tests in `src/generated/tests.rs` run these methods on the version steps \
         that use them.",
    );
    let methods = ir.custom_fns.iter().map(|function| {
        let doc = doc_attrs(&method_doc(function));
        let method = &function.method;
        quote! {
            #doc
            fn #method(
                &self,
                value: &mut ::mcpgen_runtime::serde_json::Value,
            ) -> ::std::result::Result<(), ::std::string::String>;
        }
    });
    let arms = ir.custom_fns.iter().map(|function| {
        let name = &function.name;
        let method = &function.method;
        quote! { #name => self.0.#method(value), }
    });
    Some(quote! {
        #module_doc

        #trait_doc
        pub trait Migrations: ::std::marker::Send + ::std::marker::Sync + 'static {
            #(#methods)*
        }

        /// Runs the [`Migrations`] methods under the names the manifest gives them.
        pub(crate) struct Adapter<H>(pub(crate) ::std::sync::Arc<H>);

        impl<H: Migrations> ::mcpgen_runtime::migrate::CustomOps for Adapter<H> {
            fn run(
                &self,
                name: &str,
                value: &mut ::mcpgen_runtime::serde_json::Value,
            ) -> ::std::result::Result<(), ::std::string::String> {
                match name {
                    #(#arms)*
                    other => ::std::result::Result::Err(::std::format!(
                        "no migration function is called `{other}`"
                    )),
                }
            }
        }
    })
}

/// Where the spec uses the function, one line per use.
fn method_doc(function: &CustomFn) -> String {
    let mut doc = format!("`{}`:", function.name);
    for CustomUse {
        tool,
        from,
        to,
        direction,
        inverse,
    } in &function.uses
    {
        let what = match direction {
            Direction::Request => "arguments",
            Direction::Response => "results",
        };
        let way = if *inverse {
            "new → old (the inverse)"
        } else {
            "old → new"
        };
        doc.push_str(&format!("\n- `{tool}` {from} → {to}, {what}, {way}"));
    }
    doc
}
