//! Emits the files a user owns once they exist: `src/main.rs`, the handlers
//! module, one handler stub per tool and, for specs with `custom` migration
//! ops, a stub of the migration functions.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::inner_doc_attrs;
use crate::ir::ident::{Case, RustIdent, sanitize};
use crate::ir::{Ir, Tool};

/// `src/main.rs`.
pub fn main_rs(ir: &Ir) -> TokenStream {
    let doc = inner_doc_attrs(&format!("The `{}` MCP server.", ir.server.name));
    quote! {
        #doc

        /// Written by `mcpgen generate`, which formats it itself: `rustfmt::skip`
        /// keeps `cargo fmt` from changing it and tripping `mcpgen generate --check`.
        #[rustfmt::skip]
        mod generated;
        mod handlers;

        fn main() -> std::process::ExitCode {
            mcpgen_runtime::cli::main(generated::server(handlers::App::default()))
        }
    }
}

/// `src/handlers/mod.rs`.
pub fn handlers_mod(ir: &Ir) -> TokenStream {
    // In rustfmt's order (bytewise), so `cargo fmt` leaves the file alone.
    let mut modules: Vec<RustIdent> = ir.tools.iter().map(|t| t.module_ident.clone()).collect();
    if !ir.custom_fns.is_empty() {
        // Reserved, so no tool module takes it.
        modules.push(sanitize("migrations", Case::Module));
    }
    modules.sort_by(|a, b| a.name().cmp(b.name()));
    let modules_doc = inner_doc_attrs(if ir.custom_fns.is_empty() {
        "Tool bodies: one file per tool, each implementing its generated trait."
    } else {
        "Tool bodies: one file per tool, each implementing its generated trait; the `custom` \
         migration functions in `migrations.rs`."
    });
    quote! {
        #modules_doc

        #(mod #modules;)*

        /// State shared by every tool handler.
        #[derive(Default)]
        pub struct App {}
    }
}

/// `src/handlers/<tool>.rs`: a stub that compiles and answers with an error
/// until the user writes the body.
pub fn handler_stub(tool: &Tool) -> TokenStream {
    let doc = inner_doc_attrs(&format!("The `{}` tool.", tool.name));
    let module = &tool.module_ident;
    let trait_ident = &tool.trait_ident;
    let method = &tool.method_ident;
    let input = &tool.input_type;
    let output = match &tool.output_type {
        Some(output) => quote! { tool::#output },
        None => quote! { mcpgen_runtime::CallToolResult },
    };
    let message = format!("{} is not implemented yet", tool.name);
    quote! {
        #doc

        use super::App;
        use crate::generated::#module as tool;
        use mcpgen_runtime::{ToolContext, ToolError};

        impl tool::#trait_ident for App {
            async fn #method(&self, _context: ToolContext, _input: tool::#input) -> Result<#output, ToolError> {
                Err(ToolError::new(#message))
            }
        }
    }
}

/// `src/handlers/migrations.rs`: the `custom` migration functions, each
/// answering with an error until the user writes it (which fails the calls
/// and the generated tests that need it). `None` without `custom` ops.
pub fn migrations_stub(ir: &Ir) -> Option<TokenStream> {
    if ir.custom_fns.is_empty() {
        return None;
    }
    let methods = ir.custom_fns.iter().map(|function| {
        let method = &function.method;
        let message = format!("the migration `{}` is not implemented yet", function.name);
        quote! {
            fn #method(&self, _value: &mut Value) -> Result<(), String> {
                Err(#message.to_owned())
            }
        }
    });
    Some(quote! {
        //! The functions behind the spec's `custom` migration ops.

        use super::App;
        use crate::generated::migrations::Migrations;
        use mcpgen_runtime::serde_json::Value;

        impl Migrations for App {
            #(#methods)*
        }
    })
}
